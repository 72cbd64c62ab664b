/** Whether a key provider's failure may pass when tried again (the guard and the WorkOS provider ask). */
import { isVaultError, type VaultKeyProviderError } from "./errors.js";

/** HTTP statuses after which a request may succeed when tried again (as WorkOS's SDKs retry them). */
const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Whether `error`, a provider's failure, may pass if tried again: a {@link VaultKeyProviderError}'s
 * own `transient`, an HTTP status of {@link TRANSIENT_STATUS}, or a request that reached no server
 * (fetch's `TypeError`, a socket error code).
 */
export function isTransientFailure(error: unknown, depth = 0): boolean {
  if (isVaultError(error, "VAULT_KEY_PROVIDER")) return (error as VaultKeyProviderError).transient;
  const { status, code, cause } = (error ?? {}) as { status?: unknown; code?: unknown; cause?: unknown };
  if (typeof status === "number") return TRANSIENT_STATUS.has(status);
  if (typeof code === "string" && /^(ECONN|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|UND_ERR)/.test(code))
    return true;
  // fetch's network failure: TypeError("fetch failed", { cause }).
  if (error instanceof TypeError && cause !== undefined) return true;
  // A wrapper with no status of its own (SDK 10+ throws Error("Unexpected error: …", { cause }) for a
  // request that got no answer): what it wraps decides.
  return depth < 4 && cause !== undefined && cause !== error && isTransientFailure(cause, depth + 1);
}

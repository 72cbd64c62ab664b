/**
 * What WorkOS Vault's key API answers, read: the data key and blob of a response in any of its shapes,
 * and a failed request mapped to prisma-vault's codes (the one mapping of SDK failures).
 */
import { isTransientFailure } from "../transient-failure.js";
import {
  isVaultError,
  type VaultError,
  VaultKeyProviderError,
  VaultKeyRejectedError,
  VaultKeyUnavailableError,
} from "../errors.js";
import type { Attempt } from "./audit.js";
import type { DecryptedDataKey } from "./provider.js";
import { unreached } from "./unreached.js";

/**
 * What `error`, a failed request of `method` to the service at `baseURL`, is to prisma-vault: the one
 * mapping of SDK failures. A request that reached no server names the host, port and system error.
 */
export function failure(method: Attempt["type"], error: unknown, baseURL: unknown): VaultError {
  if (isVaultError(error)) return error;
  const status = (error as { status?: unknown })?.status;
  const suffix = typeof status === "number" ? ` (HTTP ${status})` : "";
  const limited = status === 429 ? ": rate-limited" : "";
  const where = unreached(baseURL, error);
  const message = `WorkOS Vault ${method} failed${suffix}${limited}${where === undefined ? "" : `: ${where}`}`;
  if (method === "decryptDataKey") {
    // The service answered, and does not hold the key that wrapped this blob. The SDK throws
    // NotFoundException for a 404 and does not retry it.
    if (status === 404) {
      return new VaultKeyUnavailableError(`${message}: the key that wrapped this blob is not available`, {
        cause: error,
      });
    }
    // The service answered, and said no to this blob: retrying will not help.
    if (REJECTED_STATUS.has(status as number)) return new VaultKeyRejectedError(message, { cause: error });
  }
  return new VaultKeyProviderError(message, { cause: error, transient: isTransientFailure(error) });
}

const REJECTED_STATUS = new Set([400, 422]);

/**
 * The data key of a key-API response, in any of its shapes: the API's JSON (`{ data_key, id }`, what
 * `post` returns), or an SDK method's (`createDataKey()`: `{ dataKey: { key, id } }`; `decryptDataKey()`:
 * `{ key, id }`; `createRekey()`: `{ dataKey: string, id }`).
 */
export function readDataKey(method: Attempt["type"], response: unknown): DecryptedDataKey {
  const r = (response ?? {}) as Record<string, unknown>;
  const dataKey = r["dataKey"] as { key?: unknown; id?: unknown } | string | undefined;
  const key = typeof dataKey === "object" ? dataKey?.key : (dataKey ?? r["data_key"] ?? r["key"]);
  const id = typeof dataKey === "object" ? dataKey?.id : r["id"];
  if (typeof key !== "string" || typeof id !== "string") throw unexpected(method);
  return { key: keyFromBase64(key), id };
}

/** The encrypted data key of a key-API response (`encrypted_keys`, or an SDK method's `encryptedKeys`). */
export function readBlob(method: Attempt["type"], response: unknown): Uint8Array {
  const r = (response ?? {}) as Record<string, unknown>;
  const blob = r["encryptedKeys"] ?? r["encrypted_keys"];
  if (typeof blob !== "string") throw unexpected(method);
  return fromBase64(blob);
}

function unexpected(method: Attempt["type"]): VaultKeyProviderError {
  return new VaultKeyProviderError(`WorkOS Vault ${method} returned an unexpected response`);
}

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(String(text), "base64"));
}

/** A data key from base64, in an array of its own; the decode (a slice of Node's shared pool) is zeroed. */
function keyFromBase64(text: string): Uint8Array {
  const decoded = Buffer.from(String(text), "base64");
  const key = new Uint8Array(decoded);
  decoded.fill(0);
  return key;
}

/**
 * The provider a {@link DataKeyCache} calls: the caller's, observed for the audit hook when there is
 * one, inside one guard bounding each call (`timeoutMs`) and the calls left running (`concurrency`).
 */
import { VaultConfigError } from "../errors.js";
import type { AuditHook } from "./audit.js";
import { guardOf, guardProvider, type GuardedKeyProvider } from "./guard-provider.js";
import { observedProvider } from "./observed-provider.js";
import type { KeyProvider } from "./provider.js";

/** How the cache calls its provider: `vault({ timeoutMs })` passes it here. */
export interface ProviderCallOptions {
  /**
   * Milliseconds one provider call may take, its own retries included (1 to 600,000); past it the
   * call fails with `VAULT_KEY_PROVIDER`. Default 10,000, or the bound of a provider already wrapped
   * with `guardProvider(provider, { timeoutMs })`.
   */
  readonly timeoutMs?: number;
  /** Receives one event per provider attempt (`vault({ audit })`); it must not throw (see audit.ts's safeAudit). */
  readonly audit?: AuditHook;
}

/**
 * `provider` as the cache calls it: observed for `calls.audit`, guarded with `calls.timeoutMs` (else
 * the bound of a guard it already has) and at most `concurrency` timed-out calls left running. A bad
 * `calls` is a `VaultConfigError`.
 *
 * @example const guarded = cacheProvider(LocalKeyProvider.fromEnv(), { timeoutMs: 5_000 }, 8);
 */
export function cacheProvider(
  provider: KeyProvider,
  calls: ProviderCallOptions,
  concurrency: number,
): GuardedKeyProvider {
  if (typeof calls !== "object" || calls === null) {
    throw new VaultConfigError("DataKeyCache: the third argument must be { timeoutMs }");
  }
  const audit = calls.audit;
  // A provider guarded already is observed inside its guard, which is then made anew: one guard,
  // keeping the bound the caller gave it.
  const guarded = guardOf(provider);
  const source =
    audit === undefined
      ? provider
      : observedProvider(guarded?.inner ?? provider, {
          attempt: (attempt) => audit({ ...attempt, at: new Date() }),
        });
  const timeoutMs = calls.timeoutMs ?? guarded?.timeoutMs;
  return guardProvider(source, {
    maxTimedOut: concurrency,
    ...(timeoutMs !== undefined && { timeoutMs }),
  });
}

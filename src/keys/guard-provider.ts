/**
 * The guard around every key provider: what a provider returns is checked, each call is bounded in
 * time, and its failures are mapped to prisma-vault's codes, so a buggy, failing or hanging provider
 * fails loudly and uniformly.
 */
import type { KeyContext } from "../context/key-context.js";
import type { AttemptObserver } from "./audit.js";
import { DATA_KEY_BYTES } from "../format/envelope-sizes.js";
import { keyProvider } from "../error-messages.js";
import { unref } from "../unref.js";
import { isTransientFailure } from "../transient-failure.js";
import { isVaultError, VaultConfigError, VaultKeyProviderError, type VaultError } from "../errors.js";
import { type VaultErrorCode } from "../error-codes.js";
import { LAST_FAILURE, type LastFailure } from "./last-failure.js";
import type { DataKey, DecryptedDataKey, KeyProvider } from "./provider.js";

/** How long one provider call may take, and how many abandoned ones may pile up. */
export interface GuardOptions {
  /**
   * Milliseconds one call may take, the provider's own retries included (1 to 600,000). A call past
   * it fails with `VAULT_KEY_PROVIDER`; its request cannot be aborted and runs on, and its answer is
   * dropped when it comes (key bytes zeroed). Default 10,000. It must exceed the waits a provider
   * makes between its tries (`WorkOSKeyProvider`'s `retry.maxWaitMs`, default 8,000, waiting out
   * 429s), or those calls time out while waiting.
   */
  readonly timeoutMs?: number;
  /**
   * While this many timed-out calls have not returned, new calls fail at once with
   * `VAULT_KEY_PROVIDER` rather than pile more requests onto a provider that does not answer
   * (1 to 1,000). Default 8; a DataKeyCache sets its `concurrency`.
   */
  readonly maxTimedOut?: number;
}

/** A provider wrapped by {@link guardProvider}, with the bounds it enforces. */
export interface GuardedKeyProvider extends KeyProvider {
  /** Milliseconds one call may take (see {@link GuardOptions.timeoutMs}). */
  readonly timeoutMs: number;
  /** Timed-out calls still running past which new calls fail at once (see {@link GuardOptions.maxTimedOut}). */
  readonly maxTimedOut: number;
}

export const GUARD_DEFAULTS = { timeoutMs: 10_000, maxTimedOut: 8 } as const;
/** The longest `timeoutMs` allowed: 10 minutes. */
export const MAX_TIMEOUT_MS = 600_000;

/**
 * Wraps a provider so a buggy, failing or hanging one fails loudly and uniformly: results are checked
 * (a 32-byte key, a non-empty blob, a string id), each call is bounded by `timeoutMs`, and every
 * thrown error becomes `VAULT_KEY_PROVIDER`, except a key that is not configured
 * (`VAULT_KEY_UNAVAILABLE`, e.g. {@link VaultKeyUnavailableError}), which is passed on as it is.
 * Wrapping twice is harmless: a guarded provider is returned as it is, unless `options` change its
 * bounds, in which case the original provider is guarded anew (one layer, never two).
 *
 * @example
 * const keys = guardProvider(new WorkOSKeyProvider({ workos }), { timeoutMs: 5_000 });
 */
export function guardProvider(provider: KeyProvider, options: GuardOptions = {}): GuardedKeyProvider {
  const guarded = GUARDED.get(provider);
  const timeoutMs = checkBound("timeoutMs", options.timeoutMs, MAX_TIMEOUT_MS, "milliseconds");
  const maxTimedOut = checkBound("maxTimedOut", options.maxTimedOut, 1_000, "calls");
  if (guarded !== undefined) {
    const self = provider as GuardedKeyProvider;
    if (
      (timeoutMs ?? self.timeoutMs) === self.timeoutMs &&
      (maxTimedOut ?? self.maxTimedOut) === self.maxTimedOut
    ) {
      return self;
    }
    return guard(guarded, {
      timeoutMs: timeoutMs ?? self.timeoutMs,
      maxTimedOut: maxTimedOut ?? self.maxTimedOut,
    });
  }
  checkShape(provider);
  return guard(provider, {
    timeoutMs: timeoutMs ?? GUARD_DEFAULTS.timeoutMs,
    maxTimedOut: maxTimedOut ?? GUARD_DEFAULTS.maxTimedOut,
  });
}

/**
 * For a provider {@link guardProvider} made: the provider it wraps and its bounds; undefined for any
 * other. A caller that wraps the provider again (to observe it) wraps the inner one, so there is still
 * one guard, with the caller's bounds.
 */
export function guardOf(
  provider: KeyProvider,
): { inner: KeyProvider; timeoutMs: number; maxTimedOut: number } | undefined {
  const inner = GUARDED.get(provider);
  if (inner === undefined) return undefined;
  const { timeoutMs, maxTimedOut } = provider as GuardedKeyProvider;
  return { inner, timeoutMs, maxTimedOut };
}

/** Guarded providers, each mapped to the provider it wraps. */
const GUARDED = new WeakMap<KeyProvider, KeyProvider>();

function guard(provider: KeyProvider, bounds: Required<GuardOptions>): GuardedKeyProvider {
  const name = provider.name;
  const last = (provider as { [LAST_FAILURE]?: () => LastFailure | undefined })[LAST_FAILURE];
  const calls = new Calls(name, bounds, typeof last === "function" ? () => last.call(provider) : undefined);
  const guarded: GuardedKeyProvider = {
    name,
    ...bounds,
    createDataKey: (context) =>
      calls.run("createDataKey", () => provider.createDataKey(context)).then(checkDataKey(name)),
    decryptDataKey: (encryptedKeys) =>
      calls.run("decryptDataKey", () => provider.decryptDataKey(encryptedKeys)).then(checkDecrypted(name)),
    ...(provider.rekey && {
      rekey: (encryptedKeys: Uint8Array, context: KeyContext) =>
        calls.run("rekey", () => provider.rekey!(encryptedKeys, context)).then(checkDataKey(name)),
    }),
    ...(provider.recognizes && { recognizes: (blob: Uint8Array) => provider.recognizes!(blob) === true }),
    ...(provider.owns && { owns: (blob: Uint8Array) => provider.owns!(blob) === true }),
    ...(provider.isCurrent && { isCurrent: (blob: Uint8Array) => provider.isCurrent!(blob) === true }),
    ...(provider.observed && {
      observed: (observer: AttemptObserver, as: string) => guard(provider.observed!(observer, as), bounds),
    }),
  };
  GUARDED.set(guarded, provider);
  return Object.freeze(guarded);
}

/** One guard's calls: each bounded in time, and the timed-out ones that have not returned counted. */
class Calls {
  #timedOut = 0;

  constructor(
    readonly name: string,
    readonly bounds: Required<GuardOptions>,
    /** The provider's last failed try, when it keeps one ({@link LAST_FAILURE}). */
    readonly lastFailure?: () => LastFailure | undefined,
  ) {}

  run<T>(method: string, call: () => Promise<T>): Promise<T> {
    const { name, bounds } = this;
    // Precondition: while maxTimedOut timed-out calls have not returned, new calls fail at once.
    if (this.#timedOut >= bounds.maxTimedOut) {
      return Promise.reject(
        new VaultKeyProviderError(keyProvider.saturated(name, this.#timedOut, method), { transient: true }),
      );
    }
    const started = Date.now();
    const request = new Promise<T>((resolve) => resolve(call()));
    return new Promise<T>((resolve, reject) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        this.#timedOut++;
        // Only a failure of this call's time says what this call met.
        const last = this.lastFailure?.();
        const met = last !== undefined && last.at >= started ? last.message : undefined;
        reject(
          new VaultKeyProviderError(keyProvider.timedOut(name, bounds.timeoutMs, method, met), {
            transient: true,
          }),
        );
      }, bounds.timeoutMs);
      unref(timer);
      request.then(
        (result) => {
          clearTimeout(timer);
          if (!late) return resolve(result);
          // Precondition: a timed-out call's late result is never used and its key bytes are zeroed.
          this.#timedOut--;
          zero(result);
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (!late) return reject(providerError(name, method, error));
          this.#timedOut--;
        },
      );
    });
  }
}

function zero(result: unknown): void {
  const key = (result as { key?: unknown } | null | undefined)?.key;
  if (key instanceof Uint8Array) key.fill(0);
}

function checkBound(
  option: keyof GuardOptions,
  value: unknown,
  max: number,
  what: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw configError(`${option} must be a whole number of ${what} from 1 to ${max}`);
  }
  return value;
}

function checkShape(provider: KeyProvider): void {
  const p = provider as Partial<KeyProvider> | null;
  if (typeof p !== "object" || p === null) throw configError("a key provider must be an object");
  if (typeof p.name !== "string" || p.name === "") throw configError("a key provider needs a non-empty name");
  for (const method of ["createDataKey", "decryptDataKey"] as const) {
    if (typeof p[method] !== "function") throw configError(`key provider "${p.name}" has no ${method}()`);
  }
  for (const method of ["rekey", "recognizes", "owns", "isCurrent", "observed"] as const) {
    if (p[method] !== undefined && typeof p[method] !== "function") {
      throw configError(`key provider "${p.name}": ${method} must be a function`);
    }
  }
}

const PASSED_THROUGH = new Set<VaultErrorCode>(["VAULT_KEY_PROVIDER", "VAULT_KEY_UNAVAILABLE"]);

function providerError(name: string, method: string, error: unknown): VaultError {
  // A refused blob and a key that is not configured are answers, not outages: they keep their code.
  if (isVaultError(error) && PASSED_THROUGH.has(error.code)) return error;
  return new VaultKeyProviderError(keyProvider.failed(name, method), {
    cause: error,
    transient: isTransientFailure(error),
  });
}

function checkDecrypted(name: string) {
  return (result: DecryptedDataKey): DecryptedDataKey => {
    if (!(result?.key instanceof Uint8Array) || result.key.length !== DATA_KEY_BYTES) {
      throw broken(name, `returned a data key that is not ${DATA_KEY_BYTES} bytes`);
    }
    if (typeof result.id !== "string") throw broken(name, "returned a data key without a string id");
    return result;
  };
}

function checkDataKey(name: string) {
  const checkKey = checkDecrypted(name);
  return (result: DataKey): DataKey => {
    checkKey(result);
    if (!(result.encryptedKeys instanceof Uint8Array) || result.encryptedKeys.length === 0) {
      throw broken(name, "returned an empty encrypted data key");
    }
    return result;
  };
}

function broken(name: string, what: string): VaultKeyProviderError {
  return new VaultKeyProviderError(keyProvider.broken(name, what));
}

function configError(message: string): VaultError {
  return new VaultConfigError(message);
}

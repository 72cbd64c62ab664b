/**
 * WorkOSKeyProvider's retry policy: which failed tries are tried again, after how long, and within
 * which bounds (see the provider's file comment for why it retries and the SDK does not).
 */
import { VaultConfigError } from "../errors.js";
import { isTransientFailure } from "../transient-failure.js";

/** How a rate-limited call is retried. */
export interface WorkOSRetryOptions {
  /** Tries of one call, the first included (1 to 20). Default 5. */
  readonly attempts?: number;
  /**
   * Milliseconds one call may spend waiting between its tries (0 to 600,000); a wait that would go
   * past it is not started, and the call fails with `VAULT_KEY_PROVIDER`. Default 8,000.
   */
  readonly maxWaitMs?: number;
}

export const RETRY_DEFAULTS = { attempts: 5, maxWaitMs: 8_000 } as const;
/** The longest wait between two tries, whatever `Retry-After` says. */
export const MAX_RETRY_WAIT_MS = 30_000;
/** The wait when a 429 gives no usable `Retry-After`. */
const DEFAULT_RETRY_WAIT_MS = 1_000;
/** The first wait after a failure other than a 429; each next one doubles. */
const BACKOFF_MS = 500;

/**
 * `WorkOSKeyProviderOptions.retry` checked and completed: `false` is one try; a bad value is a
 * `VaultConfigError` naming the option and its range.
 *
 * @example retryOptions({ attempts: 10 }) // { attempts: 10, maxWaitMs: 8000 }
 */
export function retryOptions(retry: WorkOSRetryOptions | false | undefined): Required<WorkOSRetryOptions> {
  if (retry === false) return { attempts: 1, maxWaitMs: 0 };
  if (retry === undefined) return RETRY_DEFAULTS;
  if (typeof retry !== "object" || retry === null) {
    throw new VaultConfigError("WorkOSKeyProvider: retry must be false or { attempts, maxWaitMs }");
  }
  const bound = (option: keyof WorkOSRetryOptions, min: number, max: number, what: string): number => {
    const value = retry[option];
    if (value === undefined) return RETRY_DEFAULTS[option];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw new VaultConfigError(
        `WorkOSKeyProvider: retry.${option} must be a whole number of ${what} from ${min} to ${max}`,
      );
    }
    return value;
  };
  return {
    attempts: bound("attempts", 1, 20, "tries"),
    maxWaitMs: bound("maxWaitMs", 0, 600_000, "milliseconds"),
  };
}

/**
 * Milliseconds to wait before try `attempt + 1` after `error`, or `undefined` when it is not retried
 * here: a 429 after its `Retry-After`; another failure that may pass (`all`, SDK 10+), or a 503 (SDKs
 * before 10 retry the others themselves), after a doubling backoff.
 */
export function retryWait(error: unknown, attempt: number, all: boolean): number | undefined {
  const { status, retryAfter } = (error ?? {}) as { status?: unknown; retryAfter?: unknown };
  if (status === 429) {
    // The SDK gives Retry-After as seconds (null when absent; NaN for an HTTP date, which WorkOS does not send).
    const seconds = typeof retryAfter === "number" && retryAfter >= 0 ? retryAfter : undefined;
    return seconds === undefined ? DEFAULT_RETRY_WAIT_MS : Math.min(seconds * 1_000, MAX_RETRY_WAIT_MS);
  }
  if (!(all ? isTransientFailure(error) : status === 503)) return undefined;
  return Math.min(BACKOFF_MS * 2 ** (attempt - 1), MAX_RETRY_WAIT_MS);
}

/**
 * A wait the caller is awaiting. Not unref()'d, unlike the guard's timers: a CLI run (`migrate`)
 * whose only pending work is this wait must not exit in the middle of it.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The limits of the data-key cache: the `cache` option of `vault()` and of `new DataKeyCache()`, their
 * defaults and bounds, and their eager validation.
 */
import { VaultConfigError } from "../errors.js";

/**
 * Cache limits. Times are milliseconds; every limit is a whole number. An unknown option or a limit out
 * of its range is a `VaultConfigError` naming it, thrown by `vault()` or `new DataKeyCache()`.
 *
 * @example
 * vault({ keys, schema, cache: { maxAge: 60_000, maxUses: 10_000 } });
 */
export interface CacheOptions {
  /** How long one encrypt-side data key is used (1 to 2³¹−1 ms). Default 5 minutes. */
  readonly maxAge?: number;
  /** How many values one encrypt-side data key encrypts (1 to 2³²). Default 100,000. */
  readonly maxUses?: number;
  /** Decrypt-side entries (and encrypt-side contexts) kept (1 to 10,000,000). Default 10,000. */
  readonly max?: number;
  /** How long a decrypted data key is kept (1 to 2³¹−1 ms). Default 15 minutes. */
  readonly ttl?: number;
  /**
   * Provider calls in flight at once for distinct keys, at most half of them (rounded up) for one
   * key context. Also how many timed-out calls may still be running before new ones fail at once.
   * 1 to 1,000; default 8.
   */
  readonly concurrency?: number;
  /** Time source for ages, for tests. Default `performance`. */
  readonly clock?: {
    /** The current time in milliseconds, from any fixed origin; it must never go back. */
    now(): number;
  };
}

/** The defaults of {@link CacheOptions}. */
export const CACHE_DEFAULTS = {
  maxAge: 5 * 60_000,
  maxUses: 100_000,
  max: 10_000,
  ttl: 15 * 60_000,
  concurrency: 8,
} as const;

/** Every limit, with its default filled in. */
export type ResolvedCacheOptions = Required<Omit<CacheOptions, "clock">>;

const LIMITS: Record<keyof typeof CACHE_DEFAULTS, { min: number; max: number; what: string }> = {
  maxAge: { min: 1, max: 2 ** 31 - 1, what: "milliseconds" },
  maxUses: { min: 1, max: 2 ** 32, what: "values" },
  max: { min: 1, max: 10_000_000, what: "entries" },
  ttl: { min: 1, max: 2 ** 31 - 1, what: "milliseconds" },
  concurrency: { min: 1, max: 1_000, what: "calls" },
};

/** `options` checked against {@link LIMITS}, over the defaults; `VaultConfigError` naming a bad one. */
export function resolveCacheOptions(options: CacheOptions): ResolvedCacheOptions {
  if (typeof options !== "object" || options === null) {
    throw new VaultConfigError("`cache` must be an object of limits or false");
  }
  for (const name of Object.keys(options)) {
    if (!(name in LIMITS) && name !== "clock") {
      throw new VaultConfigError(
        `cache: unknown option "${name}" (known: ${[...Object.keys(LIMITS), "clock"].join(", ")})`,
      );
    }
  }
  const resolved = { ...CACHE_DEFAULTS };
  for (const [name, limit] of Object.entries(LIMITS) as [
    keyof typeof CACHE_DEFAULTS,
    (typeof LIMITS)["max"],
  ][]) {
    const value = options[name];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < limit.min || value > limit.max) {
      throw new VaultConfigError(
        `cache.${name} must be a whole number of ${limit.what} from ${limit.min} to ${limit.max}`,
      );
    }
    resolved[name] = value as never;
  }
  if (options.clock !== undefined && typeof options.clock?.now !== "function") {
    throw new VaultConfigError("cache.clock must have a now() method");
  }
  return resolved;
}

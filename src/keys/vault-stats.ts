/** The data-key cache's counters, and {@link VaultStats}, as `prisma.$vault.stats()` returns them. */

/**
 * Counters, as returned by `prisma.$vault.stats()`, counted since the cache was made. Hits and misses
 * count values; with `cache: false` they stay 0 and only the provider calls count.
 */
export interface VaultStats {
  /** The encrypt side: data keys by key context. */
  readonly encrypt: {
    /** Values sealed with a key that was cached, or already being fetched for another value. */
    readonly hits: number;
    /** Values that waited for a new data key (one per provider fetch). */
    readonly misses: number;
    /** Data keys in the cache now. */
    readonly keys: number;
  };
  /** The decrypt side: data keys by key blob. */
  readonly decrypt: {
    /** Values opened with a key that was cached, or already being fetched for another value. */
    readonly hits: number;
    /** Values that waited for their key from the provider (one per provider fetch). */
    readonly misses: number;
    /** Decrypted data keys in the cache now. */
    readonly keys: number;
  };
  /** Calls made to the key provider, failed ones included. */
  readonly provider: {
    /** `createDataKey` calls. */
    readonly createDataKey: number;
    /** `decryptDataKey` calls. */
    readonly decryptDataKey: number;
    /** `rekey` calls. */
    readonly rekey: number;
    /** Calls of any kind that failed (threw or timed out). */
    readonly errors: number;
  };
}

/**
 * The counters a {@link DataKeyCache} keeps: values served (hits and misses, by side) and provider calls.
 *
 * @example counters.count("decrypt", { fetch: "miss" }, 10); counters.stats(0, 1).decrypt // { hits: 9, misses: 1, keys: 1 }
 */
export class CacheCounters {
  /** Values served, by side: a hit had its key cached (or already being fetched), a miss waited for one. */
  readonly values = { encryptHits: 0, encryptMisses: 0, decryptHits: 0, decryptMisses: 0 };
  /** Provider calls by method, and how many failed. */
  readonly calls = { createDataKey: 0, decryptDataKey: 0, rekey: 0, errors: 0 };

  /** Counts `values` values served by one fetch: all hits when the key was there, else one miss. */
  count(side: "encrypt" | "decrypt", status: { fetch?: string }, values: number): void {
    const hit = status.fetch === "hit" || status.fetch === "inflight";
    const hits = hit ? values : values - 1;
    if (side === "encrypt") {
      this.values.encryptHits += hits;
      this.values.encryptMisses += values - hits;
    } else {
      this.values.decryptHits += hits;
      this.values.decryptMisses += values - hits;
    }
  }

  /** A fresh snapshot, with the number of keys each side holds now. */
  stats(encryptKeys: number, decryptKeys: number): VaultStats {
    const s = this.values;
    return {
      encrypt: { hits: s.encryptHits, misses: s.encryptMisses, keys: encryptKeys },
      decrypt: { hits: s.decryptHits, misses: s.decryptMisses, keys: decryptKeys },
      provider: { ...this.calls },
    };
  }
}

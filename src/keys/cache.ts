/**
 * DataKeyCache: decrypted data keys in bounded LRU caches (`lru-cache`), so a query over many rows
 * costs one provider call per distinct key context (encrypt) or key blob (decrypt), not one per row.
 *
 * - Encrypt side: one live data key per canonical context, reused until `maxAge` or `maxUses`.
 * - Decrypt side: keyed by the blob's bytes (`blobId`, as latin1 text), at most `max` entries, each for `ttl`.
 * - Concurrent misses for one key share one provider call; distinct misses run `concurrency` at a time,
 *   at most half of them for one key context, so one tenant whose key calls hang does not stall the
 *   others (see limiter.ts). Each call is bounded by `timeoutMs` (see guardProvider).
 * - Key bytes are zeroed when an entry leaves the cache. Callers see a key only inside a synchronous
 *   callback, after checking the entry is still live, so an eviction can never zero a key mid-use.
 */
import { LRUCache } from "lru-cache";
import {
  canonicalContext,
  canonicalize,
  validContext,
  validateContext,
  type KeyContext,
} from "../context/key-context.js";
import { blobId, namedContextText } from "../format/blob-format.js";
import { VaultConfigError } from "../errors.js";
import {
  CACHE_DEFAULTS,
  resolveCacheOptions,
  type CacheOptions,
  type ResolvedCacheOptions,
} from "./cache-options.js";
import { Limiter } from "./limiter.js";
import { unref } from "../unref.js";
import { cacheProvider, type ProviderCallOptions } from "./cache-provider.js";
import type { GuardedKeyProvider } from "./guard-provider.js";
import type { DataKey, DecryptedDataKey, KeyProvider } from "./provider.js";
import { CacheCounters, type VaultStats } from "./vault-stats.js";
import { toEntry, useOnce, type Entry, type Miss } from "./cache-entry.js";

/**
 * Caches data keys in front of a {@link KeyProvider}. `options === false` disables caching: every
 * value calls the provider. `calls.timeoutMs` bounds each provider call (default 10 s). The constructor
 * throws `VaultConfigError` for a limit out of range (see {@link CacheOptions}) or a bad `timeoutMs`.
 *
 * @example
 * const cache = new DataKeyCache(LocalKeyProvider.fromEnv(), { maxAge: 60_000 }, { timeoutMs: 5_000 });
 * const envelope = await cache.withEncryptionKey(ctx, (k) => sealEnvelope(k.key, k.encryptedKeys, text, aad));
 */
export class DataKeyCache {
  /** The provider the cache calls, wrapped by {@link guardProvider} with the bound of `calls.timeoutMs`. */
  readonly provider: GuardedKeyProvider;
  readonly #options: ResolvedCacheOptions | undefined;
  readonly #limiter: Limiter;
  readonly #encrypt: LRUCache<string, Entry, KeyContext> | undefined;
  readonly #decrypt: LRUCache<string, Entry, Miss> | undefined;
  readonly #counters = new CacheCounters();
  /** Started with the first cached key (never at construction: workerd refuses timers in global scope). */
  #sweeper: ReturnType<typeof setInterval> | undefined;
  readonly #sweepEveryMs: number | undefined;

  constructor(provider: KeyProvider, options: CacheOptions | false = {}, calls: ProviderCallOptions = {}) {
    const resolved = options === false ? undefined : resolveCacheOptions(options);
    const concurrency = resolved?.concurrency ?? CACHE_DEFAULTS.concurrency;
    this.provider = cacheProvider(provider, calls, concurrency);
    this.#options = resolved;
    this.#limiter = new Limiter(concurrency);
    if (options === false || resolved === undefined) return;
    const perf = options.clock ?? performance;
    // lru-cache reuses "now" for ttlResolution ms of real time; an injected clock must be read each time.
    const ttlResolution = options.clock === undefined ? 1 : 0;
    const dispose = (entry: Entry) => {
      entry.live = false;
      entry.key.fill(0);
    };
    this.#encrypt = new LRUCache<string, Entry, KeyContext>({
      max: resolved.max,
      ttl: resolved.maxAge,
      ttlResolution,
      perf,
      dispose,
      fetchMethod: (_canonical, _stale, { context, signal }) =>
        this.#create(context, signal).then(keptIf(signal)),
    });
    this.#decrypt = new LRUCache<string, Entry, Miss>({
      max: resolved.max,
      ttl: resolved.ttl,
      ttlResolution,
      perf,
      dispose,
      fetchMethod: (id, _stale, { context, signal }) =>
        this.#open(context.blob, context.owner ?? id).then(keptIf(signal)),
    });
    // Expired keys are dropped (and zeroed) even when nobody asks for them again.
    this.#sweepEveryMs = Math.min(resolved.maxAge, resolved.ttl, 60_000);
  }

  /** False for `new DataKeyCache(provider, false)`: then each value asks the provider for its key. */
  get caching(): boolean {
    return this.#options !== undefined;
  }

  /** Milliseconds one provider call may take (see {@link ProviderCallOptions}). */
  get timeoutMs(): number {
    return this.provider.timeoutMs;
  }

  /**
   * Runs `use` with the current data key for `context`, synchronously, for up to `wanted` values, and
   * returns its result: at once when the key is cached, else a promise. `use` learns how many values
   * (1 to `wanted`) it may seal with the key; they count toward `maxUses`, and the key rotates after
   * `maxUses` values or `maxAge`, so a batch larger than a key's remaining uses asks again for the rest.
   *
   * @example const envelope = await cache.withEncryptionKey(ctx, (k) => sealEnvelope(k.key, k.encryptedKeys, text, aad));
   */
  withEncryptionKey<T>(
    context: KeyContext,
    use: (key: DataKey, uses: number) => T,
    wanted = 1,
  ): T | Promise<T> {
    const valid = validContext(context);
    const cache = this.#encrypt;
    if (cache === undefined) return this.#create(valid).then((entry) => useOnce(entry, use));
    const canonical = canonicalize(valid);
    const entry = cache.get(canonical);
    // Precondition: a live entry with uses left; nothing can evict it before `use` returns.
    if (entry !== undefined && entry.live && entry.uses < this.#maxUses) {
      this.#counters.values.encryptHits += wanted;
      return this.#spend(cache, canonical, entry, use, wanted);
    }
    return this.#fetchEncryptionKey(cache, canonical, valid, use, wanted);
  }

  async #fetchEncryptionKey<T>(
    cache: LRUCache<string, Entry, KeyContext>,
    canonical: string,
    valid: KeyContext,
    use: (key: DataKey, uses: number) => T,
    wanted: number,
  ): Promise<T> {
    for (;;) {
      const status: { fetch?: LRUCache.Status<string, Entry, unknown>["fetch"] } = {};
      const entry = await cache.fetch(canonical, { context: valid, status });
      this.#counters.count("encrypt", status, wanted);
      // Precondition: the entry is live. One used up by concurrent writers while we awaited is
      // replaced by one shared fetch (each round uses maxUses values, so this ends); one evicted
      // under churn is not retried: a key of our own costs a call, never a zeroed key.
      if (entry !== undefined && !entry.live && entry.uses >= this.#maxUses) continue;
      if (entry === undefined || !entry.live) return useOnce(await this.#create(valid), use);
      return this.#spend(cache, canonical, entry, use, wanted);
    }
  }

  /**
   * Runs `use` with the data key inside `encryptedKeys`, synchronously, and returns its result: at
   * once when the key is cached, else a promise. `values`, how many values `use` opens, is what the
   * hit and miss counters count. `context`, the row's key context, is used only to share the provider
   * fairly between tenants (see {@link CacheOptions.concurrency}); without it a miss counts for the
   * context its blob names (local-ring blobs do), or for the blob alone.
   *
   * @example await cache.withDecryptionKey(parts.encryptedKeys, (k) => openEnvelope(k.key, parts, aad), ctx);
   */
  withDecryptionKey<T>(
    encryptedKeys: Uint8Array,
    use: (key: DecryptedDataKey) => T,
    context?: KeyContext,
    values = 1,
  ): T | Promise<T> {
    const cache = this.#decrypt;
    const id = blobId(encryptedKeys);
    const entry = cache?.get(id);
    // Precondition: the entry is live; nothing can evict it before `use` returns, as nothing awaits.
    if (entry !== undefined && entry.live) {
      this.#counters.values.decryptHits += values;
      return use(entry);
    }
    const owner = context === undefined ? namedContextText(encryptedKeys) : canonicalContext(context);
    if (cache === undefined) {
      return this.#open(encryptedKeys, owner ?? id).then((opened) => useOnce(opened, use));
    }
    return this.#fetchDecryptionKey(cache, id, encryptedKeys, owner, use, values);
  }

  async #fetchDecryptionKey<T>(
    cache: LRUCache<string, Entry, Miss>,
    id: string,
    encryptedKeys: Uint8Array,
    owner: string | undefined,
    use: (key: DecryptedDataKey) => T,
    values: number,
  ): Promise<T> {
    const status: { fetch?: LRUCache.Status<string, Entry, unknown>["fetch"] } = {};
    const entry = await cache.fetch(id, { context: { blob: encryptedKeys, owner }, status });
    this.#counters.count("decrypt", status, values);
    // Precondition: the entry is live (see #fetchEncryptionKey).
    if (entry === undefined || !entry.live) return useOnce(await this.#open(encryptedKeys, owner ?? id), use);
    return use(entry);
  }

  /** `uses` uses of a cached encryption key; a key that reaches `maxUses` leaves the cache. */
  #spend<T>(
    cache: LRUCache<string, Entry, KeyContext>,
    canonical: string,
    entry: Entry,
    use: (key: DataKey, uses: number) => T,
    wanted: number,
  ): T {
    const uses = Math.min(wanted, this.#maxUses - entry.uses);
    entry.uses += uses;
    try {
      return use(entry, uses);
    } finally {
      if (entry.uses >= this.#maxUses && cache.peek(canonical) === entry) cache.delete(canonical);
    }
  }

  get #maxUses(): number {
    return (this.#options as { maxUses: number }).maxUses;
  }

  /** Re-wraps a key blob through the provider (not cached: migrations call it once per blob). */
  async rekey(encryptedKeys: Uint8Array, context: KeyContext): Promise<DataKey> {
    const provider = this.provider;
    if (provider.rekey === undefined)
      throw new VaultConfigError(`key provider "${provider.name}" cannot rekey`);
    const valid = validateContext(context);
    return this.#providerCall("rekey", canonicalize(valid), () => provider.rekey!(encryptedKeys, valid));
  }

  /** The counters so far, a fresh snapshot on each call. */
  stats(): VaultStats {
    return this.#counters.stats(this.#encrypt?.size ?? 0, this.#decrypt?.size ?? 0);
  }

  /** Drops (and zeroes) keys past their age. Runs on a timer; call it to do so now. */
  purgeExpired(): void {
    this.#encrypt?.purgeStale();
    this.#decrypt?.purgeStale();
  }

  /** Zeroes and forgets every cached key and stops the sweep timer. The cache stays usable. */
  clear(): void {
    this.#encrypt?.clear();
    this.#decrypt?.clear();
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Starts the sweep of expired keys, once a key is about to be cached. */
  #sweep(): void {
    if (this.#sweeper !== undefined || this.#sweepEveryMs === undefined) return;
    this.#sweeper = setInterval(() => this.purgeExpired(), this.#sweepEveryMs);
    unref(this.#sweeper);
  }

  async #create(context: KeyContext, signal?: AbortSignal): Promise<Entry> {
    const dataKey = await this.#providerCall("createDataKey", canonicalize(context), () =>
      this.provider.createDataKey(context),
    );
    this.#sweep();
    const entry = toEntry(dataKey, dataKey.encryptedKeys);
    // What we encrypt now is usually read back soon (results of writes): remember its blob too.
    if (signal?.aborted !== true)
      this.#decrypt?.set(
        blobId(dataKey.encryptedKeys),
        toEntry({ ...dataKey, key: dataKey.key.slice() }, dataKey.encryptedKeys),
      );
    return entry;
  }

  async #open(encryptedKeys: Uint8Array, owner: string): Promise<Entry> {
    const dataKey = await this.#providerCall("decryptDataKey", owner, () =>
      this.provider.decryptDataKey(encryptedKeys),
    );
    this.#sweep();
    // A copy: the blob is usually a view into a whole envelope, which the cache must not keep alive
    // (a Buffer's slice() would be another view).
    return toEntry(dataKey, new Uint8Array(encryptedKeys));
  }

  /** One provider call for `owner` (a canonical context, or a blob id), through the limiter. */
  async #providerCall<T>(
    kind: "createDataKey" | "decryptDataKey" | "rekey",
    owner: string,
    call: () => Promise<T>,
  ): Promise<T> {
    return this.#limiter.run(owner, async () => {
      this.#counters.calls[kind]++;
      try {
        return await call();
      } catch (error) {
        this.#counters.calls.errors++;
        throw error;
      }
    });
  }
}

/** A key fetched for a cache cleared meanwhile (its fetch aborted) is dropped by lru-cache: zero it. */
const keptIf = (signal: AbortSignal) => (entry: Entry) => (signal.aborted && entry.key.fill(0), entry);

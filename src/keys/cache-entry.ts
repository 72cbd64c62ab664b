/** One entry of the {@link DataKeyCache}: a data key and its state, and how a key is used once. */
import type { DataKey, DecryptedDataKey } from "./provider.js";

/** What a decrypt-side fetch needs: the blob, and whose it is for fairness (see {@link Limiter}). */
export interface Miss {
  readonly blob: Uint8Array;
  readonly owner: string | undefined;
}

/** A cached data key: its bytes (zeroed when it leaves), its blob, the values it sealed, whether it is still cached. */
export interface Entry {
  readonly key: Uint8Array;
  readonly id: string;
  readonly encryptedKeys: Uint8Array;
  uses: number;
  live: boolean;
}

/** Uses a key of its own (no cache) for one value, then zeroes it. */
export function useOnce<T>(entry: Entry, use: (key: DataKey, uses: number) => T): T {
  try {
    return use(entry, 1);
  } finally {
    entry.key.fill(0);
  }
}

/** A provider's data key as a fresh cache entry. */
export function toEntry(key: DecryptedDataKey, encryptedKeys: Uint8Array): Entry {
  return { key: key.key, id: key.id, encryptedKeys, uses: 0, live: true };
}

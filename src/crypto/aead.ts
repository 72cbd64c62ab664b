/**
 * The AES-256-GCM backend contract: `node:crypto` (node-aead.ts, always there) and the optional native
 * batch addon (native-aead.ts, `prisma-vault-native`: one N-API call per batch, key schedule set once)
 * implement it; resolve-aead.ts picks one. Both take and give the same bytes; a value that does not
 * open is `null` with either, whatever the reason.
 */
import { VaultKeyProviderError } from "../errors.js";

export const AEAD_KEY_BYTES = 32;
export const AEAD_TAG_BYTES = 16;

/** One value to seal: a fresh IV, the UTF-8 text, the associated data (empty: none). */
export interface SealItem {
  readonly iv: Uint8Array;
  readonly text: string;
  readonly aad: Uint8Array;
}

export interface Sealed {
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

/** One value to open (an envelope's parts) and its associated data (empty: none). */
export interface OpenItem {
  readonly iv: Uint8Array;
  readonly tag: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly aad: Uint8Array;
}

/** Offsets per value in {@link OpenBatch.spans}. */
export const SPAN_WORDS = 6;

/**
 * A batch of values to open, laid out flat (no object per value): value `i`'s parts lie in `bytes` at
 * `spans[6i, 6i + 6)` = IV start and end (the 16-byte tag follows the IV), ciphertext start and end,
 * and its associated data in `aads` from start to end (equal: none).
 */
export interface OpenBatch {
  readonly bytes: Uint8Array;
  readonly aads: Uint8Array;
  readonly spans: Uint32Array;
}

/**
 * An AES-256-GCM backend over a batch of values under one key. `open` and `openBatch` give each
 * value's plaintext, or `null` where the tag does not verify or the plaintext is not UTF-8: never a
 * hint which. `openBatch` is the read path's form; `open` packs its items into one.
 *
 * @example
 * const aead = resolveAead("auto");
 * const [sealed] = aead.seal(key, [{ iv, text: "123-45-6789", aad }]);
 */
export interface AeadBackend {
  readonly name: "node" | "native";
  seal(key: Uint8Array, items: readonly SealItem[]): Sealed[];
  open(key: Uint8Array, items: readonly OpenItem[]): (string | null)[];
  openBatch(key: Uint8Array, batch: OpenBatch): (string | null)[];
}

export const AEAD_CHOICES = ["auto", "native", "node"] as const;
export type AeadChoice = (typeof AEAD_CHOICES)[number];

/** Precondition: a 32-byte data key (the same error with either backend). */
export function checkDataKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== AEAD_KEY_BYTES) {
    throw new VaultKeyProviderError(`a data key must be ${AEAD_KEY_BYTES} bytes`);
  }
}

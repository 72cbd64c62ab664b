/**
 * Seals `texts[i]` (UTF-8) under `key` (32 bytes) with the IV `ivs[12i, 12i + 12)` and the associated data
 * `aads[i]` (`null`: none). Each result is `ciphertext || tag`, the tag 16 bytes: views of one ArrayBuffer
 * for the whole batch (one allocation, not one per value).
 *
 * @example const [sealed] = seal(key, randomBytes(12), ["secret"], [null]);
 */
export function seal(
  key: Uint8Array,
  ivs: Uint8Array,
  texts: readonly string[],
  aads: readonly (Uint8Array | null)[],
): Uint8Array[];

/**
 * Opens each item under `key` with the associated data `aads[i]` (`null`: none): its UTF-8 plaintext, or
 * `null` where the tag does not verify or the plaintext is not well-formed UTF-8. IVs are 12 bytes (32 in
 * legacy envelopes), tags 16.
 *
 * @example const [text] = open(key, [{ iv, tag, ciphertext }], [null]);
 */
export function open(
  key: Uint8Array,
  items: readonly { readonly iv: Uint8Array; readonly tag: Uint8Array; readonly ciphertext: Uint8Array }[],
  aads: readonly (Uint8Array | null)[],
): (string | null)[];

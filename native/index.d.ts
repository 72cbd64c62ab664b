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
 * Opens a batch under `key` (32 bytes): value `i`'s parts lie in `bytes` at the six offsets
 * `spans[6i, 6i + 6)` = IV start and end (12 bytes, 32 in legacy envelopes; the 16-byte tag follows it),
 * ciphertext start and end, and its associated data in `aads` from start to end (equal: none). Gives each
 * value's UTF-8 plaintext, or `null` where the tag does not verify or the plaintext is not well-formed
 * UTF-8. Every span is checked before any value is opened.
 *
 * @example const [text] = open(key, envelopeBytes, aadBytes, Uint32Array.of(0, 12, 28, 33, 0, 0));
 */
export function open(
  key: Uint8Array,
  bytes: Uint8Array,
  aads: Uint8Array,
  spans: Uint32Array,
): (string | null)[];

/** Items to open laid out flat as one {@link OpenBatch}, the form both backends open. */
import { AEAD_TAG_BYTES, SPAN_WORDS, type OpenBatch, type OpenItem } from "./aead.js";

/**
 * `items` laid out as one {@link OpenBatch}: each IV and tag, ciphertext and associated data copied end
 * to end. Precondition: 12- or 32-byte IVs and 16-byte tags (else a RangeError, as the addon gives).
 */
export function packOpenItems(items: readonly OpenItem[]): OpenBatch {
  let size = 0;
  let aadSize = 0;
  for (const { iv, tag, ciphertext, aad } of items) {
    if (iv.length !== 12 && iv.length !== 32) throw new RangeError("an IV must be 12 or 32 bytes");
    if (tag.length !== AEAD_TAG_BYTES) throw new RangeError("a tag must be 16 bytes");
    size += iv.length + AEAD_TAG_BYTES + ciphertext.length;
    aadSize += aad.length;
  }
  const bytes = Buffer.allocUnsafe(size);
  const aads = Buffer.allocUnsafe(aadSize);
  const spans = new Uint32Array(items.length * SPAN_WORDS);
  let at = 0;
  let aadAt = 0;
  for (const [i, { iv, tag, ciphertext, aad }] of items.entries()) {
    const s = i * SPAN_WORDS;
    spans[s] = at;
    bytes.set(iv, at);
    spans[s + 1] = at += iv.length;
    bytes.set(tag, at);
    spans[s + 2] = at += AEAD_TAG_BYTES;
    bytes.set(ciphertext, at);
    spans[s + 3] = at += ciphertext.length;
    spans[s + 4] = aadAt;
    aads.set(aad, aadAt);
    spans[s + 5] = aadAt += aad.length;
  }
  return { bytes, aads, spans };
}

/** AES-256-GCM through `node:crypto`: the backend that is always there. */
import { createCipheriv, createDecipheriv } from "node:crypto";
import { AEAD_TAG_BYTES, checkDataKey, SPAN_WORDS, type AeadBackend } from "./aead.js";

/** AES-256-GCM through `node:crypto`, a cipher object per value. */
export const nodeAead: AeadBackend = {
  name: "node",
  seal(key, items) {
    checkDataKey(key);
    return items.map(({ iv, text, aad }) => {
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      if (aad.length > 0) cipher.setAAD(aad);
      const ciphertext = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
      return { ciphertext, tag: cipher.getAuthTag() };
    });
  },
  open(key, items) {
    checkDataKey(key);
    return items.map(({ iv, tag, ciphertext, aad }) => openOne(key, iv, tag, ciphertext, aad));
  },
  openBatch(key, { bytes, aads, spans }) {
    checkDataKey(key);
    const out = new Array<string | null>(spans.length / SPAN_WORDS);
    for (let i = 0, s = 0; i < out.length; i++, s += SPAN_WORDS) {
      const ivEnd = spans[s + 1] as number;
      out[i] = openOne(
        key,
        bytes.subarray(spans[s], ivEnd),
        bytes.subarray(ivEnd, ivEnd + AEAD_TAG_BYTES),
        bytes.subarray(spans[s + 2], spans[s + 3]),
        aads.subarray(spans[s + 4], spans[s + 5]),
      );
    }
    return out;
  },
};

function openOne(
  key: Uint8Array,
  iv: Uint8Array,
  tag: Uint8Array,
  ciphertext: Uint8Array,
  aad: Uint8Array,
): string | null {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: AEAD_TAG_BYTES });
    if (aad.length > 0) decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const head = decipher.update(ciphertext);
    // Precondition: the tag verifies (final() throws otherwise) before any plaintext is used.
    const tail = decipher.final();
    return utf8.decode(tail.length === 0 ? head : Buffer.concat([head, tail]));
  } catch {
    return null;
  }
}

/** Plaintexts are strict UTF-8 (not well-formed: the value does not open); a BOM is kept as text. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

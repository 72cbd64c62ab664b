/** Unwrapping a local ring's `PVK1` blob with the master key it names. */
import { createDecipheriv } from "node:crypto";
import { DATA_KEY_BYTES, TAG_BYTES } from "../format/envelope-sizes.js";
import type { ParsedBlob } from "../format/local-blob.js";
import { keyEncryptionKey } from "./key-encryption-key.js";

/**
 * The data key of `blob` unwrapped with `master`, or `undefined` when the wrap does not authenticate.
 *
 * @example const key = unwrapDataKey(master, parseBlob(encryptedKeys));
 */
export function unwrapDataKey(master: Uint8Array, blob: ParsedBlob): Uint8Array | undefined {
  const kek = keyEncryptionKey(master, blob.context);
  const pieces: Buffer[] = [];
  try {
    const decipher = createDecipheriv("aes-256-gcm", kek, blob.iv, { authTagLength: TAG_BYTES });
    kek.fill(0);
    decipher.setAAD(blob.header);
    decipher.setAuthTag(blob.tag);
    pieces.push(decipher.update(blob.wrapped));
    pieces.push(decipher.final());
    const key = new Uint8Array(DATA_KEY_BYTES);
    let at = 0;
    for (const piece of pieces) {
      if (at + piece.length > key.length) return undefined;
      key.set(piece, at);
      at += piece.length;
    }
    return at === key.length ? key : undefined;
  } catch {
    return undefined;
  } finally {
    // Every copy but the one returned: the key-encryption key and the decipher's output.
    kek.fill(0);
    for (const piece of pieces) piece.fill(0);
  }
}

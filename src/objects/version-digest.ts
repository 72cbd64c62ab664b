/**
 * What `listObjectVersions` says of each version without decrypting it, as SDK 10+ reads them: `etag`,
 * a digest of the stored envelope (it changes whenever the stored bytes do; it says nothing of the
 * value), and `size`, the value's length in UTF-8 bytes, which AES-GCM ciphertext keeps. Pure.
 */
import { createHash } from "node:crypto";
import { decodeEnvelope } from "../format/envelope.js";

/**
 * @example versionDigest(envelope) // { etag: "9f86d081884c7d659a2feaa0c55ad015", size: 11 }
 */
export function versionDigest(envelope: string): { etag: string; size: number } {
  const etag = createHash("sha256").update(envelope, "utf8").digest("hex").slice(0, 32);
  let size = 0;
  try {
    size = decodeEnvelope(envelope).ciphertext.length;
  } catch {
    // A stored value that is not an envelope has no value to measure; reading it fails as usual.
  }
  return { etag, size };
}

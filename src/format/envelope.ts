/**
 * The WorkOS Vault envelope, byte-compatible with `@workos-inc/node` `vault.encrypt` / `vault.decrypt`:
 *
 *   base64( IV[12] | TAG[16] | LEB128(len K) | K | CIPHERTEXT )
 *
 * AES-256-GCM under a 32-byte data key, `K` the key provider's encrypted data key (opaque bytes).
 * Pure and synchronous: the codec only (parts <-> text); sealing and opening with a key are
 * crypto/seal-envelope.ts and crypto/open-envelope.ts.
 */
import { decodeEnvelopes } from "./envelope-batch.js";
import { encodeLeb128 } from "./leb128.js";
import { TAG_BYTES } from "./envelope-sizes.js";

/** The parts of a decoded envelope. */
export interface Envelope {
  /** The AES-GCM nonce: 12 bytes, random per value. */
  readonly iv: Uint8Array;
  /** The AES-GCM authentication tag: 16 bytes. */
  readonly tag: Uint8Array;
  /** The key provider's encrypted data key (`K`). */
  readonly encryptedKeys: Uint8Array;
  /** The AES-256-GCM ciphertext of the UTF-8 plaintext, as long as it. */
  readonly ciphertext: Uint8Array;
}

/** Serializes envelope parts to the base64 text stored in the database. */
export function encodeEnvelope({ iv, tag, encryptedKeys, ciphertext }: Envelope): string {
  return Buffer.concat([iv, tag, encodeLeb128(encryptedKeys.length), encryptedKeys, ciphertext]).toString(
    "base64",
  );
}

/**
 * Parses stored text into envelope parts. Anything malformed is a `VAULT_ENVELOPE_INVALID` error:
 * not canonical padded base64, shorter than IV + tag + length, a LEB128 length over 5 bytes or past
 * the end, an empty key blob, or a key blob longer than the input.
 *
 * Envelopes from old SDKs (32-byte IV) are recognised by a WorkOS key blob in the legacy position.
 */
export function decodeEnvelope(text: string): Envelope {
  const batch = decodeEnvelopes(1, () => text);
  const invalid = batch.invalid[0];
  if (invalid !== undefined) throw invalid;
  const [start, ivEnd, blobStart, blobEnd, end] = batch.layout;
  const bytes = batch.bytes.subarray(start, end);
  const at = (offset: number | undefined) => (offset as number) - (start as number);
  return {
    iv: bytes.subarray(0, at(ivEnd)),
    tag: bytes.subarray(at(ivEnd), at(ivEnd) + TAG_BYTES),
    encryptedKeys: bytes.subarray(at(blobStart), at(blobEnd)),
    ciphertext: bytes.subarray(at(blobEnd)),
  };
}

/** True when `text` parses as an envelope (it says nothing of whether it decrypts). */
export function isEnvelope(text: unknown): text is string {
  if (typeof text !== "string") return false;
  try {
    decodeEnvelope(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The WorkOS Vault envelope, byte-compatible with `@workos-inc/node` `vault.encrypt` / `vault.decrypt`:
 *
 *   base64( IV[12] | TAG[16] | LEB128(len K) | K | CIPHERTEXT )
 *
 * AES-256-GCM under a 32-byte data key, `K` the key provider's encrypted data key (opaque bytes).
 * Pure and synchronous: no I/O, no key management.
 */
import { randomBytes } from "node:crypto";
import { nodeAead, type AeadBackend } from "../crypto/aead.js";
import { VaultDecryptError, VaultKeyProviderError } from "../errors.js";
import { decodeEnvelopes } from "./envelope-batch.js";
import { encodeLeb128 } from "./leb128.js";
import { DATA_KEY_BYTES, IV_BYTES, TAG_BYTES } from "./envelope-sizes.js";

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

/**
 * Encrypts `plaintext` (UTF-8) under `key` with a fresh random 96-bit IV and returns the envelope.
 * An empty `aad` means no associated data, as in the SDK.
 *
 * @example sealEnvelope(dataKey.key, dataKey.encryptedKeys, "123-45-6789", associatedData("User", "ssn", ctx))
 */
export function sealEnvelope(
  key: Uint8Array,
  encryptedKeys: Uint8Array,
  plaintext: string,
  aad: string | Uint8Array = "",
): string {
  return sealEnvelopes(nodeAead, key, encryptedKeys, [plaintext], [aadBytes(aad)])[0] as string;
}

/**
 * The envelopes of `texts` under one data key, `texts[i]` with the associated data `aads[i]` (empty:
 * none) and a fresh IV, sealed by one call of `aead`.
 *
 * @example sealEnvelopes(resolveAead("auto"), key, encryptedKeys, ["a", "b"], [aad, aad])
 */
export function sealEnvelopes(
  aead: AeadBackend,
  key: Uint8Array,
  encryptedKeys: Uint8Array,
  texts: readonly string[],
  aads: readonly Uint8Array[],
): string[] {
  // Precondition: a 32-byte data key and a non-empty key blob.
  checkKey(key);
  if (encryptedKeys.length === 0) throw new VaultKeyProviderError("the encrypted data key is empty");
  const ivs = freshIvs(texts.length);
  const sealed = aead.seal(
    key,
    texts.map((text, i) => ({ iv: ivs[i] as Buffer, text, aad: aads[i] as Uint8Array })),
  );
  return sealed.map(({ ciphertext, tag }, i) =>
    encodeEnvelope({ iv: ivs[i] as Buffer, tag, encryptedKeys, ciphertext }),
  );
}

/**
 * CSPRNG output is fetched a block at a time: one call costs about 6 µs however small, which was a
 * third of sealing a value. Every IV is a distinct slice of a fresh block, handed out once; a block is
 * never written again, so the slices stay valid.
 */
const IVS_PER_BLOCK = 256;
let ivBlock: Buffer = Buffer.alloc(0);
let ivOffset = 0;

/**
 * `count` fresh random 96-bit IVs, each handed out once (for a batch sealed by one backend call).
 *
 * @example const [iv] = freshIvs(1);
 */
export function freshIvs(count: number): Buffer[] {
  const ivs = new Array<Buffer>(count);
  for (let i = 0; i < count; i++) {
    if (ivOffset + IV_BYTES > ivBlock.length) {
      ivBlock = randomBytes(IV_BYTES * IVS_PER_BLOCK);
      ivOffset = 0;
    }
    ivs[i] = ivBlock.subarray(ivOffset, ivOffset + IV_BYTES);
    ivOffset += IV_BYTES;
  }
  return ivs;
}

/**
 * Decrypts an envelope with its data key. Any failure (wrong key, wrong AAD, modified bytes) is the
 * same opaque {@link VaultDecryptError}.
 *
 * @example openEnvelope(key, decodeEnvelope(stored), associatedData("User", "ssn", ctx))
 */
export function openEnvelope(key: Uint8Array, envelope: Envelope, aad: string | Uint8Array = ""): string {
  const [text] = openEnvelopes(nodeAead, key, [envelope], [aadBytes(aad)]);
  if (typeof text !== "string") throw new VaultDecryptError();
  return text;
}

/**
 * The plaintexts of envelopes under one data key, `envelopes[i]` with the associated data `aads[i]`
 * (empty: none), opened by one call of `aead`: `null` where a value does not open, never a hint why.
 *
 * @example openEnvelopes(resolveAead("auto"), key, [decodeEnvelope(stored)], [aad])
 */
export function openEnvelopes(
  aead: AeadBackend,
  key: Uint8Array,
  envelopes: readonly Envelope[],
  aads: readonly Uint8Array[],
): (string | null)[] {
  checkKey(key);
  return aead.open(
    key,
    envelopes.map(({ iv, tag, ciphertext }, i) => ({ iv, tag, ciphertext, aad: aads[i] as Uint8Array })),
  );
}

/** Associated data as bytes: a string is its UTF-8; bytes (computed once for a batch) as they are. */
function aadBytes(aad: string | Uint8Array): Uint8Array {
  return typeof aad === "string" ? Buffer.from(aad, "utf8") : aad;
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

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== DATA_KEY_BYTES) {
    throw new VaultKeyProviderError(`a data key must be ${DATA_KEY_BYTES} bytes`);
  }
}

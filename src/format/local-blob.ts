/**
 * Pure: the local key ring's `PVK1` key blob, self-describing so that decryption needs only the blob
 * and the master key it names:
 *
 *   "PVK1" | LEB128 len | master key id | LEB128 len | data key id | LEB128 len | canonical context
 *          | IV[12] | TAG[16] | wrapped data key[32]
 *
 * The header (everything before the IV) is the AES-GCM associated data of the wrap (keys/local.ts).
 */
import { VaultKeyRejectedError } from "../errors.js";
import { DATA_KEY_BYTES, IV_BYTES, TAG_BYTES } from "./envelope-sizes.js";
import { hasPrefix } from "./has-prefix.js";
import { decodeLeb128, encodeLeb128 } from "./leb128.js";

export const LOCAL_KEY_BLOB_MAGIC = new TextEncoder().encode("PVK1");

/**
 * The master key id a `PVK1` blob names, read without any key; `undefined` when the blob is not a
 * well-formed `PVK1` blob. For messages that name the missing key.
 *
 * @example localMasterKeyId(decodeEnvelope(stored).encryptedKeys) // "k1"
 */
export function localMasterKeyId(encryptedKeys: Uint8Array): string | undefined {
  try {
    return parseBlob(encryptedKeys).masterKeyId;
  } catch {
    return undefined;
  }
}

/**
 * The canonical key context a `PVK1` blob was wrapped for, read without any key; `undefined` when the
 * blob is not a well-formed `PVK1` blob. The header is the wrap's associated data, so a blob whose
 * context was edited does not unwrap.
 */
export function localBlobContext(encryptedKeys: Uint8Array): string | undefined {
  try {
    return parseBlob(encryptedKeys).context;
  } catch {
    return undefined;
  }
}

/**
 * The bytes of the canonical context a `PVK1` blob names, as a view into it (nothing decoded or
 * copied: this runs once per value read); `undefined` when the blob is not laid out as `PVK1`.
 */
export function localBlobContextBytes(encryptedKeys: Uint8Array): Uint8Array | undefined {
  if (!hasPrefix(encryptedKeys, LOCAL_KEY_BLOB_MAGIC)) return undefined;
  let offset = LOCAL_KEY_BLOB_MAGIC.length;
  let field: Uint8Array | undefined;
  for (let i = 0; i < 3; i++) {
    const length = decodeLeb128(encryptedKeys, offset);
    if (length === undefined || length.next + length.value > encryptedKeys.length) return undefined;
    field = encryptedKeys.subarray(length.next, length.next + length.value);
    offset = length.next + length.value;
  }
  return encryptedKeys.length === offset + IV_BYTES + TAG_BYTES + DATA_KEY_BYTES ? field : undefined;
}

export interface ParsedBlob {
  readonly header: Uint8Array;
  readonly masterKeyId: string;
  readonly dataKeyId: string;
  readonly context: string;
  readonly iv: Uint8Array;
  readonly tag: Uint8Array;
  readonly wrapped: Uint8Array;
}

/** The parts of a `PVK1` blob; `VaultKeyRejectedError` for anything malformed. */
export function parseBlob(bytes: Uint8Array): ParsedBlob {
  const malformed = () => new VaultKeyRejectedError("the encrypted data key is not a local (PVK1) key blob");
  if (!(bytes instanceof Uint8Array) || !hasPrefix(bytes, LOCAL_KEY_BLOB_MAGIC)) throw malformed();
  let offset = LOCAL_KEY_BLOB_MAGIC.length;
  const field = (): string => {
    const length = decodeLeb128(bytes, offset);
    if (length === undefined || length.next + length.value > bytes.length) throw malformed();
    offset = length.next + length.value;
    try {
      return strictUtf8.decode(bytes.subarray(length.next, offset));
    } catch {
      throw malformed();
    }
  };
  const masterKeyId = field();
  const dataKeyId = field();
  const context = field();
  if (bytes.length !== offset + IV_BYTES + TAG_BYTES + DATA_KEY_BYTES) throw malformed();
  return {
    header: bytes.subarray(0, offset),
    masterKeyId,
    dataKeyId,
    context,
    iv: bytes.subarray(offset, offset + IV_BYTES),
    tag: bytes.subarray(offset + IV_BYTES, offset + IV_BYTES + TAG_BYTES),
    wrapped: bytes.subarray(offset + IV_BYTES + TAG_BYTES),
  };
}

/** `text` as UTF-8 behind its LEB128 length: one header field. */
export function lengthPrefixed(text: string): Buffer {
  const bytes = Buffer.from(text, "utf8");
  return Buffer.concat([encodeLeb128(bytes.length), bytes]);
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

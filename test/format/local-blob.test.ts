import { describe, expect, it } from "vitest";
import { VaultKeyRejectedError } from "../../src/errors.js";
import {
  lengthPrefixed,
  LOCAL_KEY_BLOB_MAGIC,
  localBlobContext,
  localBlobContextBytes,
  localMasterKeyId,
  parseBlob,
} from "../../src/format/local-blob.js";
import { LocalKeyProvider } from "../../src/keys/local.js";

const provider = new LocalKeyProvider({ keys: [{ id: "k1", key: LocalKeyProvider.generateKey() }] });

describe("the PVK1 key blob", () => {
  it("names its master key, data key and canonical context, read without any key", async () => {
    const { encryptedKeys, id } = await provider.createDataKey({ b: "2", a: "1" });
    const blob = parseBlob(encryptedKeys);
    expect(blob).toMatchObject({ masterKeyId: "k1", dataKeyId: id, context: '{"a":"1","b":"2"}' });
    expect([blob.iv.length, blob.tag.length, blob.wrapped.length]).toEqual([12, 16, 32]);
    expect(localMasterKeyId(encryptedKeys)).toBe("k1");
    expect(localBlobContext(encryptedKeys)).toBe('{"a":"1","b":"2"}');
    expect(Buffer.from(localBlobContextBytes(encryptedKeys) ?? []).toString()).toBe('{"a":"1","b":"2"}');
  });

  it("a malformed blob is refused by parseBlob and unnamed by the readers", () => {
    const truncated = Buffer.concat([LOCAL_KEY_BLOB_MAGIC, lengthPrefixed("k1"), Buffer.from([0xff])]);
    for (const bytes of [
      new Uint8Array(),
      Buffer.from("PVK2"),
      truncated,
      Buffer.concat([truncated, Buffer.alloc(60)]),
    ]) {
      expect(() => parseBlob(bytes)).toThrow(VaultKeyRejectedError);
      expect(localMasterKeyId(bytes)).toBeUndefined();
      expect(localBlobContext(bytes)).toBeUndefined();
    }
  });

  it("lengthPrefixed is the UTF-8 bytes behind their LEB128 length", () => {
    expect([...lengthPrefixed("ü")]).toEqual([2, 0xc3, 0xbc]);
    expect(lengthPrefixed("x".repeat(200)).subarray(0, 2)).toEqual(Buffer.from([0xc8, 0x01]));
  });
});

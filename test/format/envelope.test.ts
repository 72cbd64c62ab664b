import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { associatedData } from "../../src/context/key-context.js";
import { decodeEnvelope, encodeEnvelope, isEnvelope } from "../../src/format/envelope.js";
import { openEnvelope } from "../../src/crypto/open-envelope.js";
import { sealEnvelope } from "../../src/crypto/seal-envelope.js";
import { VaultError } from "../../src/errors.js";

const key = randomBytes(32);
const blob = new TextEncoder().encode("WOS.EKM.v1\0some-key-blob");
const aad = associatedData("User", "ssn", { organizationId: "org_1" });

/** Made once by @workos-inc/node's SubtleCryptoProvider: key 01..20, IV 00..0b, blob "WOS.EKM.v1\0kat-blob". */
const KAT = {
  key: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
  aad: 'prisma-vault:v1|User.ssn|{"organizationId":"org_1"}',
  plaintext: "prisma-vault KAT ✓",
  envelope: "AAECAwQFBgcICQoLuCJ7vSD8GAmcPF2//+dbShNXT1MuRUtNLnYxAGthdC1ibG9iAUJo5KW8TH1uXt41RNO22Ql1IQY=",
};

/** The `vault.decrypt(...)` argument in the WorkOS docs (seeds/003): written by an SDK with a 32-byte IV. */
const DOCS_EXAMPLE =
  "J/HGPfUVMxY1GGvViE3MDe31fOU9BuIUja0/ekDOraRaA3v13YRnwLvDWbnSPjWjzgFXT1MuRUtNLnYxAGQ0ZWNkYjkwLTMwZmMtNTYwYS04MGM0LWExYWQ2N2IyYjUzYwEBMQEkMDIxOTlmM2EtMjE4NS00ODg4LTkzNzgtZTA0ODAxOGRkN2M1AXQwMjE5OWYzYS0yMTg1LTQ4ODgtOTM3OC1lMDQ4MDE4ZGQ3YzWdnLz+Zc8ySzyfZYOVKmuz2k3rNFa6MAihjl9+5u6fiXOjmavMBUcSg0wLFDxznK0UToroLyHDaPOnpN8MTlKO8lN1Qz4KSCpQWawThmSIZ2wwwiR1jY3AOo9P/YygzE5v";
/** The `decryptDataKey({ keys })` argument on the same docs page: a WorkOS blob of 206 bytes. */
const DOCS_KEYS =
  "V09TLkVLTS52MQBiZjUxY2NlYy03OGI0LTUyMDAtYjM4My0zNTczMGU3MWVmNjEBATEBJDU2OWYyNDdjLTFkY2QtNDQzMC04MjRmLWQ3N2MxZDNhZmU1NgF0NTY5ZjI0N2MtMWRjZC00NDMwLTgyNGYtZDc3YzFkM2FmZTU2pWvKMbiudRtpyjYexZCX/K9ggOEioUw2c0B62kEh+oj68uuAJQWNfPKTC+mapgJPxdnMKniKxzI7a6zmHgXTK7dSOmAzJBDhDgtEiaqyKTM=";

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof VaultError) return error.code;
    return `not a VaultError: ${String(error)}`;
  }
  return undefined;
}

describe("the envelope", () => {
  it("opens the known-answer vector made by the SDK's own crypto provider", () => {
    const parts = decodeEnvelope(KAT.envelope);
    expect([...parts.iv]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(Buffer.from(parts.encryptedKeys).toString("latin1")).toBe("WOS.EKM.v1\0kat-blob");
    expect(openEnvelope(KAT.key, parts, KAT.aad)).toBe(KAT.plaintext);
    expect(encodeEnvelope(parts)).toBe(KAT.envelope);
  });

  it("decodes the documented example into IV, tag, a WOS.EKM.v1 key blob of the right length, and ciphertext", () => {
    const parts = decodeEnvelope(DOCS_EXAMPLE);
    const keys = Buffer.from(parts.encryptedKeys);
    expect(parts.iv).toHaveLength(32); // the legacy layout; current SDKs write 12
    expect(parts.tag).toHaveLength(16);
    expect(keys.subarray(0, 11).toString("latin1")).toBe("WOS.EKM.v1\0");
    expect(keys).toHaveLength(Buffer.from(DOCS_KEYS, "base64").length); // 206, like the decryptDataKey example
    expect(parts.ciphertext).toHaveLength(17);
    expect(encodeEnvelope(parts)).toBe(DOCS_EXAMPLE);
  });

  it("writes the current layout: IV[12] | TAG[16] | LEB128(len K) | K | CIPHERTEXT", () => {
    const envelope = Buffer.from(sealEnvelope(key, blob, "hello", aad), "base64");
    expect(envelope[28]).toBe(blob.length);
    expect(envelope.subarray(29, 29 + blob.length)).toEqual(Buffer.from(blob));
    expect(envelope.length).toBe(12 + 16 + 1 + blob.length + Buffer.byteLength("hello"));
  });

  it("uses a fresh IV for every value", () => {
    const ivs = new Set(
      Array.from({ length: 1000 }, () =>
        Buffer.from(decodeEnvelope(sealEnvelope(key, blob, "same", aad)).iv).toString("hex"),
      ),
    );
    expect(ivs.size).toBe(1000);
  });

  it("round-trips arbitrary strings and associated data", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 200 }),
        fc.string({ unit: "grapheme", maxLength: 50 }),
        (text, extra) => {
          const envelope = sealEnvelope(key, blob, text, extra);
          expect(openEnvelope(key, decodeEnvelope(envelope), extra)).toBe(text);
        },
      ),
    );
  });

  describe("tampering never returns text", () => {
    const envelope = sealEnvelope(key, blob, "123-45-6789", aad);
    const bytes = Buffer.from(envelope, "base64");
    const attempt = (text: string, withKey = key, withAad = aad) =>
      codeOf(() => openEnvelope(withKey, decodeEnvelope(text), withAad));

    // The key blob K is authenticated by the key provider when it unwraps it, not by this GCM tag:
    // flips inside K and swapped blobs are tested through a provider in cipher.test.ts.
    const blobStart = 29;
    const blobEnd = blobStart + blob.length;

    it("flipping any bit outside the key blob fails with VAULT_DECRYPT_FAILED or VAULT_ENVELOPE_INVALID", () => {
      for (let i = 0; i < bytes.length; i++) {
        if (i >= blobStart && i < blobEnd) continue;
        for (const bit of [0x01, 0x80]) {
          const flipped = Buffer.from(bytes);
          flipped[i]! ^= bit;
          expect(["VAULT_DECRYPT_FAILED", "VAULT_ENVELOPE_INVALID"]).toContain(
            attempt(flipped.toString("base64")),
          );
        }
      }
    });

    it("truncating it anywhere fails", () => {
      for (let length = 0; length < bytes.length; length++) {
        const code = attempt(bytes.subarray(0, length).toString("base64"));
        expect(["VAULT_DECRYPT_FAILED", "VAULT_ENVELOPE_INVALID"]).toContain(code);
      }
    });

    it("a different key or AAD fails with VAULT_DECRYPT_FAILED", () => {
      expect(attempt(envelope, randomBytes(32))).toBe("VAULT_DECRYPT_FAILED");
      expect(attempt(envelope, key, associatedData("User", "email", { organizationId: "org_1" }))).toBe(
        "VAULT_DECRYPT_FAILED",
      );
      expect(attempt(envelope, key, associatedData("User", "ssn", { organizationId: "org_2" }))).toBe(
        "VAULT_DECRYPT_FAILED",
      );
      expect(attempt(envelope, key, "")).toBe("VAULT_DECRYPT_FAILED");
    });

    it("the decryption error says nothing of the value, key or ciphertext", () => {
      try {
        openEnvelope(randomBytes(32), decodeEnvelope(envelope), aad);
        expect.unreachable();
      } catch (error) {
        expect((error as Error).message).toBe("decryption failed");
        expect(JSON.stringify(error)).not.toContain(envelope.slice(0, 20));
      }
    });
  });

  describe("decoding rejects malformed input with VAULT_ENVELOPE_INVALID", () => {
    const header = Buffer.alloc(28);
    it.each([
      ["not base64", "not base64!"],
      ["base64 without padding", "AAAA" + "AAA"],
      ["empty", ""],
      ["shorter than IV + tag + length", header.subarray(0, 20).toString("base64")],
      [
        "a LEB128 length over 5 bytes",
        Buffer.concat([header, Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), Buffer.alloc(8)]).toString(
          "base64",
        ),
      ],
      ["a LEB128 length past the end", Buffer.concat([header, Buffer.from([0x80])]).toString("base64")],
      ["an empty key blob", Buffer.concat([header, Buffer.from([0x00]), Buffer.alloc(8)]).toString("base64")],
      [
        "a key blob longer than the input",
        Buffer.concat([header, Buffer.from([0x10]), Buffer.alloc(8)]).toString("base64"),
      ],
      ["a number", 42 as unknown as string],
    ])("%s", (_name, input) => {
      expect(codeOf(() => decodeEnvelope(input))).toBe("VAULT_ENVELOPE_INVALID");
      expect(isEnvelope(input)).toBe(false);
    });

    it("arbitrary bytes and strings only ever throw VaultError", () => {
      const onlyVaultErrors = (input: string) => {
        const code = codeOf(() => decodeEnvelope(input));
        expect(code === undefined || code === "VAULT_ENVELOPE_INVALID").toBe(true);
      };
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) =>
          onlyVaultErrors(Buffer.from(bytes).toString("base64")),
        ),
      );
      fc.assert(fc.property(fc.string({ maxLength: 300 }), onlyVaultErrors));
    });

    it("opening arbitrary well-formed envelopes only ever throws VAULT_DECRYPT_FAILED", () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 29, maxLength: 300 }), (bytes) => {
          const text = Buffer.from(bytes).toString("base64");
          if (!isEnvelope(text)) return;
          expect(codeOf(() => openEnvelope(key, decodeEnvelope(text), aad))).toBe("VAULT_DECRYPT_FAILED");
        }),
      );
    });
  });

  it("refuses to seal with a key that is not 32 bytes or an empty key blob", () => {
    expect(codeOf(() => sealEnvelope(randomBytes(16), blob, "x"))).toBe("VAULT_KEY_PROVIDER");
    expect(codeOf(() => sealEnvelope(key, new Uint8Array(), "x"))).toBe("VAULT_KEY_PROVIDER");
  });
});

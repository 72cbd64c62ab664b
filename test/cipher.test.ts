import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decrypt, encrypt, FieldCipher } from "../src/cipher.js";
import { associatedData } from "../src/context.js";
import { decodeEnvelope, encodeEnvelope } from "../src/envelope.js";
import { vaultFailure } from "./support/errors.js";
import { DataKeyCache } from "../src/keys/cache.js";
import { LocalKeyProvider } from "../src/keys/local.js";

const provider = new LocalKeyProvider({ keys: [{ id: "k1", key: randomBytes(32) }] });
const fields = new FieldCipher(new DataKeyCache(provider));
const testOrg = { organization_id: "test_org" };
const differentOrg = { organization_id: "different_org" };
const ssn = { model: "User", field: "ssn", context: testOrg, id: 42 };

describe("FieldCipher", () => {
  it("round-trips arbitrary strings under arbitrary contexts", async () => {
    const contexts = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 6 }),
      fc.string({ minLength: 1, maxLength: 6 }),
      {
        minKeys: 1,
        maxKeys: 10,
      },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 100 }), contexts, async (text, context) => {
        const ref = { model: "User", field: "notes", context };
        expect(await fields.decrypt(await fields.encrypt(text, ref), ref)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it("the seeds' critical check: a value sealed for test_org does not decrypt for different_org", async () => {
    const envelope = await fields.encrypt("123-45-6789", ssn);
    const error = await vaultFailure(fields.decrypt(envelope, { ...ssn, context: differentOrg }));
    expect(error.code).toBe("VAULT_DECRYPT_FAILED");
  });

  it("a ciphertext copied to another field or model is refused", async () => {
    const envelope = await fields.encrypt("123-45-6789", ssn);
    expect((await vaultFailure(fields.decrypt(envelope, { ...ssn, field: "email" }))).code).toBe(
      "VAULT_DECRYPT_FAILED",
    );
    expect((await vaultFailure(fields.decrypt(envelope, { ...ssn, model: "Admin" }))).code).toBe(
      "VAULT_DECRYPT_FAILED",
    );
  });

  it("flipping any single byte of a sealed envelope, key blob included, never returns text", async () => {
    const envelope = await fields.encrypt("123-45-6789", ssn);
    const bytes = Buffer.from(envelope, "base64");
    for (let i = 0; i < bytes.length; i++) {
      const flipped = Buffer.from(bytes);
      flipped[i]! ^= 0x01;
      const error = await vaultFailure(fields.decrypt(flipped.toString("base64"), ssn));
      expect(["VAULT_DECRYPT_FAILED", "VAULT_ENVELOPE_INVALID"]).toContain(error.code);
    }
  });

  it("truncating an envelope or swapping in another value's key blob never returns text", async () => {
    const envelope = await fields.encrypt("123-45-6789", ssn);
    const other = await new FieldCipher(new DataKeyCache(provider)).encrypt("x", ssn);
    const swapped = encodeEnvelope({
      ...decodeEnvelope(envelope),
      encryptedKeys: decodeEnvelope(other).encryptedKeys,
    });
    expect((await vaultFailure(fields.decrypt(swapped, ssn))).code).toBe("VAULT_DECRYPT_FAILED");
    const bytes = Buffer.from(envelope, "base64");
    for (const length of [0, 10, 28, 29, 40, bytes.length - 1]) {
      const error = await vaultFailure(fields.decrypt(bytes.subarray(0, length).toString("base64"), ssn));
      expect(["VAULT_DECRYPT_FAILED", "VAULT_ENVELOPE_INVALID"]).toContain(error.code);
    }
  });

  it("errors name model, field and primary key, and never the plaintext, key or ciphertext", async () => {
    const envelope = await fields.encrypt("123-45-6789", ssn);
    const error = await vaultFailure(fields.decrypt(envelope, { ...ssn, context: differentOrg }));
    expect(error).toMatchObject({ model: "User", field: "ssn", id: 42 });
    expect(error.message).toBe("User.ssn (id 42): decryption failed");
    const everything = JSON.stringify([error.message, String(error.stack), String(error.cause)]);
    expect(everything).not.toContain("123-45-6789");
    expect(everything).not.toContain(envelope.slice(0, 16));
  });

  it("a value that is not an envelope is VAULT_ENVELOPE_INVALID with its place", async () => {
    const error = await vaultFailure(fields.decrypt("123-45-6789", ssn));
    expect(error).toMatchObject({ code: "VAULT_ENVELOPE_INVALID", model: "User", field: "ssn", id: 42 });
    expect(error.message).not.toContain("123-45-6789");
  });

  it("an invalid context is VAULT_CONTEXT_INVALID with its place, before any key is made", async () => {
    const error = await vaultFailure(fields.encrypt("x", { ...ssn, context: { organization_id: "" } }));
    expect(error).toMatchObject({ code: "VAULT_CONTEXT_INVALID", model: "User", field: "ssn" });
  });

  it("aad overrides the associated data; an empty one means none", async () => {
    const none = { ...ssn, aad: "" };
    const envelope = await fields.encrypt("x", none);
    expect(await decrypt(provider, envelope)).toBe("x");
    expect((await vaultFailure(fields.decrypt(envelope, ssn))).code).toBe("VAULT_DECRYPT_FAILED");
  });

  it("refuses a non-string value", async () => {
    expect((await vaultFailure(fields.encrypt(42 as unknown as string, ssn))).code).toBe("VAULT_CONFIG");
  });
});

describe("standalone encrypt / decrypt", () => {
  it("round-trip with and without associated data, and FieldCipher reads what encrypt wrote", async () => {
    const aad = associatedData("User", "ssn", testOrg);
    expect(await decrypt(provider, await encrypt(provider, "plain", testOrg))).toBe("plain");
    const envelope = await encrypt(provider, "123-45-6789", testOrg, aad);
    expect(await decrypt(provider, envelope, aad)).toBe("123-45-6789");
    expect(await fields.decrypt(envelope, ssn)).toBe("123-45-6789");
  });

  it("a blob from a master key that is not in the ring does not decrypt", async () => {
    const envelope = await encrypt(provider, "x", testOrg);
    const stranger = new LocalKeyProvider({ keys: [{ id: "k9", key: randomBytes(32) }] });
    const error = await vaultFailure(decrypt(stranger, envelope));
    expect(error.code).toBe("VAULT_DECRYPT_FAILED");
    expect(String((error.cause as Error).message)).toContain('"k1"');
  });

  it("an invalid context is refused before the provider is called", async () => {
    expect((await vaultFailure(encrypt(provider, "x", {}))).code).toBe("VAULT_CONTEXT_INVALID");
  });
});

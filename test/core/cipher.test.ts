import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FieldCipher } from "../../src/core/cipher.js";
import { isOpened } from "../../src/core/opened.js";
import { blobId } from "../../src/format/blob-format.js";
import { decrypt, encrypt } from "../../src/core/standalone.js";
import { VaultConfigError, VaultKeyUnavailableError, type VaultError } from "../../src/errors.js";
import type { KeyProvider } from "../../src/keys/provider.js";
import { associatedData, validateContext } from "../../src/context/key-context.js";
import { decodeEnvelope, encodeEnvelope } from "../../src/format/envelope.js";
import { sealEnvelope } from "../../src/crypto/seal-envelope.js";
import { hasPrefix } from "../../src/format/has-prefix.js";
import { WORKOS_KEY_BLOB_MAGIC } from "../../src/format/workos-blob.js";
import { vaultFailure } from "../support/errors.js";
import { countingProvider } from "../support/counting-provider.js";
import { DataKeyCache } from "../../src/keys/cache.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { LOCAL_KEY_BLOB_MAGIC } from "../../src/format/local-blob.js";
import { openedAtOnce } from "../support/opened-at-once.js";

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
      // A flip in the blob's master key id names a key this ring does not hold: unavailable, not text.
      if (error.code === "VAULT_KEY_UNAVAILABLE")
        expect((error as VaultKeyUnavailableError).keyId).not.toBe("k1");
      else expect(["VAULT_DECRYPT_FAILED", "VAULT_ENVELOPE_INVALID"]).toContain(error.code);
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

  it("a value whose master key is not in the ring is VAULT_KEY_UNAVAILABLE with its place and key id", async () => {
    const envelope = await fields.encrypt("123-45-6789", ssn);
    const withoutK1 = new LocalKeyProvider({ keys: [{ id: "k2", key: randomBytes(32) }] });
    const error = await vaultFailure(new FieldCipher(new DataKeyCache(withoutK1)).decrypt(envelope, ssn));
    expect(error).toBeInstanceOf(VaultKeyUnavailableError);
    expect(error).toMatchObject({
      code: "VAULT_KEY_UNAVAILABLE",
      keyId: "k1",
      model: "User",
      field: "ssn",
      id: 42,
    });
    expect(error.message).toBe(
      'User.ssn (id 42): master key "k1" is not in the local key ring (it holds k2)',
    );
  });

  it("errors keep their class and details when the cipher adds the place", async () => {
    const unavailable = new VaultKeyUnavailableError("key kx is gone", { keyId: "kx" });
    const failing = (error: Error): KeyProvider => ({
      name: "failing",
      createDataKey: () => Promise.reject(error),
      decryptDataKey: () => Promise.reject(error),
    });
    const located = await vaultFailure(
      new FieldCipher(new DataKeyCache(failing(unavailable))).encrypt("x", ssn),
    );
    expect(located).toBeInstanceOf(VaultKeyUnavailableError);
    expect(located).toMatchObject({ keyId: "kx", model: "User", field: "ssn", id: 42 });
    const config = await vaultFailure(fields.encrypt(42 as unknown as string, ssn));
    expect(config).toBeInstanceOf(VaultConfigError);
    expect(config).toMatchObject({ model: "User", field: "ssn" });
  });

  it("one context's values under several data keys, interleaved, each open with its own key, one provider call per key", async () => {
    // Three data keys for one tenant (a key has one use here), then a batch whose rows share one
    // context object but not one blob, with values of another tenant and a bad one between them.
    const sealer = new FieldCipher(new DataKeyCache(provider, { maxUses: 1 }));
    const context = validateContext({ organization_id: "test_org" });
    const other = validateContext({ organization_id: "different_org" });
    const ref = (id: number, ctx = context) => ({ model: "User", field: "ssn", context: ctx, id });
    const texts = ["a", "b", "c"];
    const sealed = await Promise.all(texts.map((text, i) => sealer.encrypt(text, ref(i))));
    const foreign = await sealer.encrypt("x", ref(9, other));
    expect(new Set(sealed.map((e) => blobId(decodeEnvelope(e).encryptedKeys))).size).toBe(3);
    const counting = countingProvider(provider);
    const reader = new FieldCipher(new DataKeyCache(counting));
    const order = [0, 1, 2, 0, 2, 1, 0];
    const items = [
      ...order.map((k) => ({ text: sealed[k] as string, ref: ref(k) })),
      { text: foreign, ref: ref(9, other) },
      { text: "garbage", ref: ref(8) },
      { text: sealed[1] as string, ref: ref(1, other) },
    ];
    const batch = reader.openAll(items);
    await batch.ready;
    const outcomes = batch.opened.map((o) => (isOpened(o) ? o : (o?.error as VaultError).code));
    expect(outcomes).toEqual([
      ...order.map((k) => texts[k]),
      "x",
      "VAULT_ENVELOPE_INVALID",
      "VAULT_DECRYPT_FAILED",
    ]);
    expect(counting.calls()).toBe(4);
  });

  it("refuses a non-string value", async () => {
    expect((await vaultFailure(fields.encrypt(42 as unknown as string, ssn))).code).toBe("VAULT_CONFIG");
  });
});

describe("a key blob that names its context", () => {
  const bare = { model: "User", field: "ssn", context: testOrg, aad: "" };

  it("opens only in a row of that context, even without associated data", async () => {
    const stored = await fields.encrypt("123-45-6789", bare);
    expect(await fields.decrypt(stored, bare)).toBe("123-45-6789");
    const elsewhere = { ...bare, context: differentOrg, id: 7 };
    expect(await vaultFailure(fields.decrypt(stored, elsewhere))).toMatchObject({
      code: "VAULT_DECRYPT_FAILED",
      field: "ssn",
      id: 7,
    });
    // The cached path refuses it the same way, before any key is used.
    expect(() => openedAtOnce(fields, stored, elsewhere)).toThrow(/decryption failed/);
  });

  it("the same holds for the WorkOS-format blobs the key server issues around a PVK1 blob", async () => {
    const wrapping: KeyProvider = {
      name: "wrapping",
      createDataKey: async (context) => {
        const key = await provider.createDataKey(context);
        return { ...key, encryptedKeys: Buffer.concat([WORKOS_KEY_BLOB_MAGIC, key.encryptedKeys]) };
      },
      decryptDataKey: (blob) => provider.decryptDataKey(blob.subarray(WORKOS_KEY_BLOB_MAGIC.length)),
    };
    const cipher = new FieldCipher(new DataKeyCache(wrapping));
    const stored = await cipher.encrypt("123-45-6789", bare);
    expect(await cipher.decrypt(stored, bare)).toBe("123-45-6789");
    expect((await vaultFailure(cipher.decrypt(stored, { ...bare, context: differentOrg }))).code).toBe(
      "VAULT_DECRYPT_FAILED",
    );
  });
});

describe("which stored values are envelopes: the key blob's format, then its owner", () => {
  const knownFormat = (blob: Uint8Array) =>
    hasPrefix(blob, LOCAL_KEY_BLOB_MAGIC) || hasPrefix(blob, WORKOS_KEY_BLOB_MAGIC);
  const bytes = (minLength: number, maxLength: number) => fc.uint8Array({ minLength, maxLength });
  /** Base64 text that decodeEnvelope parses, whose key blob has no known format (API tokens do this). */
  const unknownFormat = fc
    .record({ iv: bytes(12, 12), tag: bytes(16, 16), encryptedKeys: bytes(1, 120), ciphertext: bytes(0, 60) })
    .map(encodeEnvelope)
    .filter((text) => !knownFormat(decodeEnvelope(text).encryptedKeys));
  /** An envelope whose key blob is WorkOS's format (`WOS.EKM.v1\0` and opaque bytes). */
  const workosEnvelope = (rest = randomBytes(80)) =>
    encodeEnvelope({
      iv: randomBytes(12),
      tag: randomBytes(16),
      encryptedKeys: Buffer.concat([WORKOS_KEY_BLOB_MAGIC, rest]),
      ciphertext: randomBytes(20),
    });

  it("a value that parses but whose key blob has no known format is VAULT_ENVELOPE_INVALID, and no key is asked for", async () => {
    const spy = countingProvider(provider);
    const spied = new FieldCipher(new DataKeyCache(spy));
    await fc.assert(
      fc.asyncProperty(unknownFormat, async (text) => {
        expect(() => decodeEnvelope(text)).not.toThrow();
        const error = await vaultFailure(spied.decrypt(text, ssn));
        expect(error).toMatchObject({ code: "VAULT_ENVELOPE_INVALID", model: "User", field: "ssn", id: 42 });
        expect(() => openedAtOnce(spied, text, ssn)).toThrow(
          expect.objectContaining({ code: "VAULT_ENVELOPE_INVALID" }) as Error,
        );
        expect((await vaultFailure(decrypt(spy, text))).code).toBe("VAULT_ENVELOPE_INVALID");
      }),
      { numRuns: 300 },
    );
    expect(spy.calls()).toBe(0);
  });

  it("an API token that happens to parse as an envelope is not one", async () => {
    const token = "MiZR3Ru7LbhoklQhy7ebpfMhCXU20XEEqLtStBNbdNKwZ87Zi6NauPjsbexm6QCW";
    expect(decodeEnvelope(token).encryptedKeys.length).toBeGreaterThan(0);
    const spy = countingProvider(provider);
    const error = await vaultFailure(new FieldCipher(new DataKeyCache(spy)).decrypt(token, ssn));
    expect(error.code).toBe("VAULT_ENVELOPE_INVALID");
    expect(error.message).not.toContain(token);
    expect(spy.calls()).toBe(0);
  });

  it("a WorkOS-format blob read through a local key ring is VAULT_KEY_UNAVAILABLE, and no key is asked for", async () => {
    const spy = countingProvider(provider);
    const envelope = workosEnvelope();
    const error = await vaultFailure(new FieldCipher(new DataKeyCache(spy)).decrypt(envelope, ssn));
    expect(error).toBeInstanceOf(VaultKeyUnavailableError);
    expect(error).toMatchObject({ code: "VAULT_KEY_UNAVAILABLE", model: "User", field: "ssn", id: 42 });
    expect(error.message).toMatch(/WorkOS Vault's .*key provider "counting local" does not open/);
    const standalone = await vaultFailure(decrypt(spy, envelope));
    expect(standalone).toBeInstanceOf(VaultKeyUnavailableError);
    expect(spy.calls()).toBe(0);
  });

  it("a provider's recognizes adds a blob format of its own", async () => {
    const kms = {
      name: "kms",
      recognizes: (blob: Uint8Array) => blob[0] === 0x4b,
      createDataKey: () => Promise.reject(new Error("unused")),
      decryptDataKey: () => Promise.resolve({ key: new Uint8Array(32), id: "kms-key" }),
    };
    const blob = Buffer.from("K-kms-blob");
    const envelope = sealEnvelope(new Uint8Array(32), blob, "from kms", "");
    expect(await decrypt(kms, envelope)).toBe("from kms");
    expect(await new FieldCipher(new DataKeyCache(kms)).decrypt(envelope, { ...ssn, aad: "" })).toBe(
      "from kms",
    );
    // A format it does not claim is still a known one: unavailable, not plaintext.
    expect((await vaultFailure(decrypt(kms, workosEnvelope()))).code).toBe("VAULT_KEY_UNAVAILABLE");
  });

  it("a provider without recognizes makes every parseable value an envelope and is asked for its key", async () => {
    const blind = countingProvider(provider, { withoutRecognizes: true });
    const text = fc.sample(unknownFormat, 1)[0]!;
    const error = await vaultFailure(new FieldCipher(new DataKeyCache(blind)).decrypt(text, ssn));
    expect(error.code).toBe("VAULT_DECRYPT_FAILED");
    expect(blind.calls()).toBe(1);
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

  it("a blob from a master key that is not in the ring is VAULT_KEY_UNAVAILABLE naming it; a wrong key under its id does not decrypt", async () => {
    const envelope = await encrypt(provider, "x", testOrg);
    const stranger = new LocalKeyProvider({ keys: [{ id: "k9", key: randomBytes(32) }] });
    const missing = await vaultFailure(decrypt(stranger, envelope));
    expect(missing).toBeInstanceOf(VaultKeyUnavailableError);
    expect(missing).toMatchObject({ code: "VAULT_KEY_UNAVAILABLE", keyId: "k1" });
    expect(missing.message).toContain('master key "k1" is not in the local key ring');
    const impostor = new LocalKeyProvider({ keys: [{ id: "k1", key: randomBytes(32) }] });
    expect((await vaultFailure(decrypt(impostor, envelope))).code).toBe("VAULT_DECRYPT_FAILED");
  });

  it("an invalid context is refused before the provider is called", async () => {
    expect((await vaultFailure(encrypt(provider, "x", {}))).code).toBe("VAULT_CONTEXT_INVALID");
  });
});

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { VaultError } from "../../src/errors.js";
import { VaultKeyRejectedError, VaultKeyUnavailableError } from "../../src/errors.js";
import { FieldCipher } from "../../src/core/cipher.js";
import { DataKeyCache } from "../../src/keys/cache.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { localMasterKeyId } from "../../src/format/local-blob.js";
import { vaultFailure } from "../support/errors.js";

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const ctx = { organizationId: "org_1" };

describe("LocalKeyProvider", () => {
  it("creates a 32-byte data key whose PVK1 blob unwraps to the same key and id", async () => {
    const provider = new LocalKeyProvider({ keys: [{ id: "k1", key: k1 }] });
    const dataKey = await provider.createDataKey(ctx);
    expect(dataKey.key).toHaveLength(32);
    expect(provider.recognizes(dataKey.encryptedKeys)).toBe(true);
    expect(Buffer.from(dataKey.encryptedKeys).subarray(0, 4).toString()).toBe("PVK1");
    const opened = await provider.decryptDataKey(dataKey.encryptedKeys);
    expect(Buffer.from(opened.key)).toEqual(Buffer.from(dataKey.key));
    expect(opened.id).toBe(dataKey.id);
    expect(provider.describe(dataKey.encryptedKeys)).toEqual({
      masterKeyId: "k1",
      dataKeyId: dataKey.id,
      context: ctx,
    });
  });

  it("the blob never contains the data key or the master key", async () => {
    const provider = new LocalKeyProvider({ keys: [{ id: "k1", key: k1 }] });
    const dataKey = await provider.createDataKey(ctx);
    const blob = Buffer.from(dataKey.encryptedKeys);
    expect(blob.includes(Buffer.from(dataKey.key))).toBe(false);
    expect(blob.includes(k1)).toBe(false);
  });

  it("rotation: a new key in front wraps new data keys; the old one keeps decrypting; rekey re-wraps", async () => {
    const before = new LocalKeyProvider({ keys: [{ id: "k1", key: k1 }] });
    const old = await before.createDataKey(ctx);
    const after = new LocalKeyProvider({
      keys: [
        { id: "k2", key: k2 },
        { id: "k1", key: k1 },
      ],
    });
    expect(after.activeKeyId).toBe("k2");
    expect(after.describe((await after.createDataKey(ctx)).encryptedKeys).masterKeyId).toBe("k2");
    expect(Buffer.from((await after.decryptDataKey(old.encryptedKeys)).key)).toEqual(Buffer.from(old.key));
    const rekeyed = await after.rekey(old.encryptedKeys, ctx);
    expect(after.describe(rekeyed.encryptedKeys).masterKeyId).toBe("k2");
    expect(rekeyed.id).toBe(old.id);
    const onlyNew = new LocalKeyProvider({ keys: [{ id: "k2", key: k2 }] });
    expect(Buffer.from((await onlyNew.decryptDataKey(rekeyed.encryptedKeys)).key)).toEqual(
      Buffer.from(old.key),
    );
  });

  it("a blob whose master key is missing from the ring is VAULT_KEY_UNAVAILABLE naming the key id", async () => {
    const old = await new LocalKeyProvider({ keys: [{ id: "k1", key: k1 }] }).createDataKey(ctx);
    const ring = new LocalKeyProvider({ keys: [{ id: "k2", key: k2 }] });
    for (const attempt of [ring.decryptDataKey(old.encryptedKeys), ring.rekey(old.encryptedKeys, ctx)]) {
      const error = await vaultFailure(attempt);
      expect(error).toBeInstanceOf(VaultKeyUnavailableError);
      expect(error).toMatchObject({ code: "VAULT_KEY_UNAVAILABLE", keyId: "k1" });
      expect(error.message).toContain('master key "k1" is not in the local key ring');
    }
  });

  it("a blob under a different key with the same id is rejected (not unavailable), naming the key id", async () => {
    const old = await new LocalKeyProvider({ keys: [{ id: "k1", key: k1 }] }).createDataKey(ctx);
    const error = await vaultFailure(
      new LocalKeyProvider({ keys: [{ id: "k1", key: k2 }] }).decryptDataKey(old.encryptedKeys),
    );
    expect(error).toBeInstanceOf(VaultKeyRejectedError);
    expect(error.code).toBe("VAULT_KEY_PROVIDER");
    expect(error.message).toContain('"k1"');
    expect(error.message).not.toContain(k2.toString("base64"));
  });

  it("every single-byte change to a blob is refused, never a crash or a wrong key", async () => {
    const provider = new LocalKeyProvider({ keys: [{ id: "k1", key: k1 }] });
    const { encryptedKeys } = await provider.createDataKey(ctx);
    for (let i = 0; i < encryptedKeys.length; i++) {
      const changed = Uint8Array.from(encryptedKeys);
      changed[i]! ^= 0x01;
      const error = await vaultFailure(provider.decryptDataKey(changed));
      // A change to the master key id names a key the ring does not hold: unavailable, never a key.
      const named = localMasterKeyId(changed);
      if (named === undefined || named === "k1") expect(error).toBeInstanceOf(VaultKeyRejectedError);
      else expect(error).toMatchObject({ code: "VAULT_KEY_UNAVAILABLE", keyId: named });
    }
    expect(await vaultFailure(provider.decryptDataKey(encryptedKeys.subarray(0, 20)))).toBeInstanceOf(
      VaultKeyRejectedError,
    );
  });

  it("different contexts give different key-encryption keys: a blob's context cannot be rewritten", async () => {
    const provider = new LocalKeyProvider({ keys: [{ id: "k1", key: k1 }] });
    const { encryptedKeys } = await provider.createDataKey({ organizationId: "org_1" });
    const forged = Buffer.from(
      Buffer.from(encryptedKeys).toString("latin1").replace("org_1", "org_2"),
      "latin1",
    );
    expect(forged.equals(Buffer.from(encryptedKeys))).toBe(false);
    expect(await vaultFailure(provider.decryptDataKey(forged))).toBeInstanceOf(VaultKeyRejectedError);
  });

  describe("ownership (owns), for a KeyRouter", () => {
    it("a ring owns its own blobs; a foreign ring's PVK1 blob is not owned, even under the same master key id", async () => {
      const mine = new LocalKeyProvider({ keys: [{ id: "k1", key: k1 }] });
      const sameId = new LocalKeyProvider({ keys: [{ id: "k1", key: k2 }] });
      const otherId = new LocalKeyProvider({ keys: [{ id: "k2", key: k2 }] });
      const { encryptedKeys } = await mine.createDataKey(ctx);
      expect(mine.owns(encryptedKeys)).toBe(true);
      expect(sameId.owns(encryptedKeys)).toBe(false);
      expect(otherId.owns(encryptedKeys)).toBe(false);
      expect(mine.owns(Buffer.from("PVK1 not a blob"))).toBe(false);
      expect(mine.owns(new Uint8Array(0))).toBe(false);
      // recognizes is the format, so that a lone ring still reports a missing or wrong key precisely.
      expect([sameId.recognizes(encryptedKeys), otherId.recognizes(encryptedKeys)]).toEqual([true, true]);
    });

    it("a modified blob under a held id is not owned, and each verdict is kept for its blob", async () => {
      const provider = new LocalKeyProvider({ keys: [{ id: "k1", key: k1 }] });
      const { encryptedKeys } = await provider.createDataKey(ctx);
      const changed = Uint8Array.from(encryptedKeys);
      changed[changed.length - 1]! ^= 0x01;
      expect(provider.owns(changed)).toBe(false);
      expect(provider.owns(changed)).toBe(false);
      expect(provider.owns(Uint8Array.from(encryptedKeys))).toBe(true);
    });
  });

  describe("destroyed master keys (crypto-shredding)", () => {
    const kbKey = randomBytes(32);
    const before = new LocalKeyProvider({ keys: [{ id: "kb", key: kbKey }] });
    const after = () => new LocalKeyProvider({ keys: [{ id: "k1", key: k1 }], destroyedKeys: ["kb"] });

    it("a destroyed key's blob is owned by the ring and refused as a rejected key, naming the key as destroyed", async () => {
      const { encryptedKeys } = await before.createDataKey(ctx);
      const ring = after();
      expect(ring.owns(encryptedKeys)).toBe(true);
      for (const attempt of [ring.decryptDataKey(encryptedKeys), ring.rekey(encryptedKeys, ctx)]) {
        const error = await vaultFailure(attempt);
        expect(error).toBeInstanceOf(VaultKeyRejectedError);
        expect(error.message).toContain('master key "kb" was destroyed');
        expect(error.message).not.toContain(kbKey.toString("base64"));
      }
    });

    it("a value under a destroyed key reads as VAULT_DECRYPT_FAILED (null under a null policy); undeclared, VAULT_KEY_UNAVAILABLE", async () => {
      const ref = { model: "User", field: "ssn", context: ctx, id: 1 };
      const sealed = await new FieldCipher(new DataKeyCache(before)).encrypt("123-45-6789", ref);
      const shredded = new FieldCipher(new DataKeyCache(after()));
      expect((await vaultFailure(shredded.decrypt(sealed, ref))).code).toBe("VAULT_DECRYPT_FAILED");
      const missing = new FieldCipher(
        new DataKeyCache(new LocalKeyProvider({ keys: [{ id: "k1", key: k1 }] })),
      );
      expect(await vaultFailure(missing.decrypt(sealed, ref))).toMatchObject({
        code: "VAULT_KEY_UNAVAILABLE",
        keyId: "kb",
      });
    });

    it("refuses a destroyed id that is also in keys, a duplicate, a bad id or a non-array", () => {
      for (const [destroyedKeys, message] of [
        [["k1"], /"k1" is in both keys and destroyedKeys/],
        [["kb", "kb"], /"kb" appears twice in destroyedKeys/],
        [["k b"], /master key id is 1-64/],
        ["kb", /destroyedKeys must be an array/],
      ] as const) {
        expect(
          () =>
            new LocalKeyProvider({ keys: [{ id: "k1", key: k1 }], destroyedKeys: destroyedKeys as never }),
        ).toThrow(message);
      }
    });

    it("fromEnv reads PRISMA_VAULT_DESTROYED_KEYS", async () => {
      const { encryptedKeys } = await before.createDataKey(ctx);
      const ring = LocalKeyProvider.fromEnv({
        PRISMA_VAULT_KEYS: `k1:${k1.toString("base64")}`,
        PRISMA_VAULT_DESTROYED_KEYS: " kb , kc",
      });
      expect(ring.owns(encryptedKeys)).toBe(true);
      expect(await vaultFailure(ring.decryptDataKey(encryptedKeys))).toBeInstanceOf(VaultKeyRejectedError);
      expect(() =>
        LocalKeyProvider.fromEnv({
          PRISMA_VAULT_KEYS: `k1:${k1.toString("base64")}`,
          PRISMA_VAULT_DESTROYED_KEYS: "k1",
        }),
      ).toThrow(/in both keys and destroyedKeys/);
    });
  });

  describe("fromEnv", () => {
    it("reads id:base64 pairs, active first", () => {
      const provider = LocalKeyProvider.fromEnv({
        PRISMA_VAULT_KEYS: `k2:${k2.toString("base64")}, k1:${k1.toString("base64")}`,
      });
      expect(provider.activeKeyId).toBe("k2");
    });

    it.each([
      ["unset", {}, /PRISMA_VAULT_KEYS is not set/],
      ["without an id", { PRISMA_VAULT_KEYS: k1.toString("base64") }, /entry 1 is not "id:<base64>"/],
      [
        "a short key",
        { PRISMA_VAULT_KEYS: `k1:${randomBytes(16).toString("base64")}` },
        /"k1" must be 32 bytes/,
      ],
      ["not base64", { PRISMA_VAULT_KEYS: "k1:not base64!" }, /"k1" must be 32 bytes/],
      [
        "a duplicate id",
        { PRISMA_VAULT_KEYS: `k1:${k1.toString("base64")},k1:${k2.toString("base64")}` },
        /appears twice/,
      ],
      ["a bad id", { PRISMA_VAULT_KEYS: `k 1:${k1.toString("base64")}` }, /master key id/],
    ])("refuses %s with a VaultConfigError that shows no key", (_name, env, message) => {
      try {
        LocalKeyProvider.fromEnv(env);
        expect.unreachable();
      } catch (error) {
        expect((error as VaultError).code).toBe("VAULT_CONFIG");
        expect((error as Error).message).toMatch(message);
        expect((error as Error).message).not.toContain(k1.toString("base64"));
      }
    });
  });

  it("refuses an empty ring", () => {
    expect(() => new LocalKeyProvider({ keys: [] })).toThrow(/at least one master key/);
  });

  it("generateKey makes 32 random bytes in base64", () => {
    expect(Buffer.from(LocalKeyProvider.generateKey(), "base64")).toHaveLength(32);
    expect(LocalKeyProvider.generateKey()).not.toBe(LocalKeyProvider.generateKey());
  });
});

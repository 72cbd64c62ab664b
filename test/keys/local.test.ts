import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { VaultError } from "../../src/errors.js";
import { VaultKeyRejectedError, VaultKeyUnavailableError } from "../../src/errors.js";
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

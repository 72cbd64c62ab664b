import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { vaultCore } from "../../src/core/vault-core.js";
import { blindIndexOf } from "../../src/core/blind-index.js";
import { isOpened } from "../../src/core/opened.js";
import { decodeEnvelope } from "../../src/format/envelope.js";
import { DataKeyCache } from "../../src/keys/cache.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import type { KeyProvider } from "../../src/keys/provider.js";
import { blindIndexSpec } from "../../src/schema/blind-index-spec.js";
import type { EncryptedField } from "../../src/schema/model-schema.js";
import { thrownVaultError, vaultFailure } from "../support/errors.js";

const context = { organizationId: "org_1" };
const ref = { model: "User", field: "ssn", context, id: 1 };

/** A local ring that keeps the key buffers it hands out, to see them zeroed. */
function recording(keys = [{ id: "k1", key: randomBytes(32) }]) {
  const local = new LocalKeyProvider({ keys });
  const handedOut: Uint8Array[] = [];
  const keep = <T extends { key: Uint8Array }>(key: T): T => {
    handedOut.push(key.key);
    return key;
  };
  const provider: KeyProvider = {
    name: "recording",
    createDataKey: async (c) => keep(await local.createDataKey(c)),
    decryptDataKey: async (blob) => keep(await local.decryptDataKey(blob)),
    rekey: async (blob, c) => keep(await local.rekey(blob, c)),
    isCurrent: (blob) => local.isCurrent(blob),
    recognizes: (blob) => local.recognizes(blob),
  };
  return { provider, handedOut };
}
const zeroed = (key: Uint8Array) => key.every((byte) => byte === 0);

describe("VaultCore", () => {
  it("seals and opens a batch, in order, through one cache", async () => {
    const core = vaultCore(new DataKeyCache(recording().provider));
    const items = ["a", "b", "c"].map((text) => ({ text, ref }));
    const envelopes = await core.sealAll(items);
    const batch = core.openAll(envelopes.map((text) => ({ text, ref })));
    await batch.ready;
    expect(batch.opened).toEqual(["a", "b", "c"]);
    expect(await core.open(await core.seal("d", ref), ref)).toBe("d");
    expect(core.stats().provider.createDataKey).toBe(1);
  });

  it("sealKeyed tells the id of the data key, and the value opens under the same ref", async () => {
    const core = vaultCore(new DataKeyCache(recording().provider));
    const aadRef = { ...ref, aad: "object:1" };
    const { envelope, keyId } = await core.sealKeyed("v", aadRef);
    expect(keyId).toMatch(/./);
    expect(await core.open(envelope, aadRef)).toBe("v");
    expect((await vaultFailure(core.open(envelope, ref))).code).toBe("VAULT_DECRYPT_FAILED");
  });

  it("fits: an envelope longer than the column's capacity does not fit; an unbounded column takes any", () => {
    const core = vaultCore(new DataKeyCache(recording().provider));
    const field = { model: "User", name: "ssn", capacity: 10 } as EncryptedField;
    expect(core.fits(field, "x".repeat(10))).toBe(true);
    expect(core.fits(field, "x".repeat(11))).toBe(false);
    expect(core.fits({ ...field, capacity: undefined }, "x".repeat(10_000))).toBe(true);
  });

  it("blindIndex computes what the schema's index computes", () => {
    const core = vaultCore(new DataKeyCache(recording().provider));
    const spec = blindIndexSpec(randomBytes(32), { model: "User", field: "email", normalize: "email" });
    expect(core.blindIndex(spec, " A@x.io", context)).toBe(blindIndexOf(spec).compute("a@x.io"));
  });

  it("tells an owned envelope from plaintext, and re-wraps a blob under the current master key", async () => {
    const old = { id: "k1", key: randomBytes(32) };
    const before = vaultCore(new DataKeyCache(recording([old]).provider));
    const envelope = await before.seal("x", ref);
    expect(thrownVaultError(() => before.ownedEnvelope("plain text")).code).toBe("VAULT_ENVELOPE_INVALID");
    const blob = before.ownedEnvelope(envelope).encryptedKeys;
    expect(before.isCurrent(blob)).toBe(true);
    expect(before.admits(blob, context)).toBe(true);
    const { provider, handedOut } = recording([{ id: "k2", key: randomBytes(32) }, old]);
    const after = vaultCore(new DataKeyCache(provider));
    expect(after.isCurrent(blob)).toBe(false);
    const rewrapped = await after.rekey(blob, context);
    expect(after.isCurrent(rewrapped)).toBe(true);
    expect(handedOut.every(zeroed)).toBe(true);
    expect(decodeEnvelope(envelope).ciphertext).toBeDefined();
  });

  it("checkRekey refuses a provider that cannot re-wrap, naming it", () => {
    const { provider } = recording();
    const core = vaultCore(new DataKeyCache({ ...provider, rekey: undefined }));
    expect(thrownVaultError(() => core.checkRekey()).message).toMatch(/"recording" cannot rekey/);
  });

  it("withOwnKeys: a core over the same provider whose cache starts empty", async () => {
    const core = vaultCore(new DataKeyCache(recording().provider));
    await core.seal("x", ref);
    const own = core.withOwnKeys();
    expect(own.stats().encrypt.keys).toBe(0);
    await own.seal("y", ref);
    expect(own.stats().encrypt.keys).toBe(1);
    expect(own.provider.name).toBe("recording");
  });
});

describe("VaultCore.dispose", () => {
  it("zeroes and forgets every cached key; a second dispose is harmless", async () => {
    const { provider, handedOut } = recording();
    const core = vaultCore(new DataKeyCache(provider));
    const envelope = await core.seal("x", ref);
    await core.open(envelope, { ...ref });
    expect(handedOut.some((key) => !zeroed(key))).toBe(true);
    core.dispose();
    expect(handedOut.every(zeroed)).toBe(true);
    expect(core.stats().encrypt.keys + core.stats().decrypt.keys).toBe(0);
    core.dispose();
    expect(core.disposed).toBe(true);
  });

  it("after dispose, anything that needs a data key fails with VaultConfigError and asks no provider", async () => {
    const { provider, handedOut } = recording();
    const core = vaultCore(new DataKeyCache(provider));
    const envelope = await core.seal("x", ref);
    core.dispose();
    const calls = core.stats().provider;
    const closed = /prisma\.\$vault\.close\(\) released/;
    expect(thrownVaultError(() => core.sealAll([{ text: "x", ref }])).message).toMatch(closed);
    expect(thrownVaultError(() => core.openAll([{ text: envelope, ref }])).code).toBe("VAULT_CONFIG");
    expect((await vaultFailure(core.seal("x", ref))).code).toBe("VAULT_CONFIG");
    expect((await vaultFailure(core.open(envelope, ref))).code).toBe("VAULT_CONFIG");
    expect((await vaultFailure(core.sealKeyed("x", ref))).code).toBe("VAULT_CONFIG");
    expect((await vaultFailure(core.rekey(new Uint8Array(8), context))).code).toBe("VAULT_CONFIG");
    expect(core.stats().provider).toEqual(calls);
    expect(handedOut.every(zeroed)).toBe(true);
  });

  it("a key that arrives after dispose (asked for before it) is zeroed, not kept", async () => {
    const { provider, handedOut } = recording();
    const other = vaultCore(new DataKeyCache(provider));
    const envelope = await other.seal("y", ref);
    other.dispose();
    const core = vaultCore(new DataKeyCache(provider));
    const sealing = core.sealAll([{ text: "x", ref }]);
    const opening = core.openAll([{ text: envelope, ref }]);
    expect(sealing).toBeInstanceOf(Promise);
    expect(opening.ready).toBeDefined();
    core.dispose();
    // In flight when the keys were released: the seal fails as a closed client's does, the value
    // does not open, and no key is left behind.
    expect((await vaultFailure(Promise.resolve(sealing))).code).toBe("VAULT_CONFIG");
    await opening.ready;
    expect(opening.opened.some(isOpened)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(handedOut.every(zeroed)).toBe(true);
    expect(core.stats().encrypt.keys + core.stats().decrypt.keys).toBe(0);
  });
});

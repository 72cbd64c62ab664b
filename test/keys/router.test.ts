import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { KeyContext } from "../../src/context/key-context.js";
import { FieldCipher } from "../../src/core/cipher.js";
import { VaultKeyProviderError, VaultKeyUnavailableError } from "../../src/errors.js";
import { WORKOS_KEY_BLOB_MAGIC } from "../../src/format/workos-blob.js";
import { DataKeyCache } from "../../src/keys/cache.js";
import { LocalKeyProvider, type LocalKeyProviderOptions } from "../../src/keys/local.js";
import { guardProvider } from "../../src/keys/guard-provider.js";
import { type KeyProvider } from "../../src/keys/provider.js";
import { KeyRouter } from "../../src/keys/router.js";
import { thrownVaultError, vaultFailure } from "../support/errors.js";

/** A local ring that counts the key calls that reach it. */
class CountedRing extends LocalKeyProvider {
  calls = 0;
  constructor(options: LocalKeyProviderOptions) {
    super(options);
  }
  override createDataKey(context: KeyContext) {
    this.calls++;
    return super.createDataKey(context);
  }
  override decryptDataKey(blob: Uint8Array) {
    this.calls++;
    return super.decryptDataKey(blob);
  }
  override rekey(blob: Uint8Array, context: KeyContext) {
    this.calls++;
    return super.rekey(blob, context);
  }
}

// Both rings name their master key "k1": ownership must come from the key, not the id.
const ring = (key = randomBytes(32)) => new CountedRing({ keys: [{ id: "k1", key }] });
const orgA = { organizationId: "org_a" };
const orgB = { organizationId: "org_b" };
const orgC = { organizationId: "org_c" };
const byok = (context: KeyContext) => ["org_a", "org_b"].includes(context["organizationId"] ?? "");

function setup() {
  const fallback = ring();
  const tenants = ring();
  const router = new KeyRouter({ default: fallback, routes: [{ when: byok, provider: tenants }] });
  return { fallback, tenants, router };
}

describe("KeyRouter", () => {
  it("creates each context's data key with the first matching route, else the default, counted at each", async () => {
    const { fallback, tenants, router } = setup();
    const a = await router.createDataKey(orgA);
    const b = await router.createDataKey(orgB);
    const c = await router.createDataKey(orgC);
    expect([
      tenants.owns(a.encryptedKeys),
      tenants.owns(b.encryptedKeys),
      tenants.owns(c.encryptedKeys),
    ]).toEqual([true, true, false]);
    expect([fallback.owns(a.encryptedKeys), fallback.owns(c.encryptedKeys)]).toEqual([false, true]);
    for (const dataKey of [a, b, c]) {
      const opened = await router.decryptDataKey(dataKey.encryptedKeys);
      expect(Buffer.from(opened.key)).toEqual(Buffer.from(dataKey.key));
      expect(opened.id).toBe(dataKey.id);
    }
    expect([tenants.calls, fallback.calls]).toEqual([4, 2]);
    expect(router.stats()).toEqual({
      local: { createDataKey: 1, decryptDataKey: 1, rekey: 0 },
      "local#2": { createDataKey: 2, decryptDataKey: 2, rekey: 0 },
    });
  });

  it("values of two tenants on their own ring and one on the default read back through the field cipher", async () => {
    const { fallback, tenants, router } = setup();
    const fields = new FieldCipher(new DataKeyCache(guardProvider(router)));
    const refs = [orgA, orgB, orgC].map((context, id) => ({ model: "User", field: "ssn", context, id }));
    const sealed = await Promise.all(refs.map((ref) => fields.encrypt(`ssn of ${ref.id}`, ref)));
    const reader = new FieldCipher(new DataKeyCache(guardProvider(router)));
    expect(await Promise.all(refs.map((ref, i) => reader.decrypt(sealed[i]!, ref)))).toEqual([
      "ssn of 0",
      "ssn of 1",
      "ssn of 2",
    ]);
    expect(router.stats()["local#2"]).toMatchObject({ createDataKey: 2, decryptDataKey: 2 });
    expect(router.stats()["local"]).toMatchObject({ createDataKey: 1, decryptDataKey: 1 });
    expect([tenants.calls, fallback.calls]).toEqual([4, 2]);
  });

  it("a blob no provider owns is VAULT_KEY_UNAVAILABLE without any provider call", async () => {
    const { fallback, tenants, router } = setup();
    const stranger = await ring().createDataKey(orgA);
    const otherId = await new LocalKeyProvider({ keys: [{ id: "k9", key: randomBytes(32) }] }).createDataKey(
      orgA,
    );
    const workosLike = Uint8Array.from([...WORKOS_KEY_BLOB_MAGIC, 1, 2, 3]);
    for (const blob of [stranger.encryptedKeys, otherId.encryptedKeys, workosLike]) {
      expect(router.recognizes(blob)).toBe(false);
      for (const attempt of [router.decryptDataKey(blob), router.rekey(blob, orgA)]) {
        const error = await vaultFailure(attempt);
        expect(error).toBeInstanceOf(VaultKeyUnavailableError);
        expect(error.message).toContain("no provider of the key router owns this key blob");
      }
    }
    expect(
      (await vaultFailure(router.decryptDataKey(otherId.encryptedKeys))) as VaultKeyUnavailableError,
    ).toMatchObject({ keyId: "k9" });
    expect([tenants.calls, fallback.calls]).toEqual([0, 0]);
    expect(Object.values(router.stats())).toEqual([
      { createDataKey: 0, decryptDataKey: 0, rekey: 0 },
      { createDataKey: 0, decryptDataKey: 0, rekey: 0 },
    ]);
  });

  it("a blob two providers claim is refused as a configuration fault, without any provider call", async () => {
    const key = randomBytes(32);
    const [one, two] = [ring(key), ring(key)];
    const router = new KeyRouter({ default: one, routes: [{ when: byok, provider: two }] });
    const { encryptedKeys } = await one.createDataKey(orgC);
    one.calls = 0;
    const error = await vaultFailure(router.decryptDataKey(encryptedKeys));
    expect(error).toBeInstanceOf(VaultKeyUnavailableError);
    expect(error.message).toContain('claimed by 2 providers ("local" and "local#2")');
    expect([one.calls, two.calls]).toEqual([0, 0]);
    expect(router.isCurrent(encryptedKeys)).toBe(false);
  });

  it("a provider listed twice is one provider: asked once, counted under one name", async () => {
    const { fallback } = setup();
    const router = new KeyRouter({ default: fallback, routes: [{ when: byok, provider: fallback }] });
    const { encryptedKeys } = await router.createDataKey(orgA);
    await router.decryptDataKey(encryptedKeys);
    expect(Object.keys(router.stats())).toEqual(["local"]);
  });

  it("decryptOnly providers open their blobs but never create data keys, and refuse to rekey them", async () => {
    const retired = ring();
    const old = await retired.createDataKey(orgA);
    retired.calls = 0;
    const { fallback, tenants } = setup();
    const router = new KeyRouter({
      default: fallback,
      routes: [{ when: byok, provider: tenants }],
      decryptOnly: [retired],
    });
    for (const context of [orgA, orgB, orgC]) await router.createDataKey(context);
    expect(Buffer.from((await router.decryptDataKey(old.encryptedKeys)).key)).toEqual(Buffer.from(old.key));
    const error = await vaultFailure(router.rekey(old.encryptedKeys, orgA));
    expect(error).toBeInstanceOf(VaultKeyProviderError);
    expect(error.message).toContain("a retired provider cannot rekey; use migrate rotate");
    expect(retired.calls).toBe(1);
    expect(router.stats()["local#3"]).toEqual({ createDataKey: 0, decryptDataKey: 1, rekey: 0 });
  });

  it("rekey is the owner's: the same data key re-wrapped by the same provider", async () => {
    const { tenants, router } = setup();
    const created = await router.createDataKey(orgA);
    const rekeyed = await router.rekey(created.encryptedKeys, orgA);
    expect(rekeyed.id).toBe(created.id);
    expect(Buffer.from(rekeyed.key)).toEqual(Buffer.from(created.key));
    expect(tenants.owns(rekeyed.encryptedKeys)).toBe(true);
    expect(router.isCurrent(rekeyed.encryptedKeys)).toBe(true);
    expect(router.stats()["local#2"]).toEqual({ createDataKey: 1, decryptDataKey: 0, rekey: 1 });
  });

  it("a route whose when() throws or returns a non-boolean fails as VAULT_KEY_PROVIDER naming its index, not the context", async () => {
    const { fallback } = setup();
    const router = new KeyRouter({
      default: fallback,
      routes: [
        { when: () => false, provider: fallback },
        {
          when: (context) => {
            throw new Error(`no tenant ${context["organizationId"]}`);
          },
          provider: fallback,
        },
      ],
    });
    const error = await vaultFailure(router.createDataKey({ organizationId: "org_secret" }));
    expect(error.code).toBe("VAULT_KEY_PROVIDER");
    expect(error.message).toContain("routes[1].when() threw");
    expect(error.message).not.toContain("org_secret");
    const truthy = new KeyRouter({
      default: fallback,
      routes: [{ when: ((context: KeyContext) => context["organizationId"]) as never, provider: fallback }],
    });
    expect((await vaultFailure(truthy.createDataKey(orgA))).message).toContain(
      "routes[0].when() returned a non-boolean",
    );
    expect(fallback.calls).toBe(0);
  });

  it("works on guarded providers, whose owns() the guard passes on", async () => {
    const one = ring();
    const two = ring();
    const router = new KeyRouter({
      default: guardProvider(one),
      routes: [{ when: byok, provider: guardProvider(two) }],
    });
    const { encryptedKeys } = await router.createDataKey(orgA);
    await router.decryptDataKey(encryptedKeys);
    expect([one.calls, two.calls]).toEqual([0, 2]);
  });

  describe("is validated at construction", () => {
    const local = ring();
    const withoutRecognizes: KeyProvider = {
      name: "kms",
      createDataKey: local.createDataKey.bind(local),
      decryptDataKey: local.decryptDataKey.bind(local),
    };
    it.each([
      ["no options", undefined, /needs options/],
      ["a default that is not a provider", { default: {}, routes: [] }, /default needs a non-empty name/],
      ["routes that are not an array", { default: local, routes: {} }, /routes must be an array/],
      ["a route without when", { default: local, routes: [{ provider: local }] }, /routes\[0\] needs a when/],
      [
        "a provider without recognizes",
        {
          default: local,
          routes: [
            { when: byok, provider: local },
            { when: byok, provider: withoutRecognizes },
          ],
        },
        /routes\[1\]\.provider \("kms"\) has no recognizes\(\)/,
      ],
      [
        "decryptOnly that is not an array",
        { default: local, routes: [], decryptOnly: local },
        /decryptOnly must be an array/,
      ],
      [
        "a decrypt-only provider that also makes keys",
        { default: local, routes: [], decryptOnly: [local] },
        /decryptOnly\[0\] is also the default or a route's provider/,
      ],
    ])("refuses %s with VAULT_CONFIG", (_name, options, message) => {
      const error = thrownVaultError(() => new KeyRouter(options as never));
      expect(error.code).toBe("VAULT_CONFIG");
      expect(error.message).toMatch(message);
    });

    it("accepts a provider of its own kind without owns(), taking recognizes() for ownership", async () => {
      const custom = { ...withoutRecognizes, recognizes: (blob: Uint8Array) => local.recognizes(blob) };
      const router = new KeyRouter({ default: custom, routes: [] });
      const { encryptedKeys } = await router.createDataKey(orgA);
      expect(router.recognizes(encryptedKeys)).toBe(true);
      expect(router.stats()).toEqual({ kms: { createDataKey: 1, decryptDataKey: 0, rekey: 0 } });
    });
  });
});

import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { FieldCipher } from "../../src/core/cipher.js";
import { decodeEnvelope } from "../../src/format/envelope.js";
import { DataKeyCache } from "../../src/keys/cache.js";
import { type CacheOptions } from "../../src/keys/cache-options.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import type { KeyProvider } from "../../src/keys/provider.js";
import { useKeyServerRig } from "../support/key-server.js";
import { openedAtOnce } from "../support/opened-at-once.js";

const ctx = { organizationId: "org_1" };
const ref = { model: "User", field: "ssn", context: ctx };

class FakeClock {
  time = 1_000;
  now = () => this.time;
}

describe("DataKeyCache, counted at the key server", () => {
  const rig = useKeyServerRig();
  const caches: DataKeyCache[] = [];
  const cipher = (options: CacheOptions | false = {}) => {
    const cache = new DataKeyCache(rig.provider, options);
    caches.push(cache);
    return new FieldCipher(cache);
  };
  afterEach(() => {
    caches.splice(0).forEach((cache) => cache.clear());
  });

  it("1,000 concurrent encrypts for one context cause exactly 1 createDataKey", async () => {
    const fields = cipher();
    const envelopes = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => fields.encrypt(`value ${i}`, ref)),
    );
    expect(rig.server.stats().dataKey).toBe(1);
    expect(new Set(envelopes).size).toBe(1000);
    expect(await fields.decrypt(envelopes[999]!, ref)).toBe("value 999");
  });

  it("1,000 decrypts of values sharing one blob cause exactly 1 decryptDataKey", async () => {
    const writer = cipher();
    const envelopes = await Promise.all(Array.from({ length: 1000 }, (_, i) => writer.encrypt(`v${i}`, ref)));
    rig.server.resetStats();
    const reader = cipher(); // cold: it has never seen this blob
    const texts = await Promise.all(envelopes.map((envelope) => reader.decrypt(envelope, ref)));
    expect(texts[500]).toBe("v500");
    expect(rig.server.stats().decrypt).toBe(1);
  });

  it("reading back what this cache just wrote costs no decryptDataKey call", async () => {
    const fields = cipher();
    const envelope = await fields.encrypt("fresh", ref);
    expect(await fields.decrypt(envelope, ref)).toBe("fresh");
    expect(rig.server.stats()).toMatchObject({ dataKey: 1, decrypt: 0 });
  });

  it("10,000 reads over 10 tenants cost at most 10 decryptDataKey calls cold and 0 warm", async () => {
    const writer = cipher();
    const rows = await Promise.all(
      Array.from({ length: 10_000 }, async (_, i) => {
        const context = { organizationId: `org_${i % 10}` };
        return { context, envelope: await writer.encrypt(`row ${i}`, { ...ref, context }) };
      }),
    );
    rig.server.resetStats();
    const reader = cipher();
    const read = () =>
      Promise.all(rows.map((row) => reader.decrypt(row.envelope, { ...ref, context: row.context })));
    expect((await read())[1234]).toBe("row 1234");
    expect(rig.server.stats().decrypt).toBeLessThanOrEqual(10);
    rig.server.resetStats();
    await read();
    expect(rig.server.stats().requests).toBe(0);
  });

  it("maxUses forces a new data key", async () => {
    const fields = cipher({ maxUses: 10 });
    for (let i = 0; i < 25; i++) await fields.encrypt("x", ref);
    expect(rig.server.stats().dataKey).toBe(3);
  });

  it("1,000 concurrent encrypts with maxUses 10 cause exactly 100 createDataKey, each key used 10 times", async () => {
    const fields = cipher({ maxUses: 10 });
    const envelopes = await Promise.all(Array.from({ length: 1000 }, (_, i) => fields.encrypt(`v${i}`, ref)));
    expect(rig.server.stats().dataKey).toBe(100);
    const perBlob = new Map<string, number>();
    for (const envelope of envelopes) {
      const blob = Buffer.from(decodeEnvelope(envelope).encryptedKeys).toString("base64");
      perBlob.set(blob, (perBlob.get(blob) ?? 0) + 1);
    }
    expect([...new Set(perBlob.values())]).toEqual([10]);
  });

  it("maxAge forces a new data key", async () => {
    const clock = new FakeClock();
    const fields = cipher({ maxAge: 60_000, clock });
    await fields.encrypt("x", ref);
    clock.time += 59_999;
    await fields.encrypt("x", ref);
    expect(rig.server.stats().dataKey).toBe(1);
    clock.time += 2;
    await fields.encrypt("x", ref);
    expect(rig.server.stats().dataKey).toBe(2);
  });

  it("ttl expires decrypted keys; max bounds them in LRU order", async () => {
    const clock = new FakeClock();
    const envelopes = await Promise.all(
      ["org_a", "org_b", "org_c"].map((organizationId) =>
        cipher().encrypt("x", { ...ref, context: { organizationId } }),
      ),
    );
    const refs = ["org_a", "org_b", "org_c"].map((organizationId) => ({
      ...ref,
      context: { organizationId },
    }));
    rig.server.resetStats();
    const reader = cipher({ ttl: 1_000, max: 2, clock });
    await reader.decrypt(envelopes[0]!, refs[0]!);
    await reader.decrypt(envelopes[0]!, refs[0]!);
    expect(rig.server.stats().decrypt).toBe(1);
    clock.time += 1_001;
    await reader.decrypt(envelopes[0]!, refs[0]!);
    expect(rig.server.stats().decrypt).toBe(2);
    await reader.decrypt(envelopes[1]!, refs[1]!);
    await reader.decrypt(envelopes[2]!, refs[2]!); // evicts org_a, the least recently used
    await reader.decrypt(envelopes[0]!, refs[0]!);
    expect(rig.server.stats().decrypt).toBe(5);
  });

  it("openAll opens a value at once when its key is cached, and waits only to fetch one; expiry respected", async () => {
    const clock = new FakeClock();
    const envelope = await cipher().encrypt("sync", ref);
    rig.server.resetStats();
    const reader = cipher({ ttl: 1_000, clock });
    const cold = reader.openAll([{ text: envelope, ref }]);
    expect(cold.ready).toBeInstanceOf(Promise); // cold: the key is fetched
    expect(cold.opened[0]).toBeUndefined();
    await cold.ready;
    expect(cold.opened[0]).toBe("sync");
    expect(openedAtOnce(reader, envelope, ref)).toBe("sync");
    expect(reader.keys.stats().decrypt).toMatchObject({ hits: 1, misses: 1 });
    expect(rig.server.stats().decrypt).toBe(1);
    clock.time += 1_001;
    expect(openedAtOnce(reader, envelope, ref)).toBeUndefined(); // expired: never a stale key
    expect(await reader.decrypt(envelope, ref)).toBe("sync"); // shares the fetch that just started
    expect(rig.server.stats().decrypt).toBe(2);
    expect(openedAtOnce(cipher(false), envelope, ref)).toBeUndefined();
  });

  it("sealAll seals at once with a cached key, counting its uses toward maxUses and maxAge", async () => {
    const clock = new FakeClock();
    const fields = cipher({ maxUses: 3, maxAge: 1_000, clock });
    const making = fields.sealAll([{ text: "a", ref }]);
    expect(making).toBeInstanceOf(Promise); // no key yet: one is made
    const [first] = await making;
    const sealed = [fields.sealAll([{ text: "b", ref }]), fields.sealAll([{ text: "c", ref }])];
    expect(sealed.every((batch) => Array.isArray(batch))).toBe(true);
    expect(rig.server.stats().dataKey).toBe(1);
    const spent = fields.sealAll([{ text: "d", ref }]);
    expect(spent).toBeInstanceOf(Promise); // 3 uses: the key is spent
    const blobs = [first, ...sealed.map((batch) => (batch as string[])[0])].map((e) =>
      Buffer.from(decodeEnvelope(e as string).encryptedKeys).toString("hex"),
    );
    expect(new Set(blobs).size).toBe(1);
    expect(await fields.decrypt((sealed[1] as string[])[0] as string, ref)).toBe("c");
    await spent;
    expect(rig.server.stats().dataKey).toBe(2);
    clock.time += 1_001;
    const aged = fields.sealAll([{ text: "f", ref }]);
    expect(aged).toBeInstanceOf(Promise); // past maxAge
    await aged;
    const uncached = cipher(false).sealAll([{ text: "g", ref }]);
    expect(uncached).toBeInstanceOf(Promise);
    await uncached;
    expect(() => fields.sealAll([{ text: "h", ref: { ...ref, context: {} } }])).toThrow(
      expect.objectContaining({ code: "VAULT_CONTEXT_INVALID", model: "User", field: "ssn" }) as Error,
    );
  });

  it("a batch larger than a key's remaining uses takes a new key for the rest", async () => {
    const fields = cipher({ maxUses: 3 });
    const envelopes = await fields.sealAll(Array.from({ length: 7 }, (_, i) => ({ text: `v${i}`, ref })));
    expect(rig.server.stats().dataKey).toBe(3);
    const blobs = envelopes.map((e) => Buffer.from(decodeEnvelope(e).encryptedKeys).toString("hex"));
    expect(blobs.filter((blob) => blob === blobs[0])).toHaveLength(3);
    expect(new Set(blobs).size).toBe(3);
    const { opened, ready } = fields.openAll(envelopes.map((text) => ({ text, ref })));
    await ready;
    expect(opened).toEqual(Array.from({ length: 7 }, (_, i) => `v${i}`));
  });

  it("openAll fails at once as decrypt does: wrong tenant, modified value, not an envelope", async () => {
    const fields = cipher();
    const envelope = await fields.encrypt("123-45-6789", { ...ref, id: 7 });
    const other = { ...ref, context: { organizationId: "org_2" }, id: 7 };
    expect(() => openedAtOnce(fields, envelope, other)).toThrow(
      expect.objectContaining({ code: "VAULT_DECRYPT_FAILED", model: "User", field: "ssn", id: 7 }) as Error,
    );
    const bytes = Buffer.from(envelope, "base64");
    bytes[bytes.length - 1]! ^= 1;
    expect(() => openedAtOnce(fields, bytes.toString("base64"), ref)).toThrow(
      expect.objectContaining({ code: "VAULT_DECRYPT_FAILED" }) as Error,
    );
    expect(() => openedAtOnce(fields, "123-45-6789", ref)).toThrow(
      expect.objectContaining({ code: "VAULT_ENVELOPE_INVALID", field: "ssn" }) as Error,
    );
  });

  it("cache: false calls the provider for every value", async () => {
    const fields = cipher(false);
    const envelopes = [];
    for (let i = 0; i < 5; i++) envelopes.push(await fields.encrypt(`x${i}`, ref));
    for (const envelope of envelopes) await fields.decrypt(envelope, ref);
    expect(rig.server.stats()).toMatchObject({ dataKey: 5, decrypt: 5 });
  });

  it("misses for distinct contexts run with bounded concurrency", async () => {
    rig.server.faults.setLatency(30);
    const fields = cipher({ concurrency: 3 });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        fields.encrypt("x", { ...ref, context: { organizationId: `o${i}` } }),
      ),
    );
    expect(rig.server.stats().dataKey).toBe(12);
    expect(rig.server.stats().peakConcurrency).toBe(3);
  });

  it("a failed provider call surfaces VAULT_KEY_PROVIDER and is not cached", async () => {
    rig.server.faults.failNext(1, 400);
    const fields = cipher();
    await expect(fields.encrypt("x", ref)).rejects.toMatchObject({
      code: "VAULT_KEY_PROVIDER",
      model: "User",
      field: "ssn",
    });
    expect(await fields.encrypt("x", ref)).toBeTypeOf("string");
    expect(rig.server.stats().dataKey).toBe(2);
    expect(caches[0]!.stats().provider).toMatchObject({ createDataKey: 2, errors: 1 });
  });

  it("counts hits, misses and provider calls", async () => {
    const fields = cipher();
    const envelope = await fields.encrypt("a", ref);
    await fields.encrypt("b", ref);
    await fields.decrypt(envelope, ref);
    expect(caches[0]!.stats()).toEqual({
      encrypt: { hits: 1, misses: 1, keys: 1 },
      decrypt: { hits: 1, misses: 0, keys: 1 },
      provider: { createDataKey: 1, decryptDataKey: 0, rekey: 0, errors: 0 },
    });
  });
});

describe("DataKeyCache key hygiene", () => {
  /** A local provider that keeps the key buffers it hands out, to see them zeroed. */
  function recordingProvider() {
    const local = new LocalKeyProvider({ keys: [{ id: "k", key: randomBytes(32) }] });
    const handedOut: Uint8Array[] = [];
    const provider: KeyProvider = {
      name: "recording",
      createDataKey: async (context) => {
        const key = await local.createDataKey(context);
        handedOut.push(key.key);
        return key;
      },
      decryptDataKey: async (blob) => {
        const key = await local.decryptDataKey(blob);
        handedOut.push(key.key);
        return key;
      },
    };
    return { provider, handedOut };
  }
  const zeroed = (key: Uint8Array) => key.every((byte) => byte === 0);

  it("key bytes are zeroed when evicted, expired or cleared", async () => {
    const { provider, handedOut } = recordingProvider();
    const clock = new FakeClock();
    const cache = new DataKeyCache(provider, { max: 1, maxAge: 1_000, clock });
    const fields = new FieldCipher(cache);
    await fields.encrypt("x", { ...ref, context: { organizationId: "a" } });
    expect(zeroed(handedOut[0]!)).toBe(false);
    await fields.encrypt("x", { ...ref, context: { organizationId: "b" } }); // evicts "a"
    expect(zeroed(handedOut[0]!)).toBe(true);
    clock.time += 1_001;
    cache.purgeExpired();
    expect(zeroed(handedOut[1]!)).toBe(true);
    await fields.encrypt("x", ref);
    cache.clear();
    expect(handedOut.every(zeroed)).toBe(true);
  });

  it("cache: false zeroes each key right after use", async () => {
    const { provider, handedOut } = recordingProvider();
    const fields = new FieldCipher(new DataKeyCache(provider, false));
    const envelope = await fields.encrypt("x", ref);
    expect(await fields.decrypt(envelope, ref)).toBe("x");
    expect(handedOut).toHaveLength(2);
    expect(handedOut.every(zeroed)).toBe(true);
  });

  it.each([
    [{ maxAge: 0 }, /cache.maxAge must be a whole number of milliseconds from 1/],
    [{ maxUses: -1 }, /cache.maxUses/],
    [{ max: 1.5 }, /cache.max must/],
    [{ ttl: Number.NaN }, /cache.ttl/],
    [{ concurrency: 0 }, /cache.concurrency/],
    [{ maxage: 5 }, /unknown option "maxage"/],
    [{ clock: {} }, /clock must have a now/],
  ])("refuses bad options %o when constructed", (options, message) => {
    const { provider } = recordingProvider();
    expect(() => new DataKeyCache(provider, options as CacheOptions)).toThrow(message);
  });

  it("refuses a provider without the required methods", () => {
    expect(() => new DataKeyCache({ name: "x" } as KeyProvider)).toThrow(/has no createDataKey/);
  });
});

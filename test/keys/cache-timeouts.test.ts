import { afterEach, describe, expect, it, vi } from "vitest";
import { FieldCipher } from "../../src/core/cipher.js";
import { canonicalContext } from "../../src/context/key-context.js";
import { decodeEnvelope } from "../../src/format/envelope.js";
import { DataKeyCache } from "../../src/keys/cache.js";
import { type CacheOptions } from "../../src/keys/cache-options.js";
import { guardProvider } from "../../src/keys/guard-provider.js";
import { vaultFailure } from "../support/errors.js";
import { until } from "../support/until.js";
import { settled, stallingProvider, type StallingProvider } from "./stalling-provider.js";

const orgA = { organizationId: "org_a" };
const orgB = { organizationId: "org_b" };
const ref = (context: Record<string, string>) => ({ model: "User", field: "ssn", context });
/** The longest timeoutMs there is, far past the test's timeout: no call of the test reaches it. */
const FOREVER_MS = 600_000;
/** The guard's timers on a fake clock: a bound is checked by moving the clock to it, not by waiting. */
const fakeClock = () => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });

describe("DataKeyCache: time bound and fairness", () => {
  const rigs: StallingProvider[] = [];
  const caches: DataKeyCache[] = [];
  const rig = (options?: { blobPrefix?: string }) => {
    const made = stallingProvider(options);
    rigs.push(made);
    return made;
  };
  const cache = (...args: ConstructorParameters<typeof DataKeyCache>) => {
    const made = new DataKeyCache(...args);
    caches.push(made);
    return made;
  };
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(rigs.splice(0).map((r) => r.release()));
    caches.splice(0).forEach((c) => c.clear());
  });

  /** `count` values of `context`, each sealed under a data key of its own (so each is its own miss). */
  const sealed = async (keys: StallingProvider, context: Record<string, string>, count: number) => {
    const writer = new FieldCipher(cache(keys.provider, { maxUses: 1 }));
    return Promise.all(Array.from({ length: count }, (_, i) => writer.encrypt(`v${i}`, ref(context))));
  };

  it("new DataKeyCache(provider, cache, { timeoutMs }) bounds each provider call; the error names the field", async () => {
    const keys = rig();
    keys.stall(() => true);
    fakeClock();
    const fields = new FieldCipher(cache(keys.provider, {}, { timeoutMs: 200 }));
    const failing = vaultFailure(fields.encrypt("x", ref(orgA)));
    await until("the provider call stalled", () => keys.stalled() === 1);
    await vi.advanceTimersByTimeAsync(199);
    expect(await settled(failing)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(failing)).toBe(true);
    const error = await failing;
    expect(error).toMatchObject({ code: "VAULT_KEY_PROVIDER", model: "User", field: "ssn" });
    expect(error.message).toBe('User.ssn: key provider "stalling" timed out after 200 ms in createDataKey()');
    expect(caches[0]!.stats().provider).toMatchObject({ createDataKey: 1, errors: 1 });
  });

  it("timeoutMs is 10 seconds unless set, and applies with cache: false too", () => {
    const keys = rig();
    expect(cache(keys.provider).timeoutMs).toBe(10_000);
    expect(cache(keys.provider, false, { timeoutMs: 250 }).timeoutMs).toBe(250);
    // A provider guarded by the caller keeps its bound unless the cache is given one.
    expect(cache(guardProvider(keys.provider, { timeoutMs: 300 })).timeoutMs).toBe(300);
  });

  it("refuses a bad timeoutMs when constructed, naming it and its range", () => {
    for (const timeoutMs of [0, 600_001, 2.5]) {
      expect(() => cache(rig().provider, {}, { timeoutMs })).toThrow(
        "timeoutMs must be a whole number of milliseconds from 1 to 600000",
      );
    }
  });

  it("a tenant whose key calls hang does not block another tenant's misses", async () => {
    const keys = rig();
    const stuck = await sealed(keys, orgA, 8);
    const other = await sealed(keys, orgB, 8);
    keys.stall((canonical) => canonical === canonicalContext(orgA));
    // org_a's calls end only when released: were org_b's misses queued behind them, they would never
    // be answered, and the test would time out here.
    const reader = new FieldCipher(cache(keys.provider, {}, { timeoutMs: FOREVER_MS }));
    const hanging = stuck.map((envelope) => reader.decrypt(envelope, ref(orgA)));
    await until("half of the 8 slots taken by org_a", () => keys.stalled() === 4);
    const texts = await Promise.all(other.map((envelope) => reader.decrypt(envelope, ref(orgB))));
    await reader.encrypt("new", ref(orgB));
    expect(texts).toEqual(other.map((_, i) => `v${i}`));
    expect(await settled(Promise.race(hanging))).toBe(false);
    await keys.release();
    expect(await Promise.all(hanging)).toEqual(stuck.map((_, i) => `v${i}`));
  });

  it("decrypt misses of blobs that name no context are grouped by the context the caller gives", async () => {
    const keys = rig({ blobPrefix: "OPQ1" });
    const stuck = await sealed(keys, orgA, 8);
    const other = await sealed(keys, orgB, 4);
    const blob = (envelope: string) => decodeEnvelope(envelope).encryptedKeys;
    // Only the provider could tell these blobs' tenants apart; it stalls them all until org_a's are stuck.
    keys.stall(() => true);
    // As above: org_b's misses queued behind org_a's stalled calls would time the test out.
    const c = cache(keys.provider, {}, { timeoutMs: FOREVER_MS });
    const hanging = stuck.map((envelope) =>
      Promise.resolve(c.withDecryptionKey(blob(envelope), () => "a", orgA)),
    );
    await until("half of the 8 slots taken by org_a", () => keys.stalled() === 4);
    keys.stall(() => false);
    expect(
      await Promise.all(
        other.map((envelope) => Promise.resolve(c.withDecryptionKey(blob(envelope), () => "b", orgB))),
      ),
    ).toEqual(["b", "b", "b", "b"]);
    expect(await settled(Promise.race(hanging))).toBe(false);
    await keys.release();
    expect(await Promise.all(hanging)).toEqual(Array(8).fill("a"));
  });

  it("past `concurrency` timed-out calls still running, misses fail at once until they return", async () => {
    const keys = rig();
    keys.stall(() => true);
    fakeClock();
    const c = cache(keys.provider, { concurrency: 2 } satisfies CacheOptions, { timeoutMs: 50 });
    const fields = new FieldCipher(c);
    const timingOut = [orgA, orgB].map((context) => vaultFailure(fields.encrypt("x", ref(context))));
    await until("both calls stalled", () => keys.stalled() === 2);
    await vi.advanceTimersByTimeAsync(50);
    expect(await settled(Promise.all(timingOut))).toBe(true);
    // The clock stands still from here: a miss that waited for anything timed would not settle.
    const refusing = vaultFailure(fields.encrypt("x", ref({ organizationId: "org_c" })));
    expect(await settled(refusing)).toBe(true);
    const refused = await refusing;
    expect(refused.message).toBe(
      'User.ssn: key provider "stalling" has 2 requests that timed out and have not returned; createDataKey() was not called',
    );
    expect(keys.started()).toBe(2);
    await keys.release();
    expect(await fields.encrypt("x", ref(orgA))).toBeTypeOf("string");
    // The late answers were dropped, their keys zeroed; the cache holds only the new one.
    expect(keys.handedOut.slice(0, 2).every((key) => key.every((byte) => byte === 0))).toBe(true);
  });

  it("concurrent misses for one blob still share one provider call", async () => {
    const keys = rig();
    const [envelope] = await sealed(keys, orgA, 1);
    const before = keys.started();
    const reader = new FieldCipher(cache(keys.provider));
    const texts = await Promise.all(Array.from({ length: 500 }, () => reader.decrypt(envelope!, ref(orgA))));
    expect(new Set(texts)).toEqual(new Set(["v0"]));
    expect(keys.started() - before).toBe(1);
  });
});

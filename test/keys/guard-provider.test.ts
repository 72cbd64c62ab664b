import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  VaultConfigError,
  VaultError,
  VaultKeyRejectedError,
  VaultKeyUnavailableError,
} from "../../src/errors.js";
import { guardProvider } from "../../src/keys/guard-provider.js";
import { type KeyProvider } from "../../src/keys/provider.js";
import { vaultFailure } from "../support/errors.js";
import { settled, stallingProvider, type StallingProvider } from "./stalling-provider.js";

const failing = (error: Error): KeyProvider => ({
  name: "failing",
  createDataKey: () => Promise.reject(error),
  decryptDataKey: () => Promise.reject(error),
});

describe("guardProvider", () => {
  it("passes a missing key through as VAULT_KEY_UNAVAILABLE, the same error", async () => {
    const unavailable = new VaultKeyUnavailableError('master key "k1" is not configured', { keyId: "k1" });
    expect(await vaultFailure(guardProvider(failing(unavailable)).decryptDataKey(new Uint8Array(8)))).toBe(
      unavailable,
    );
  });

  it("passes a refused blob through, so the field can report it as a decryption failure", async () => {
    const rejected = new VaultKeyRejectedError("bad blob");
    expect(await vaultFailure(guardProvider(failing(rejected)).decryptDataKey(new Uint8Array(8)))).toBe(
      rejected,
    );
  });

  it("turns every other failure into VAULT_KEY_PROVIDER naming the provider and method", async () => {
    for (const thrown of [new Error("ECONNREFUSED"), new VaultError("VAULT_DECRYPT_FAILED", "no")]) {
      const error = await vaultFailure(guardProvider(failing(thrown)).decryptDataKey(new Uint8Array(8)));
      expect(error.code).toBe("VAULT_KEY_PROVIDER");
      expect(error.message).toBe('key provider "failing" failed in decryptDataKey()');
      expect(error.cause).toBe(thrown);
    }
  });
});

describe("guardProvider's time bound (timeoutMs)", () => {
  const ctx = { organizationId: "org_1" };
  const rigs: StallingProvider[] = [];
  const stalling = () => {
    const rig = stallingProvider();
    rigs.push(rig);
    rig.stall(() => true);
    return rig;
  };
  // The guard's timers run on a fake clock: a bound is checked by moving the clock to it, and "at once"
  // means with the clock standing still, whatever else the machine is doing.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(rigs.splice(0).map((rig) => rig.release()));
  });

  it("a call that takes longer than timeoutMs fails with VAULT_KEY_PROVIDER saying it timed out after N ms", async () => {
    const guarded = guardProvider(stalling().provider, { timeoutMs: 200 });
    const failing = vaultFailure(guarded.createDataKey(ctx));
    await vi.advanceTimersByTimeAsync(199);
    expect(await settled(failing)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(failing)).toBe(true);
    const error = await failing;
    expect(error.code).toBe("VAULT_KEY_PROVIDER");
    expect(error.message).toBe('key provider "stalling" timed out after 200 ms in createDataKey()');
  });

  it("the bound is 10 seconds unless set, and a call within it is answered", async () => {
    const rig = stallingProvider();
    rigs.push(rig);
    expect(guardProvider(rig.provider).timeoutMs).toBe(10_000);
    const key = await guardProvider(rig.provider, { timeoutMs: 200 }).createDataKey(ctx);
    expect(key.key).toHaveLength(32);
  });

  it("a timed-out call's late result is never used and its key bytes are zeroed", async () => {
    const rig = stalling();
    const guarded = guardProvider(rig.provider, { timeoutMs: 50 });
    const failing = vaultFailure(guarded.createDataKey(ctx));
    await vi.advanceTimersByTimeAsync(50);
    expect(await settled(failing)).toBe(true);
    expect((await failing).message).toMatch(/timed out after 50 ms/);
    await rig.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(rig.handedOut).toHaveLength(1);
    expect(rig.handedOut[0]!.every((byte) => byte === 0)).toBe(true);
  });

  it("while maxTimedOut timed-out calls have not returned, new calls fail at once; once they return, calls go through", async () => {
    const rig = stalling();
    const guarded = guardProvider(rig.provider, { timeoutMs: 50, maxTimedOut: 2 });
    const timingOut = [
      vaultFailure(guarded.createDataKey(ctx)),
      vaultFailure(guarded.decryptDataKey(new Uint8Array(8))),
    ];
    await vi.advanceTimersByTimeAsync(50);
    expect(await settled(Promise.all(timingOut))).toBe(true);
    expect(rig.started()).toBe(2);
    // The clock stands still from here: a call that waited for anything timed would not settle.
    const refused = vaultFailure(guarded.createDataKey(ctx));
    expect(await settled(refused)).toBe(true);
    expect((await refused).code).toBe("VAULT_KEY_PROVIDER");
    expect((await refused).message).toBe(
      'key provider "stalling" has 2 requests that timed out and have not returned; createDataKey() was not called',
    );
    expect(rig.started()).toBe(2);
    await rig.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await guarded.createDataKey(ctx)).key).toHaveLength(32);
  });

  it("guarding twice is harmless: without options the guard is kept, with other options the original is guarded anew", async () => {
    const rig = stalling();
    const once = guardProvider(rig.provider, { timeoutMs: 100 });
    expect(guardProvider(once)).toBe(once);
    expect(guardProvider(once, { timeoutMs: 100 })).toBe(once);
    const faster = guardProvider(once, { timeoutMs: 30 });
    expect(faster).not.toBe(once);
    expect(faster.timeoutMs).toBe(30);
    // One layer: the new bound applies, not the old one around it.
    const failing = vaultFailure(faster.createDataKey(ctx));
    await vi.advanceTimersByTimeAsync(30);
    expect(await settled(failing)).toBe(true);
    expect((await failing).message).toMatch(/after 30 ms/);
  });

  it.each([0, 1.5, -5, 600_001, Number.NaN, "100"])(
    "refuses timeoutMs %o naming the option and its range",
    (value) => {
      const rig = stallingProvider();
      expect(() => guardProvider(rig.provider, { timeoutMs: value as number })).toThrow(
        new VaultConfigError("timeoutMs must be a whole number of milliseconds from 1 to 600000"),
      );
    },
  );
});

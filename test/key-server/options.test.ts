import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { httpServerOptions, KEY_SERVER_TOKEN_ENV, readOptions } from "../../src/key-server/options.js";
import { KEYS_ENV, LocalKeyProvider } from "../../src/keys/local.js";
import { guardProvider } from "../../src/keys/guard-provider.js";
import { thrownVaultError } from "../support/errors.js";
import { registerSecrets } from "../support/secrets.js";

const masterKey = randomBytes(32);
const provider = new LocalKeyProvider({ keys: [{ id: "k1", key: masterKey }] });
const token = "sk_test_options_token";
registerSecrets(masterKey, token);

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("readOptions", () => {
  it("fills in the defaults: any free port on 127.0.0.1, no fault route, the stated timeouts", () => {
    vi.stubEnv(KEY_SERVER_TOKEN_ENV, undefined);
    const settings = readOptions({ provider });
    expect(settings).toMatchObject({
      port: 0,
      host: "127.0.0.1",
      token: undefined,
      httpFaults: false,
      timeouts: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 },
      idempotency: { ttlMs: 3_600_000, max: 10_000 },
    });
  });

  it("keeps what it is given", () => {
    const settings = readOptions({
      provider,
      port: 8080,
      host: "0.0.0.0",
      token,
      faults: true,
      headersTimeoutMs: 1,
      requestTimeoutMs: 1,
      keepAliveTimeoutMs: 3_600_000,
      idempotencyTtlMs: 86_400_000,
      idempotencyKeys: 1,
    });
    expect(settings).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      token,
      httpFaults: true,
      timeouts: { headersTimeoutMs: 1, requestTimeoutMs: 1, keepAliveTimeoutMs: 3_600_000 },
      idempotency: { ttlMs: 86_400_000, max: 1 },
    });
  });

  it("the token comes from PRISMA_VAULT_KEY_SERVER_TOKEN when not given; a given one wins, even empty", () => {
    vi.stubEnv(KEY_SERVER_TOKEN_ENV, token);
    expect(readOptions({ provider }).token).toBe(token);
    expect(readOptions({ provider, token: "sk_other" }).token).toBe("sk_other");
    expect(readOptions({ provider, token: "" }).token).toBe("");
  });

  it("the fault route is served only for faults: true, not for a truthy value", () => {
    for (const faults of [undefined, false, "true", 1]) {
      expect(readOptions({ provider, faults: faults as boolean }).httpFaults).toBe(false);
    }
  });

  it("the provider is guarded once: guarding the result again changes nothing", () => {
    const guarded = readOptions({ provider }).provider;
    expect(guarded).not.toBe(provider);
    expect(guarded).toMatchObject({ name: "local", timeoutMs: 10_000 });
    expect(guardProvider(guarded)).toBe(guarded);
  });

  it("without a provider, the key ring comes from PRISMA_VAULT_KEYS", async () => {
    vi.stubEnv(KEYS_ENV, `k1:${masterKey.toString("base64")}`);
    const fromEnv = readOptions({}).provider;
    const dataKey = await provider.createDataKey({ org: "o1" });
    expect(Buffer.from((await fromEnv.decryptDataKey(dataKey.encryptedKeys)).key)).toEqual(
      Buffer.from(dataKey.key),
    );
  });

  it("without a provider or PRISMA_VAULT_KEYS, it is VAULT_CONFIG naming the variable", () => {
    vi.stubEnv(KEYS_ENV, undefined);
    const error = thrownVaultError(() => readOptions({}));
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.message).toContain("PRISMA_VAULT_KEYS is not set");
  });

  it("a bad timeout is reported even when PRISMA_VAULT_KEYS is missing too", () => {
    vi.stubEnv(KEYS_ENV, undefined);
    expect(thrownVaultError(() => readOptions({ requestTimeoutMs: 0 })).message).toContain(
      "requestTimeoutMs must be a whole number of milliseconds, 1-3600000",
    );
  });

  it.each([
    ["headersTimeoutMs", 3_600_001],
    ["requestTimeoutMs", Number.POSITIVE_INFINITY],
    ["keepAliveTimeoutMs", "5000"],
    ["keepAliveTimeoutMs", 2.5],
  ])("refuses %s = %s, naming it and its range", (name, ms) => {
    const error = thrownVaultError(() => readOptions({ provider, token, [name]: ms }));
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.message).toBe(`key server: ${name} must be a whole number of milliseconds, 1-3600000`);
  });

  it.each([
    ["idempotencyTtlMs", 0, "a whole number of milliseconds, 1-86400000"],
    ["idempotencyTtlMs", 86_400_001, "a whole number of milliseconds, 1-86400000"],
    ["idempotencyTtlMs", 1.5, "a whole number of milliseconds, 1-86400000"],
    ["idempotencyKeys", 0, "a whole number of keys, 1-1000000"],
    ["idempotencyKeys", 1_000_001, "a whole number of keys, 1-1000000"],
    ["idempotencyKeys", "10", "a whole number of keys, 1-1000000"],
    ["idempotencyKeys", Number.NaN, "a whole number of keys, 1-1000000"],
  ])("refuses %s = %s, naming it and its range", (name, value, range) => {
    const error = thrownVaultError(() => readOptions({ provider, token, [name]: value }));
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.message).toBe(`key server: ${name} must be ${range}`);
  });

  it("headersTimeoutMs may equal requestTimeoutMs but not exceed it", () => {
    expect(
      readOptions({ provider, headersTimeoutMs: 500, requestTimeoutMs: 500 }).timeouts.headersTimeoutMs,
    ).toBe(500);
    const error = thrownVaultError(() => readOptions({ provider, headersTimeoutMs: 40_000 }));
    expect(error.message).toBe("key server: headersTimeoutMs must not exceed requestTimeoutMs");
  });

  it("leaves the options as they were", () => {
    const options = Object.freeze({ provider, token, faults: true, headersTimeoutMs: 100 });
    readOptions(options);
    expect(options).toEqual({ provider, token, faults: true, headersTimeoutMs: 100 });
  });
});

describe("httpServerOptions", () => {
  const timeouts = (headersTimeoutMs: number) => ({
    headersTimeoutMs,
    requestTimeoutMs: 60_000,
    keepAliveTimeoutMs: 5_000,
  });

  it("passes the three timeouts to node:http under its names", () => {
    expect(httpServerOptions(timeouts(10_000))).toEqual({
      headersTimeout: 10_000,
      requestTimeout: 60_000,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: 1000,
    });
  });

  it("sweeps connections four times per headers timeout, at most every second and at least every 10 ms", () => {
    const interval = (ms: number) => httpServerOptions(timeouts(ms)).connectionsCheckingInterval;
    expect(interval(4000)).toBe(1000);
    expect(interval(3999)).toBe(999);
    expect(interval(400)).toBe(100);
    expect(interval(41)).toBe(10);
    expect(interval(1)).toBe(10);
  });
});

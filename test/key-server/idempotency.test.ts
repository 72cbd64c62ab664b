/**
 * Idempotency keys on the key routes over HTTP: a repeated POST with one `Idempotency-Key` is answered
 * from the first, never run twice; keys are bound to their request and scoped per token; only final
 * answers are stored. The store's own rules (TTL on a clock, zeroing) are in idempotency-store.test.ts.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { VaultKeyProviderError } from "../../src/errors.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import type { KeyProvider } from "../../src/keys/provider.js";
import { startKeyServer, type KeyServer, type KeyServerOptions } from "../../src/key-server/server.js";
import { countingProvider, type CountingProvider } from "../support/counting-provider.js";
import { recordingKeys, sdkClient, TEST_TOKEN } from "../support/key-server.js";
import { registerSecrets } from "../support/secrets.js";
import { until } from "../support/until.js";
import { exchange, type Answer } from "./http.js";

const ctx = { organizationId: "org_1" };
const DATA_KEY = "/vault/v1/keys/data-key";
const DECRYPT = "/vault/v1/keys/decrypt";
const REKEY = "/vault/v1/keys/rekey";

const master = randomBytes(32);
registerSecrets(master);
const local = new LocalKeyProvider({ keys: [{ id: "k1", key: master }] });

/** A key server in front of a counting provider, closed after the file. */
function useServer(options: KeyServerOptions = {}, wrap: (provider: KeyProvider) => KeyProvider = (p) => p) {
  let server: KeyServer | undefined;
  const counted: CountingProvider = countingProvider(recordingKeys(local));
  beforeAll(async () => {
    server = await startKeyServer({ provider: wrap(counted), token: TEST_TOKEN, faults: true, ...options });
  });
  afterEach(() => {
    server?.faults.reset();
    server?.resetStats();
  });
  afterAll(() => server?.close());
  return {
    server: () => server as KeyServer,
    calls: () => counted.calls(),
  };
}

const keyed = (key: string, body: string, token?: string | null) => ({
  body,
  headers: { "Idempotency-Key": key },
  ...(token !== undefined && { token }),
});
const fresh = () => `key-${randomBytes(8).toString("hex")}`;

describe("Idempotency-Key on the key routes", () => {
  const { server, calls } = useServer();

  it("the same key and body twice: the second gets the first's answer (status, body, headers, a fresh X-Request-ID) and the provider is asked once, on each key route", async () => {
    const made = await exchange(server(), "POST", DATA_KEY, { body: JSON.stringify({ context: ctx }) });
    const blob = made.json["encrypted_keys"] as string;
    const bodies: Record<string, string> = {
      [DATA_KEY]: JSON.stringify({ context: ctx }),
      [DECRYPT]: JSON.stringify({ keys: blob }),
      [REKEY]: JSON.stringify({ context: { organizationId: "org_2" }, encrypted_keys: blob }),
    };
    for (const [path, body] of Object.entries(bodies)) {
      const key = fresh();
      const before = calls();
      const first = await exchange(server(), "POST", path, keyed(key, body));
      const second = await exchange(server(), "POST", path, keyed(key, body));
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(second.text).toBe(first.text);
      expect(headersBut(second, "x-request-id", "date")).toEqual(headersBut(first, "x-request-id", "date"));
      expect(second.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));
      expect(calls() - before).toBe(1);
    }
    // The route counters count requests, whatever answered them; replays are counted apart.
    expect(server().stats()).toMatchObject({ dataKey: 3, decrypt: 2, rekey: 2, replayed: 3 });
  });

  it("the same key for another body, path or method is 422 idempotency_key_reused, naming no part of the body", async () => {
    const key = fresh();
    const value = `org-${randomBytes(6).toString("hex")}`;
    expect(
      (await exchange(server(), "POST", DATA_KEY, keyed(key, JSON.stringify({ context: ctx })))).status,
    ).toBe(200);
    const before = calls();
    const otherBody = await exchange(
      server(),
      "POST",
      DATA_KEY,
      keyed(key, JSON.stringify({ context: { organizationId: value } })),
    );
    expect(otherBody.status).toBe(422);
    expect(otherBody.json).toEqual({
      message: "This Idempotency-Key was already used for a different request",
      code: "idempotency_key_reused",
    });
    expect(otherBody.text).not.toContain(value);
    // Bytes, not meaning: the same JSON spaced otherwise is another request.
    const spaced = await exchange(
      server(),
      "POST",
      DATA_KEY,
      keyed(key, JSON.stringify({ context: ctx }, null, 1)),
    );
    expect(spaced.status).toBe(422);
    const otherPath = await exchange(server(), "POST", REKEY, keyed(key, JSON.stringify({ context: ctx })));
    expect(otherPath.status).toBe(422);
    expect(calls()).toBe(before);
  });

  it("an answer below 500 is stored, a 4xx too: a refused decrypt retried gets the same 400 without asking the provider", async () => {
    const own = await local.createDataKey(ctx);
    const tampered = Buffer.from(own.encryptedKeys);
    tampered[tampered.length - 1]! ^= 1;
    const body = JSON.stringify({ keys: tampered.toString("base64") });
    const key = fresh();
    const before = calls();
    const first = await exchange(server(), "POST", DECRYPT, keyed(key, body));
    const second = await exchange(server(), "POST", DECRYPT, keyed(key, body));
    expect([first.status, second.status]).toEqual([400, 400]);
    expect(second.json).toEqual(first.json);
    expect(calls() - before).toBe(1);
    expect(server().stats().replayed).toBe(1);
  });

  it("an injected fault is not stored: after failNext and rateLimitNext, a retry with the same key runs", async () => {
    const key = fresh();
    const body = JSON.stringify({ context: ctx });
    server().faults.failNext(1, 503);
    expect((await exchange(server(), "POST", DATA_KEY, keyed(key, body))).status).toBe(503);
    server().faults.rateLimitNext(1, 0);
    expect((await exchange(server(), "POST", DATA_KEY, keyed(key, body))).status).toBe(429);
    const before = calls();
    const ran = await exchange(server(), "POST", DATA_KEY, keyed(key, body));
    expect(ran.status).toBe(200);
    expect(calls() - before).toBe(1);
    expect(server().stats()).toMatchObject({ faults: 2, replayed: 0 });
    // Only now is it remembered.
    expect((await exchange(server(), "POST", DATA_KEY, keyed(key, body))).text).toBe(ran.text);
  });

  it("without the header every request runs, as before", async () => {
    const body = JSON.stringify({ context: ctx });
    const before = calls();
    const first = await exchange(server(), "POST", DATA_KEY, { body });
    const second = await exchange(server(), "POST", DATA_KEY, { body });
    expect(first.json["data_key"]).not.toBe(second.json["data_key"]);
    expect(calls() - before).toBe(2);
    expect(server().stats().replayed).toBe(0);
  });

  it("an empty key or one over 255 characters is 400 invalid_idempotency_key, before the provider is asked; 255 passes", async () => {
    const body = JSON.stringify({ context: ctx });
    const before = calls();
    for (const key of ["", "k".repeat(256)]) {
      const refused = await exchange(server(), "POST", DATA_KEY, keyed(key, body));
      expect(refused.status).toBe(400);
      expect(refused.json).toEqual({
        message: "Idempotency-Key must be 1-255 characters",
        code: "invalid_idempotency_key",
      });
    }
    expect(calls()).toBe(before);
    expect((await exchange(server(), "POST", DATA_KEY, keyed("k".repeat(255), body))).status).toBe(200);
  });

  it("a 401, POST /_faults and GET /_stats are never remembered", async () => {
    const key = fresh();
    const body = JSON.stringify({ context: ctx });
    expect((await exchange(server(), "POST", DATA_KEY, keyed(key, body, "sk_wrong"))).status).toBe(401);
    const before = calls();
    expect((await exchange(server(), "POST", DATA_KEY, keyed(key, body))).status).toBe(200);
    expect(calls() - before).toBe(1);
    const faults = fresh();
    for (const fail of [1, 0])
      expect(
        (await exchange(server(), "POST", "/_faults", keyed(faults, JSON.stringify({ fail })))).status,
      ).toBe(200);
    // Had the second been answered from the first, a fault would still be planned.
    expect((await exchange(server(), "POST", DATA_KEY, { body })).status).toBe(200);
    expect(server().stats()).toMatchObject({ replayed: 0, faults: 0 });
  });

  it("with the real SDK: each call carries its own key, so two createDataKey calls make two data keys", async () => {
    const workos = sdkClient(server(), TEST_TOKEN);
    const before = calls();
    const [a, b] = [
      await workos.vault.createDataKey({ context: ctx }),
      await workos.vault.createDataKey({ context: ctx }),
    ];
    expect(a.dataKey.key).not.toBe(b.dataKey.key);
    expect(calls() - before).toBe(2);
    expect(server().stats().replayed).toBe(0);
  });
});

describe("Idempotency-Key scoped per bearer token (a server without a token: any sk_… passes)", () => {
  const { server, calls } = useServer({ token: "" });

  it("the same key under two tokens runs for each, and each token's retry gets its own answer", async () => {
    const key = fresh();
    const body = JSON.stringify({ context: ctx });
    const before = calls();
    const a = await exchange(server(), "POST", DATA_KEY, keyed(key, body, "sk_tenant_a"));
    const b = await exchange(server(), "POST", DATA_KEY, keyed(key, body, "sk_tenant_b"));
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.json["data_key"]).not.toBe(b.json["data_key"]);
    expect(calls() - before).toBe(2);
    expect((await exchange(server(), "POST", DATA_KEY, keyed(key, body, "sk_tenant_a"))).text).toBe(a.text);
    expect((await exchange(server(), "POST", DATA_KEY, keyed(key, body, "sk_tenant_b"))).text).toBe(b.text);
    expect(calls() - before).toBe(2);
  });
});

describe("Idempotency-Key and requests running at once", () => {
  let open: () => void = () => undefined;
  let gate = Promise.resolve();
  const { server, calls } = useServer({}, (provider) => ({
    ...provider,
    createDataKey: async (context) => {
      await gate;
      return provider.createDataKey(context);
    },
  }));

  it("10 concurrent requests with one key run once: all get the same data key", async () => {
    gate = new Promise((resolve) => (open = resolve));
    const key = fresh();
    const body = JSON.stringify({ context: ctx });
    const before = calls();
    const answers = Array.from({ length: 10 }, () => exchange(server(), "POST", DATA_KEY, keyed(key, body)));
    // All ten are in before the first may finish.
    await until("all ten requests received", () => server().stats().dataKey === 10);
    open();
    const settled: Answer[] = await Promise.all(answers);
    expect(new Set(settled.map((answer) => answer.text)).size).toBe(1);
    expect(settled[0]?.status).toBe(200);
    expect(calls() - before).toBe(1);
    expect(server().stats().replayed).toBe(9);
  });
});

describe("Idempotency-Key after a 5xx", () => {
  let failures = 0;
  const { server, calls } = useServer({}, (provider) => ({
    ...provider,
    createDataKey: (context) => {
      if (failures > 0) {
        failures--;
        return Promise.reject(new VaultKeyProviderError("the provider is unreachable", { transient: true }));
      }
      return provider.createDataKey(context);
    },
  }));

  it("a 503 from the provider's transient failure is not stored: the retry with the same key runs and succeeds", async () => {
    failures = 1;
    const key = fresh();
    const body = JSON.stringify({ context: ctx });
    const failed = await exchange(server(), "POST", DATA_KEY, keyed(key, body));
    expect(failed.status).toBe(503);
    expect(failed.json["code"]).toBe("key_provider_unavailable");
    const before = calls();
    const retried = await exchange(server(), "POST", DATA_KEY, keyed(key, body));
    expect(retried.status).toBe(200);
    expect(calls() - before).toBe(1);
    expect(server().stats().replayed).toBe(0);
  });
});

describe("idempotencyKeys bounds the keys remembered", () => {
  const { server, calls } = useServer({ idempotencyKeys: 2 });

  it("with idempotencyKeys: 2, a third key pushes out the least recently used, which then runs again", async () => {
    const body = JSON.stringify({ context: ctx });
    const [a, b, c] = [fresh(), fresh(), fresh()];
    for (const key of [a, b, c]) await exchange(server(), "POST", DATA_KEY, keyed(key, body));
    const before = calls();
    await exchange(server(), "POST", DATA_KEY, keyed(c, body));
    expect(calls()).toBe(before);
    await exchange(server(), "POST", DATA_KEY, keyed(a, body));
    expect(calls() - before).toBe(1);
  });
});

function headersBut(answer: Answer, ...names: string[]): Record<string, string> {
  return Object.fromEntries([...answer.headers].filter(([name]) => !names.includes(name)));
}

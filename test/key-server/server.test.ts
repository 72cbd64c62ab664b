import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encrypt } from "../../src/core/standalone.js";
import { WORKOS_KEY_BLOB_MAGIC } from "../../src/format/workos-blob.js";
import { VaultError } from "../../src/errors.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { WorkOSKeyProvider } from "../../src/keys/workos.js";
import { startKeyServer } from "../../src/key-server/server.js";
import { SDK_MAJOR, sdkClient, TEST_TOKEN, useKeyServerRig } from "../support/key-server.js";
import { get, post } from "./http.js";

const ctx = { organizationId: "org_1" };

describe("the key server", () => {
  const rig = useKeyServerRig();

  it("binds to 127.0.0.1 by default", () => {
    expect(rig.server.url).toBe(`http://127.0.0.1:${rig.server.port}`);
  });

  it("answers the data-key, decrypt and rekey routes with WorkOS's JSON field names", async () => {
    const created = await post(rig.server, "/vault/v1/keys/data-key", JSON.stringify({ context: ctx }));
    expect(created.status).toBe(200);
    expect(Object.keys(created.json).sort()).toEqual(["context", "data_key", "encrypted_keys", "id"]);
    expect(Buffer.from(created.json["data_key"] as string, "base64")).toHaveLength(32);
    const decrypted = await post(
      rig.server,
      "/vault/v1/keys/decrypt",
      JSON.stringify({ keys: created.json["encrypted_keys"] }),
    );
    expect(decrypted.json).toEqual({ data_key: created.json["data_key"], id: created.json["id"] });
    const rekeyed = await post(
      rig.server,
      "/vault/v1/keys/rekey",
      JSON.stringify({
        context: { organizationId: "org_2" },
        encrypted_keys: created.json["encrypted_keys"],
      }),
    );
    expect(rekeyed.json).toMatchObject({
      data_key: created.json["data_key"],
      id: created.json["id"],
      context: { organizationId: "org_2" },
    });
    expect(rig.server.stats()).toMatchObject({
      requests: 3,
      dataKey: 1,
      decrypt: 1,
      rekey: 1,
      statuses: { "200": 3 },
    });
  });

  it("issues key blobs in WorkOS's format (WOS.EKM.v1\\0 around the provider's blob), so WorkOSKeyProvider owns them", async () => {
    const created = await post(rig.server, "/vault/v1/keys/data-key", JSON.stringify({ context: ctx }));
    const blob = Buffer.from(created.json["encrypted_keys"] as string, "base64");
    expect(blob.subarray(0, WORKOS_KEY_BLOB_MAGIC.length)).toEqual(Buffer.from(WORKOS_KEY_BLOB_MAGIC));
    expect(rig.provider.recognizes(blob)).toBe(true);
    expect(rig.local.describe(blob.subarray(WORKOS_KEY_BLOB_MAGIC.length)).context).toEqual(ctx);
    const rekeyed = await post(
      rig.server,
      "/vault/v1/keys/rekey",
      JSON.stringify({ context: ctx, encrypted_keys: created.json["encrypted_keys"] }),
    );
    expect(rig.provider.recognizes(Buffer.from(rekeyed.json["encrypted_keys"] as string, "base64"))).toBe(
      true,
    );
  });

  it("still opens a bare provider blob, as issued before blobs were wrapped", async () => {
    const bare = await rig.local.createDataKey(ctx);
    const body = JSON.stringify({ keys: Buffer.from(bare.encryptedKeys).toString("base64") });
    const decrypted = await post(rig.server, "/vault/v1/keys/decrypt", body);
    expect(decrypted.status).toBe(200);
    expect(decrypted.json["data_key"]).toBe(Buffer.from(bare.key).toString("base64"));
  });

  it("a blob whose master key is not in its ring is 404 key_unavailable; a refused blob stays 400", async () => {
    const elsewhere = new LocalKeyProvider({ keys: [{ id: "elsewhere", key: randomBytes(32) }] });
    const foreign = await elsewhere.createDataKey(ctx);
    const keys = Buffer.from(foreign.encryptedKeys).toString("base64");
    const missing = await post(rig.server, "/vault/v1/keys/decrypt", JSON.stringify({ keys }));
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ code: "key_unavailable" });
    expect(missing.json["message"]).toContain('"elsewhere"');
    const rekey = await post(
      rig.server,
      "/vault/v1/keys/rekey",
      JSON.stringify({ context: ctx, encrypted_keys: keys }),
    );
    expect(rekey.status).toBe(404);
    const own = await rig.local.createDataKey(ctx);
    const tampered = Buffer.from(own.encryptedKeys);
    tampered[tampered.length - 1]! ^= 1;
    const refused = await post(
      rig.server,
      "/vault/v1/keys/decrypt",
      JSON.stringify({ keys: tampered.toString("base64") }),
    );
    expect(refused.status).toBe(400);
    expect(refused.json["code"]).toBe("invalid_keys");
  });

  it("401 without a bearer token, or with one that is not sk_…", async () => {
    const body = JSON.stringify({ context: ctx });
    expect((await post(rig.server, "/vault/v1/keys/data-key", body, null)).status).toBe(401);
    expect((await post(rig.server, "/vault/v1/keys/data-key", body, "pk_test")).status).toBe(401);
    expect((await post(rig.server, "/vault/v1/keys/data-key", body, "sk_")).status).toBe(401);
    expect(rig.server.stats().unauthorized).toBe(3);
  });

  it("a 401 is WorkOS-style JSON with a Bearer challenge, and does not echo the token", async () => {
    const refused = await post(rig.server, "/vault/v1/keys/decrypt", '{"keys":"AAAA"}', "pk_secret_guess");
    expect(refused.status).toBe(401);
    expect(refused.headers.get("content-type")).toBe("application/json");
    expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="prisma-vault"');
    expect(refused.headers.get("connection")).toBe("close");
    expect(refused.json).toEqual({ message: "Unauthorized", code: "unauthorized" });
    expect(refused.text).not.toContain("pk_secret_guess");
  });

  it("a request refused for its token counts as unauthorized (and in statuses), never under a route", async () => {
    await post(rig.server, "/vault/v1/keys/data-key", JSON.stringify({ context: ctx }), null);
    await post(rig.server, "/vault/v1/keys/decrypt", '{"keys":"AAAA"}', "pk_test");
    await post(rig.server, "/vault/v1/keys/rekey", "{}", "sk_");
    expect(rig.server.stats()).toEqual({
      requests: 3,
      dataKey: 0,
      decrypt: 0,
      rekey: 0,
      objects: 0,
      unauthorized: 3,
      faults: 0,
      replayed: 0,
      dropped: 0,
      peakConcurrency: 0,
      statuses: { "401": 3 },
    });
  });

  it("an authorized key request counts under its route whatever its answer; other paths under none", async () => {
    await post(rig.server, "/vault/v1/keys/data-key", "{nope");
    await post(rig.server, "/vault/v1/keys/decrypt", "{}");
    await get(rig.server, "/vault/v1/keys/rekey");
    await get(rig.server, "/_stats");
    expect(rig.server.stats()).toMatchObject({
      requests: 4,
      dataKey: 1,
      decrypt: 1,
      rekey: 0,
      unauthorized: 0,
      statuses: { "400": 1, "422": 1, "404": 1, "200": 1 },
    });
  });

  it("with a token, GET /_stats is behind it too", async () => {
    const server = await startKeyServer({ provider: rig.local, token: "sk_only_this" });
    try {
      expect((await get(server, "/_stats", null)).status).toBe(401);
      expect((await get(server, "/_stats", "sk_other")).status).toBe(401);
      const stats = await get(server, "/_stats", "sk_only_this");
      expect(stats.status).toBe(200);
      expect(stats.json).toMatchObject({ requests: 3, unauthorized: 2, statuses: { "401": 2 } });
    } finally {
      await server.close();
    }
  });

  it("with --token, only that token passes", async () => {
    const server = await startKeyServer({ provider: rig.local, token: "sk_only_this" });
    try {
      const body = JSON.stringify({ context: ctx });
      expect((await post(server, "/vault/v1/keys/data-key", body, "sk_other")).status).toBe(401);
      expect((await post(server, "/vault/v1/keys/data-key", body, "sk_only_this")).status).toBe(200);
      const wrongSdk = new WorkOSKeyProvider({ workos: sdkClient(server, "sk_other") });
      await expect(wrongSdk.createDataKey(ctx)).rejects.toMatchObject({ code: "VAULT_KEY_PROVIDER" });
    } finally {
      await server.close();
    }
  });

  it.each([
    ["malformed JSON", "/vault/v1/keys/data-key", "{nope", 400, "invalid_json"],
    ["a JSON array", "/vault/v1/keys/data-key", "[]", 422, "invalid_request_parameters"],
    ["no context", "/vault/v1/keys/data-key", "{}", 422, "invalid_request_parameters"],
    ["an empty context", "/vault/v1/keys/data-key", '{"context":{}}', 422, "invalid_request_parameters"],
    [
      "a number in the context",
      "/vault/v1/keys/data-key",
      '{"context":{"a":1}}',
      422,
      "invalid_request_parameters",
    ],
    [
      "11 context pairs",
      "/vault/v1/keys/data-key",
      JSON.stringify({ context: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"])) }),
      422,
      "invalid_request_parameters",
    ],
    ["no keys", "/vault/v1/keys/decrypt", "{}", 422, "invalid_request_parameters"],
    [
      "keys that are not base64",
      "/vault/v1/keys/decrypt",
      '{"keys":"not base64!"}',
      422,
      "invalid_request_parameters",
    ],
    ["keys that are not a key blob", "/vault/v1/keys/decrypt", '{"keys":"AAAA"}', 400, "invalid_keys"],
    ["an unknown route", "/vault/v1/keys/other", "{}", 404, "not_found"],
  ])("%s is a WorkOS-style JSON error, never a stack trace", async (_name, path, body, status, code) => {
    const response = await post(rig.server, path, body);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.json["code"]).toBe(code);
    expect(typeof response.json["message"]).toBe("string");
    expect(response.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it("a body over 1 MiB is 413", async () => {
    const response = await post(
      rig.server,
      "/vault/v1/keys/decrypt",
      JSON.stringify({ keys: "A".repeat(1024 * 1024 + 4) }),
    );
    expect(response.status).toBe(413);
  });

  it("a provider without rekey answers 400 on the rekey route", async () => {
    const server = await startKeyServer({
      provider: {
        name: "no-rekey",
        createDataKey: (context) => rig.local.createDataKey(context),
        decryptDataKey: (blob) => rig.local.decryptDataKey(blob),
      },
    });
    try {
      const response = await post(
        server,
        "/vault/v1/keys/rekey",
        JSON.stringify({ context: ctx, encrypted_keys: "AAAA" }),
      );
      expect(response.status).toBe(400);
      await expect(
        new WorkOSKeyProvider({ workos: sdkClient(server, TEST_TOKEN) }).rekey(new Uint8Array(4), ctx),
      ).rejects.toMatchObject({
        code: "VAULT_KEY_PROVIDER",
      });
    } finally {
      await server.close();
    }
  });

  describe("fault injection, in process (server.faults)", () => {
    it("a 500 is tried again once, by the SDK (before 10) or by WorkOSKeyProvider (10+), then succeeds", async () => {
      rig.server.faults.failNext(1);
      expect(await encrypt(rig.provider, "x", ctx)).toBeTypeOf("string");
      expect(rig.server.stats()).toMatchObject({ dataKey: 2, faults: 1, statuses: { "500": 1, "200": 1 } });
    });

    it("persistent 500s surface VAULT_KEY_PROVIDER once the retries run out, never retried twice over", async () => {
      rig.server.faults.failNext(100);
      const provider = new WorkOSKeyProvider({ workos: rig.workos, retry: { attempts: 3 } });
      const error = await encrypt(provider, "x", ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VaultError);
      expect((error as VaultError).code).toBe("VAULT_KEY_PROVIDER");
      expect((error as VaultError).message).toContain("HTTP 500");
      // SDK 10+: the provider's 3 tries, the SDK's own retries off; before 10: 1 try + the SDK's 3 retries.
      expect(rig.server.stats().dataKey).toBe(SDK_MAJOR >= 10 ? 3 : 4);
    }, 20_000);

    it("429 carries Retry-After to the SDK and surfaces VAULT_KEY_PROVIDER when it persists", async () => {
      rig.server.faults.rateLimitNext(100, 0);
      const error = (await encrypt(rig.provider, "x", ctx).catch((e: unknown) => e)) as VaultError;
      expect(error.code).toBe("VAULT_KEY_PROVIDER");
      expect((error.cause as { status?: number; retryAfter?: number }).status).toBe(429);
      expect((error.cause as { retryAfter?: number }).retryAfter).toBe(0);
      expect(rig.server.stats().statuses["429"]).toBeGreaterThanOrEqual(1);
    }, 20_000);

    it("latency delays every key request", async () => {
      rig.server.faults.setLatency(150);
      const started = performance.now();
      await encrypt(rig.provider, "x", ctx);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    });
  });

  it("serves PRISMA_VAULT_KEYS when no provider is given", async () => {
    const key = randomBytes(32).toString("base64");
    const previous = process.env["PRISMA_VAULT_KEYS"];
    process.env["PRISMA_VAULT_KEYS"] = `env1:${key}`;
    try {
      const server = await startKeyServer();
      try {
        const created = await post(server, "/vault/v1/keys/data-key", JSON.stringify({ context: ctx }));
        const blob = Buffer.from(created.json["encrypted_keys"] as string, "base64");
        const local = new LocalKeyProvider({ keys: [{ id: "env1", key }] });
        expect(local.describe(blob.subarray(WORKOS_KEY_BLOB_MAGIC.length)).masterKeyId).toBe("env1");
      } finally {
        await server.close();
      }
    } finally {
      if (previous === undefined) delete process.env["PRISMA_VAULT_KEYS"];
      else process.env["PRISMA_VAULT_KEYS"] = previous;
    }
  });
});

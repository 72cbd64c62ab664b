import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { WORKOS_KEY_BLOB_MAGIC } from "../../src/format/workos-blob.js";
import { VaultKeyProviderError, VaultKeyUnavailableError } from "../../src/errors.js";
import { KEY_ROUTES } from "../../src/key-server/routes.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import type { KeyProvider } from "../../src/keys/provider.js";
import { registerSecrets } from "../support/secrets.js";

const masterKey = randomBytes(32);
const provider = new LocalKeyProvider({ keys: [{ id: "k1", key: masterKey }] });
const context = { organizationId: "org_1" };
registerSecrets(masterKey);

type Json = Record<string, unknown>;

/** The route's answer for `body`, against `keys` (the real local ring unless given). */
async function call(path: string, body: Json, keys: KeyProvider = provider) {
  const route = KEY_ROUTES.get(path);
  if (!route) throw new Error(`no route ${path}`);
  const reply = await route.handle(body, keys);
  // Nothing a route answers may carry the master key, however the request went.
  expect(JSON.stringify(reply)).not.toContain(masterKey.toString("base64"));
  return reply as { status: number; json: Json };
}

const dataKey = (body: Json, keys?: KeyProvider) => call("/vault/v1/keys/data-key", body, keys);
const decrypt = (body: Json, keys?: KeyProvider) => call("/vault/v1/keys/decrypt", body, keys);
const rekey = (body: Json, keys?: KeyProvider) => call("/vault/v1/keys/rekey", body, keys);

const bytes = (base64: unknown) => Buffer.from(base64 as string, "base64");

/** A 422 for one field, in WorkOS's shape. */
const invalid = (field: string, message: string) => ({
  status: 422,
  json: {
    message: "Validation failed",
    code: "invalid_request_parameters",
    errors: [{ field, code: "invalid", message }],
  },
});
const badContext = invalid("context", "a context is 1-10 pairs of non-empty strings");
const badBlob = (field: string) => invalid(field, "a non-empty base64 string is required");

describe("KEY_ROUTES", () => {
  it("serves data-key, decrypt and rekey, each counted under its own name", () => {
    expect([...KEY_ROUTES].map(([path, route]) => [path, route.counter])).toEqual([
      ["/vault/v1/keys/data-key", "dataKey"],
      ["/vault/v1/keys/decrypt", "decrypt"],
      ["/vault/v1/keys/rekey", "rekey"],
    ]);
  });

  it("data-key answers the context, a 32-byte key, its id, and the provider's blob inside WorkOS's prefix", async () => {
    const reply = await dataKey({ context });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ context, id: expect.any(String) as unknown });
    expect(bytes(reply.json["data_key"])).toHaveLength(32);
    const blob = bytes(reply.json["encrypted_keys"]);
    expect(blob.subarray(0, WORKOS_KEY_BLOB_MAGIC.length)).toEqual(Buffer.from(WORKOS_KEY_BLOB_MAGIC));
    const inner = blob.subarray(WORKOS_KEY_BLOB_MAGIC.length);
    expect(inner.subarray(0, 4).toString()).toBe("PVK1");
    expect(provider.describe(inner)).toMatchObject({ dataKeyId: reply.json["id"], context });
  });

  it("decrypt opens what data-key issued: the same key and id", async () => {
    const issued = await dataKey({ context });
    const opened = await decrypt({ keys: issued.json["encrypted_keys"] });
    expect(opened).toEqual({
      status: 200,
      json: { data_key: issued.json["data_key"], id: issued.json["id"] },
    });
  });

  it("decrypt still opens a bare provider blob, as issued before blobs were wrapped", async () => {
    const issued = await provider.createDataKey(context);
    const opened = await decrypt({ keys: Buffer.from(issued.encryptedKeys).toString("base64") });
    expect(opened.status).toBe(200);
    expect(bytes(opened.json["data_key"])).toEqual(Buffer.from(issued.key));
  });

  it("rekey keeps the data key and its id, and binds the new blob to the new context", async () => {
    const issued = await dataKey({ context });
    const moved = { organizationId: "org_2", région: "eu-ouest" };
    const reply = await rekey({ context: moved, encrypted_keys: issued.json["encrypted_keys"] });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      context: moved,
      data_key: issued.json["data_key"],
      id: issued.json["id"],
    });
    const inner = bytes(reply.json["encrypted_keys"]).subarray(WORKOS_KEY_BLOB_MAGIC.length);
    expect(provider.describe(inner).context).toEqual(moved);
  });

  it.each<[string, unknown]>([
    ["missing", undefined],
    ["empty", {}],
    ["a string", "org_1"],
    ["a list", [["organizationId", "org_1"]]],
    ["an empty value", { organizationId: "" }],
    ["a number value", { organizationId: 1 }],
    ["11 pairs", Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"]))],
    ["a __proto__ key (as JSON.parse makes it)", JSON.parse('{"__proto__": "org_1"}')],
  ])("a context that is %s is 422 naming the context, on data-key and rekey", async (_what, bad) => {
    const blob = (await dataKey({ context })).json["encrypted_keys"];
    expect(await dataKey({ context: bad })).toEqual(badContext);
    expect(await rekey({ context: bad, encrypted_keys: blob })).toEqual(badContext);
  });

  it("ten pairs are a context", async () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, "v"]));
    expect((await dataKey({ context: ten })).status).toBe(200);
  });

  it.each<[string, unknown]>([
    ["missing", undefined],
    ["empty", ""],
    ["not base64", "not base64!"],
    ["a number", 42],
    ["bytes as a list", [1, 2, 3]],
  ])("a blob that is %s is 422 naming its field", async (_what, bad) => {
    expect(await decrypt({ keys: bad })).toEqual(badBlob("keys"));
    expect(await rekey({ context, encrypted_keys: bad })).toEqual(badBlob("encrypted_keys"));
  });

  it("rekey with both fields bad names the context", async () => {
    expect(await rekey({ context: {}, encrypted_keys: "" })).toEqual(badContext);
  });

  it("a blob whose master key is not in the ring is 404 key_unavailable naming the key id", async () => {
    const other = new LocalKeyProvider({ keys: [{ id: "k-gone", key: randomBytes(32) }] });
    const issued = await dataKey({ context }, other);
    expect(await decrypt({ keys: issued.json["encrypted_keys"] })).toEqual({
      status: 404,
      json: {
        message: 'Key "k-gone" that wrapped the encrypted keys is not available',
        code: "key_unavailable",
      },
    });
  });

  it("a key missing without an id is 404 for the key, unnamed", async () => {
    const unavailable: KeyProvider = {
      name: "gone",
      createDataKey: () => Promise.reject(new VaultKeyUnavailableError("no key")),
      decryptDataKey: () => Promise.reject(new VaultKeyUnavailableError("no key")),
    };
    expect(await dataKey({ context }, unavailable)).toMatchObject({
      status: 404,
      json: { message: "The key that wrapped the encrypted keys is not available" },
    });
  });

  it("a modified blob, or one that is not the provider's, is 400 invalid_keys", async () => {
    const issued = bytes((await dataKey({ context })).json["encrypted_keys"]);
    issued[issued.length - 1]! ^= 1;
    const refused = {
      status: 400,
      json: { message: "The encrypted keys could not be decrypted", code: "invalid_keys" },
    };
    expect(await decrypt({ keys: issued.toString("base64") })).toEqual(refused);
    expect(await decrypt({ keys: Buffer.from("not a key blob").toString("base64") })).toEqual(refused);
  });

  it("any other provider failure is 500 provider_error, without the provider's message", async () => {
    const failing: KeyProvider = {
      name: "failing",
      createDataKey: () => Promise.reject(new Error("connection to hsm-secret-host refused")),
      decryptDataKey: () => Promise.reject(new Error("connection to hsm-secret-host refused")),
      rekey: () => Promise.reject(new Error("connection to hsm-secret-host refused")),
    };
    const blob = (await dataKey({ context })).json["encrypted_keys"];
    for (const reply of [
      await dataKey({ context }, failing),
      await decrypt({ keys: blob }, failing),
      await rekey({ context, encrypted_keys: blob }, failing),
    ]) {
      expect(reply).toEqual({
        status: 500,
        json: { message: "Key provider failed", code: "provider_error" },
      });
    }
  });

  it("a provider failure that may pass when tried again is 503 with Retry-After: 1; a contract broken or a refusal stays 500", async () => {
    const failingWith = (error: () => Error): KeyProvider => ({
      name: "failing",
      createDataKey: () => Promise.reject(error()),
      decryptDataKey: () => Promise.reject(error()),
      rekey: () => Promise.reject(error()),
    });
    const blob = (await dataKey({ context })).json["encrypted_keys"];
    const replies = async (keys: KeyProvider) => [
      await dataKey({ context }, keys),
      await decrypt({ keys: blob }, keys),
      await rekey({ context, encrypted_keys: blob }, keys),
    ];
    const unavailable = {
      status: 503,
      json: { message: "The key provider is unavailable", code: "key_provider_unavailable" },
      headers: { "Retry-After": "1" },
    };
    for (const transient of [
      () => new VaultKeyProviderError('key provider "kms" timed out after 10 ms', { transient: true }),
      () =>
        new TypeError("fetch failed", {
          cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
        }),
      ...[408, 429, 500, 502, 503, 504].map(
        (status) => () => Object.assign(new Error("upstream"), { status }),
      ),
    ]) {
      for (const reply of await replies(failingWith(transient))) expect(reply).toEqual(unavailable);
    }
    const failed = { status: 500, json: { message: "Key provider failed", code: "provider_error" } };
    for (const permanent of [
      () => new VaultKeyProviderError('key provider "kms" returned a data key that is not 32 bytes'),
      () => Object.assign(new Error("forbidden"), { status: 403 }),
      () => new TypeError("cannot read properties of undefined"),
    ]) {
      for (const reply of await replies(failingWith(permanent))) expect(reply).toEqual(failed);
    }
  });

  it("a provider without rekey answers 400 unsupported, after the fields are checked", async () => {
    const noRekey: KeyProvider = {
      name: "local",
      createDataKey: (c) => provider.createDataKey(c),
      decryptDataKey: (blob) => provider.decryptDataKey(blob),
    };
    const blob = (await dataKey({ context })).json["encrypted_keys"];
    expect(await rekey({ context, encrypted_keys: blob }, noRekey)).toEqual({
      status: 400,
      json: { message: "This key provider cannot rekey", code: "unsupported" },
    });
    expect(await rekey({ context: {}, encrypted_keys: blob }, noRekey)).toEqual(badContext);
  });

  it("leaves the request body as it was", async () => {
    const body = Object.freeze({ context: Object.freeze({ ...context }) });
    expect((await dataKey(body)).status).toBe(200);
    expect(body).toEqual({ context });
  });
});

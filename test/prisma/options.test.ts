import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { INDEX_KEY_ENV } from "../../src/core/blind-index.js";
import type { GeneratedVaultSchema } from "../../src/schema/datamodel.js";
import { dataModelFor, validateOptions, type VaultOptions } from "../../src/prisma/options.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { thrownVaultError } from "../support/errors.js";
import { offlineClient, type OfflineClient } from "../support/offline-clients.js";
import { registerSecrets } from "../support/secrets.js";
import { vaultSchema } from "../generated/sqlite/vault/index.js";

const keys = new LocalKeyProvider({ keys: [{ id: "k", key: randomBytes(32) }] });
const generated: GeneratedVaultSchema = vaultSchema;
const check = (options: unknown) => validateOptions(options as VaultOptions);
const refusal = (options: unknown) => thrownVaultError(() => check(options));

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("validateOptions", () => {
  it("fills in the defaults", () => {
    vi.stubEnv(INDEX_KEY_ENV, undefined);
    expect(check({ keys, models: {} })).toEqual({
      schema: undefined,
      indexSecret: undefined,
      plaintext: "reject",
      onDecryptError: "throw",
      timeoutMs: 10_000,
      aead: "auto",
    });
  });

  it("keeps what it is given", () => {
    const policy = () => "?";
    const secret = new Uint8Array(32).fill(4);
    expect(
      check({
        keys,
        schema: generated,
        plaintext: "read",
        onDecryptError: policy,
        indexSecret: secret,
        timeoutMs: 1,
        aead: "node",
      }),
    ).toEqual({
      schema: generated,
      indexSecret: secret,
      plaintext: "read",
      onDecryptError: policy,
      timeoutMs: 1,
      aead: "node",
    });
  });

  it.each([
    ["not an object", "keys", /vault\(\) takes an options object/],
    ["null", null, /vault\(\) takes an options object/],
  ])("refuses options that are %s", (_what, options, message) => {
    expect(refusal(options).message).toMatch(message);
  });

  it.each([
    ["missing", undefined],
    ["without decryptDataKey", { createDataKey: () => undefined }],
    ["a class instead of an instance", LocalKeyProvider],
  ])("refuses keys %s, naming the two methods a provider has", (_what, given) => {
    expect(refusal({ keys: given, models: {} }).message).toBe(
      "options.keys must be a KeyProvider (createDataKey, decryptDataKey)",
    );
  });

  it("the generator's schema alone is enough; something else in its place is refused", () => {
    expect(check({ keys, schema: generated }).schema).toBe(generated);
    for (const schema of [
      { ...generated, version: 2 },
      { ...generated, generator: "other" },
      { models: {} },
    ]) {
      expect(refusal({ keys, schema }).message).toMatch(/options\.schema must be the vaultSchema/);
    }
  });

  it.each([
    ["null", null],
    ["a string", "User"],
    ["a number", 1],
  ])("refuses models that are %s", (_what, models) => {
    expect(refusal({ keys, models }).message).toBe(
      "options.models must map model names to { context, fields }",
    );
  });

  it("needs models or the generator's schema", () => {
    expect(refusal({ keys }).message).toMatch(/needs options\.models or options\.schema/);
  });

  it("onDecryptError is throw, null or a function", () => {
    expect(check({ keys, models: {}, onDecryptError: "null" }).onDecryptError).toBe("null");
    for (const onDecryptError of ["ignore", true, 0]) {
      expect(refusal({ keys, models: {}, onDecryptError }).message).toBe(
        'options.onDecryptError must be "throw", "null" or a function',
      );
    }
  });

  it("plaintext is reject or read", () => {
    expect(refusal({ keys, models: {}, plaintext: "write" }).message).toBe(
      'options.plaintext must be "reject" or "read"',
    );
  });

  it("aead is auto, native or node", () => {
    expect(check({ keys, models: {}, aead: "native" }).aead).toBe("native");
    for (const aead of ["openssl", "", 1, true]) {
      expect(refusal({ keys, models: {}, aead }).message).toBe(
        'options.aead must be "auto", "native" or "node"',
      );
    }
  });

  it("cache is limits or false", () => {
    expect(() => check({ keys, models: {}, cache: false })).not.toThrow();
    expect(() => check({ keys, models: {}, cache: { maxEntries: 10 } })).not.toThrow();
    for (const cache of [null, true, 100, "off"]) {
      expect(refusal({ keys, models: {}, cache }).message).toBe(
        "options.cache must be cache limits or false",
      );
    }
  });

  it("timeoutMs is a whole number of milliseconds from 1 to 600000", () => {
    expect(check({ keys, models: {}, timeoutMs: 600_000 }).timeoutMs).toBe(600_000);
    for (const timeoutMs of [0, 600_001, 1.5, "10", Number.NaN]) {
      expect(refusal({ keys, models: {}, timeoutMs }).message).toBe(
        "options.timeoutMs must be a whole number of milliseconds from 1 to 600000",
      );
    }
  });

  it("indexSecret: bytes as given, base64 decoded, else PRISMA_VAULT_INDEX_KEY", () => {
    const secret = randomBytes(32);
    expect(
      Buffer.from(check({ keys, models: {}, indexSecret: ` ${secret.toString("base64")}\n` }).indexSecret!),
    ).toEqual(secret);
    vi.stubEnv(INDEX_KEY_ENV, secret.toString("base64"));
    expect(Buffer.from(check({ keys, models: {} }).indexSecret!)).toEqual(secret);
    vi.stubEnv(INDEX_KEY_ENV, "");
    expect(check({ keys, models: {} }).indexSecret).toBeUndefined();
  });

  it("an index secret that is not base64 is refused without showing it", () => {
    const secret = "not-base64-index-secret!";
    registerSecrets(secret);
    const error = refusal({ keys, models: {}, indexSecret: secret });
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.message).toMatch(/must be base64 bytes/);
  });

  it("leaves the options as they were", () => {
    const options = Object.freeze({
      keys,
      models: Object.freeze({}),
      cache: Object.freeze({ maxEntries: 5 }),
    });
    check(options);
    expect(options).toEqual({ keys, models: {}, cache: { maxEntries: 5 } });
  });
});

describe("dataModelFor", () => {
  let client: OfflineClient;
  beforeAll(async () => {
    client = await offlineClient("sqlite");
  });
  afterAll(() => client.$disconnect());

  it("without the generator's schema, the client's own data model with its schema text's keys and provider", () => {
    const datamodel = dataModelFor(client, undefined);
    expect(datamodel.provider).toBe("sqlite");
    expect(Object.keys(datamodel.models)).toEqual(Object.keys(generated.datamodel.models));
    const organization = datamodel.models["User"]?.fields.find((f) => f.name === "organization");
    expect(organization).toMatchObject({
      kind: "object",
      type: "Organization",
      relationFromFields: ["organizationId"],
    });
  });

  it("the generator's data model, when it matches the client, is used as it is", () => {
    expect(dataModelFor(client, generated)).toBe(generated.datamodel);
  });

  it("a generated schema without a provider takes it (and native types) from the client", () => {
    const older = { ...generated, datamodel: { models: generated.datamodel.models } };
    expect(dataModelFor(client, older).provider).toBe("sqlite");
  });

  it("a generated schema written before table and column names were recorded takes them from the client", () => {
    const unnamed = Object.fromEntries(
      Object.entries(generated.datamodel.models).map(([name, { dbName: _table, ...model }]) => [
        name,
        { ...model, fields: model.fields.map(({ dbName: _column, ...field }) => field) },
      ]),
    );
    const older = { ...generated, datamodel: { ...generated.datamodel, models: unnamed } };
    const ledger = dataModelFor(client, older).models["Ledger"];
    expect(ledger?.dbName).toBe("ledger_entries");
    expect(ledger?.fields.find((f) => f.name === "seq")?.dbName).toBe("seq_no");
  });

  it("a generated field the client lacks is refused, naming model and field", () => {
    const user = generated.datamodel.models["User"]!;
    const stale = {
      ...generated,
      datamodel: {
        ...generated.datamodel,
        models: {
          ...generated.datamodel.models,
          User: { ...user, fields: [...user.fields, { ...user.fields[0]!, name: "gone" }] },
        },
      },
    };
    expect(thrownVaultError(() => dataModelFor(client, stale))).toMatchObject({
      code: "VAULT_CONFIG",
      model: "User",
      field: "gone",
    });
  });

  it("a generated model the client lacks is refused, naming the model only", () => {
    const stale = {
      ...generated,
      datamodel: {
        ...generated.datamodel,
        models: { ...generated.datamodel.models, Gone: { name: "Gone", fields: [] } },
      },
    };
    const error = thrownVaultError(() => dataModelFor(client, stale));
    expect(error).toMatchObject({ code: "VAULT_CONFIG", model: "Gone", field: undefined });
    expect(error.message).toMatch(/run prisma generate/);
  });

  it("a client whose data model cannot be read needs the generator's schema, and takes it unchecked", () => {
    expect(thrownVaultError(() => dataModelFor({}, undefined)).message).toMatch(
      /cannot read this Prisma client's data model; pass the generator's vaultSchema/,
    );
    expect(dataModelFor({}, generated)).toBe(generated.datamodel);
  });
});

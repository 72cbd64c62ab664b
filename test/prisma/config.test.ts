/**
 * vault() configuration, checked when the extension is created: the TypeScript models map (without the
 * generator) and the generator's schema, on a real SQLite client.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VaultConfigError } from "../../src/errors.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { vault } from "../../src/prisma/extension.js";
import type { VaultOptions } from "../../src/prisma/options.js";
import type { GeneratedVaultSchema } from "../../src/schema/datamodel.js";
import { openDatabase, type TestDatabase } from "../support/databases.js";
import { vaultSchema } from "../generated/sqlite/vault/index.js";

const keys = new LocalKeyProvider({ keys: [{ id: "k", key: randomBytes(32) }] });
// Also a type test: the generator's declared type is a GeneratedVaultSchema.
const generated: GeneratedVaultSchema = vaultSchema;
let db: TestDatabase;
beforeAll(async () => {
  db = (await openDatabase("sqlite")) as TestDatabase;
});
afterAll(() => db.close());

function configError(options: unknown): VaultConfigError {
  try {
    db.plain.$extends(vault(options as VaultOptions));
  } catch (error) {
    if (error instanceof VaultConfigError) return error;
    throw error;
  }
  throw new Error("expected a VaultConfigError");
}

describe("vault() configuration", () => {
  it("a models map works without the generator, from the client's runtime data model", async () => {
    const prisma = db.plain.$extends(
      vault({ keys, models: { User: { context: ["organizationId"], fields: { ssn: {} } } } }),
    );
    await db.plain.organization.create({ data: { id: "org_m", name: "m" } });
    const user = await prisma.user.create({
      data: { organizationId: "org_m", email: "plain", ssn: "secret" },
    });
    expect(user.ssn).toBe("secret");
    const [raw] = await db.raw("User", `"id" = ${user.id}`);
    expect(raw?.["ssn"]).not.toBe("secret");
    expect(raw?.["email"]).toBe("plain");
  });

  it.each([
    ["no keys", { models: {} }, undefined, undefined],
    ["neither models nor schema", { keys }, undefined, undefined],
    ["an unknown model", { keys, models: { Nope: { context: ["a"], fields: {} } } }, "Nope", undefined],
    [
      "an unknown field",
      { keys, models: { User: { context: ["organizationId"], fields: { nope: {} } } } },
      "User",
      "nope",
    ],
    [
      "a non-String field",
      { keys, models: { User: { context: ["organizationId"], fields: { id: {} } } } },
      "User",
      "id",
    ],
    [
      "a missing context field",
      { keys, models: { User: { context: ["tenantId"], fields: { ssn: {} } } } },
      "User",
      "tenantId",
    ],
    ["no context", { keys, models: { User: { fields: { ssn: {} } } } }, "User", undefined],
    [
      "an encrypted context field",
      { keys, models: { User: { context: ["ssn"], fields: { ssn: {} } } } },
      "User",
      "ssn",
    ],
    ["a bad onDecryptError", { keys, models: {}, onDecryptError: "ignore" }, undefined, undefined],
    ["a bad plaintext mode", { keys, models: {}, plaintext: "maybe" }, undefined, undefined],
    ["a schema that is not the generator's", { keys, schema: { models: {} } }, undefined, undefined],
  ])("%s is a VaultConfigError naming model and field", (_name, options, model, field) => {
    const error = configError(options);
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.model).toBe(model);
    expect(error.field).toBe(field);
  });

  it("a generated schema that no longer matches the client is refused", () => {
    const user = generated.datamodel.models["User"]!;
    const stale: GeneratedVaultSchema = {
      ...generated,
      datamodel: {
        models: {
          ...generated.datamodel.models,
          User: { ...user, fields: [...user.fields, { name: "gone", kind: "scalar", type: "String" }] },
        },
      },
    };
    expect(configError({ keys, schema: stale })).toMatchObject({ model: "User", field: "gone" });
  });

  it("models entries replace the annotations of the same model", async () => {
    const prisma = db.plain.$extends(
      vault({
        keys,
        schema: generated,
        models: { User: { context: ["organizationId"], fields: { notes: {} } } },
        indexSecret: new Uint8Array(32).fill(3), // the schema's Account has blind indexes
      }),
    );
    await db.plain.organization.upsert({
      where: { id: "org_r" },
      create: { id: "org_r", name: "r" },
      update: {},
    });
    const user = await prisma.user.create({
      data: { organizationId: "org_r", email: "visible", notes: "hidden" },
    });
    const [raw] = await db.raw("User", `"id" = ${user.id}`);
    expect(raw?.["email"]).toBe("visible");
    expect(raw?.["notes"]).not.toBe("hidden");
  });
});

import { describe, expect, it } from "vitest";
import { buildVaultSchema } from "../../src/schema/build.js";
import type { ModelsOption } from "../../src/schema/options.js";
import type { DataModel } from "../../src/schema/datamodel.js";
import { dataModel, model, modelOf, scalar, testDataModel, testSchema } from "../support/datamodel.js";
import { thrownVaultError } from "../support/errors.js";
import { build, configError, thing, zoo } from "../support/zoo.js";

describe("buildVaultSchema", () => {
  it("describes every model of the data model, with encrypted fields, context fields and relations", () => {
    const schema = testSchema();
    expect([...schema.models.keys()]).toEqual([
      "Organization",
      "User",
      "Post",
      "Profile",
      "AuditLog",
      "Account",
      "PlainAccount",
      "Session",
      "Memo",
      "Ledger",
      "Voucher",
      "Ticket",
      "VaultObject",
      "VaultObjectVersion",
    ]);
    const user = modelOf(schema, "User");
    expect([...user.encrypted.keys()]).toEqual(["email", "ssn", "notes"]);
    expect(user.contextFields).toEqual(["organizationId"]);
    expect(user.primaryKey).toEqual(["id"]);
    expect(user.scalars.has("organizationId")).toBe(true);
    expect(user.scalars.has("organization")).toBe(false);
    expect(user.relations.get("organization")).toEqual({
      name: "organization",
      target: "Organization",
      relationName: "OrganizationToUser",
      fromFields: ["organizationId"],
      toFields: ["id"],
      keysKnown: true,
      isList: false,
    });
    expect(user.relations.get("posts")?.isList).toBe(true);
    expect(modelOf(schema, "AuditLog").encrypted.size).toBe(0);
    expect(modelOf(schema, "AuditLog").contextFields).toEqual([]);
  });

  it("names each model's table and each scalar's column as the database does (@@map, @map), with its type", () => {
    const schema = testSchema();
    const ledger = modelOf(schema, "Ledger");
    expect(ledger.table).toBe("ledger_entries");
    expect([...ledger.columns]).toEqual([
      ["tenantId", "tenantId"],
      ["seq", "seq_no"],
      ["note", "note"],
    ]);
    expect([...ledger.fieldTypes]).toEqual([
      ["tenantId", "String"],
      ["seq", "Int"],
      ["note", "String"],
    ]);
    expect(ledger.primaryKey).toEqual(["tenantId", "seq"]);
    expect(modelOf(schema, "Voucher").columns.get("code")).toBe("voucher_code");
    expect(modelOf(schema, "Ticket").fieldTypes.get("id")).toBe("BigInt");
    const user = modelOf(schema, "User");
    expect(user.table).toBe("User");
    // Relations have no column of their own.
    expect(user.columns.has("organization")).toBe(false);
    expect(user.fieldTypes.has("organization")).toBe(false);
  });

  it("carries the data model's provider, undefined when it does not say", () => {
    expect(testSchema().provider).toBeUndefined();
    const withProvider = { ...testDataModel, provider: "mysql" };
    expect(buildVaultSchema(withProvider, {}, { plaintext: "reject" }).provider).toBe("mysql");
  });

  it("refuses a model that is not in the Prisma schema, naming it", () => {
    expect(() => build({ Thingy: { context: ["tenantId"], fields: { secret: {} } } })).toThrow(
      configError("Thingy"),
    );
  });

  it("refuses a context field that is itself encrypted", () => {
    expect(() => thing({ context: ["secret"] })).toThrow(configError("Thing", "secret"));
    expect(() => thing({ context: { tenant: "tenantId", s: "secret" } })).toThrow(
      configError("Thing", "secret"),
    );
  });

  describe("primary key", () => {
    it("is the compound @@id, else the @id field, else a field named id, else none", () => {
      const keys = (m: DataModel) =>
        modelOf(buildVaultSchema(m, {}, { plaintext: "reject" }), "M").primaryKey;
      expect(keys(dataModel(model("M", [scalar("a"), scalar("b")], { primaryKey: ["a", "b"] })))).toEqual([
        "a",
        "b",
      ]);
      expect(keys(dataModel(model("M", [scalar("id"), scalar("key", "String", { isId: true })])))).toEqual([
        "key",
      ]);
      expect(keys(dataModel(model("M", [scalar("id")])))).toEqual(["id"]);
      expect(keys(dataModel(model("M", [scalar("name")])))).toEqual([]);
    });
  });
});

describe("buildVaultSchema, beyond the moved cases", () => {
  it("a relation the runtime data model describes without keys is marked keysKnown: false", () => {
    const runtime: DataModel = {
      models: {
        A: {
          name: "A",
          fields: [scalar("id"), { name: "b", kind: "object", type: "B", relationName: "AB" }],
        },
        B: { name: "B", fields: [scalar("id")] },
      },
    };
    expect(modelOf(buildVaultSchema(runtime, {}, { plaintext: "reject" }), "A").relations.get("b")).toEqual({
      name: "b",
      target: "B",
      relationName: "AB",
      fromFields: [],
      toFields: [],
      keysKnown: false,
      isList: undefined,
    });
  });

  it("an empty primary-key list falls back to the @id field", () => {
    const m = dataModel(model("M", [scalar("key", "String", { isId: true })], { primaryKey: [] }));
    expect(modelOf(buildVaultSchema(m, {}, { plaintext: "reject" }), "M").primaryKey).toEqual(["key"]);
  });

  it("an empty data model and an empty models map give an empty schema", () => {
    expect(buildVaultSchema(dataModel(), {}, { plaintext: "reject" }).models.size).toBe(0);
  });

  it(`a column of exactly 512 characters takes envelopes; one of 511 is refused, naming the field`, () => {
    const bounded = (length: string): DataModel => ({
      ...dataModel(
        model("M", [
          scalar("id", "Int", { isId: true }),
          scalar("t"),
          scalar("v", "String", { nativeType: ["VarChar", [length]] }),
        ]),
      ),
      provider: "postgresql",
    });
    const models = { M: { context: ["t"], fields: { v: {} } } };
    expect(modelOf(build(models, bounded("512")), "M").encrypted.get("v")?.capacity).toBe(512);
    const error = thrownVaultError(() => build(models, bounded("511")));
    expect(error).toEqual(configError("M", "v"));
    expect(error.message).toMatch(/holds 511 characters/);
  });

  it("neither the data model nor the models map is changed", () => {
    const models: ModelsOption = {
      Thing: { context: ["tenantId"], staticContext: { app: "crm" }, fields: { secret: {}, other: {} } },
    };
    const before = { zoo: structuredClone(zoo), models: structuredClone(models) };
    build(models);
    expect({ zoo, models }).toEqual(before);
    // Deep-frozen inputs build too: nothing is written into them.
    expect(() => build(deepFreeze(structuredClone(models)), deepFreeze(structuredClone(zoo)))).not.toThrow();
  });

  // A models entry named like an Object.prototype member ("__proto__" as JSON.parse makes it,
  // "constructor") is not found on the data model's prototype: it is refused like any unknown model.
  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])(
    "a models entry named %s, an Object.prototype member, is refused as no such model",
    (name) => {
      expect(() => build({ [name]: { context: ["tenantId"], fields: { secret: {} } } })).toThrow(
        configError(name),
      );
    },
  );

  it("the test data model's models without options get no encrypted fields and no context", () => {
    const schema = buildVaultSchema(testDataModel, {}, { plaintext: "reject" });
    for (const m of schema.models.values()) {
      expect(m.encrypted.size).toBe(0);
      expect(m.indexColumns.size).toBe(0);
      expect(m.contextFields).toEqual([]);
    }
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

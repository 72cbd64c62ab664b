import { describe, expect, it } from "vitest";
import { buildVaultSchema } from "../src/schema/build.js";
import type { ModelsOption, Row } from "../src/schema/options.js";
import type { DataModel } from "../src/prisma/datamodel.js";
import {
  belongsTo,
  dataModel,
  hasMany,
  model,
  modelOf,
  scalar,
  testDataModel,
  testModels,
  testSchema,
} from "./support/datamodel.js";
import { thrownVaultError } from "./support/errors.js";

/** A model with every kind of column the validation tells apart, and eleven possible context fields. */
const zoo: DataModel = dataModel(
  model("Tenant", [scalar("id", "String", { isId: true }), hasMany("things", "Thing", "TenantToThing")]),
  model("Thing", [
    scalar("id", "Int", { isId: true }),
    scalar("tenantId"),
    belongsTo("tenant", "Tenant", "TenantToThing", ["tenantId"]),
    scalar("labels", "String", { isList: true }),
    scalar("role", "Role", { kind: "enum" }),
    scalar("payload", "Json"),
    scalar("counter", "Int"),
    scalar("secret"),
    scalar("other"),
    scalar("secretIndex"),
    scalar("otherIndex"),
    ...Array.from({ length: 11 }, (_, i) => scalar(`c${i}`)),
  ]),
);

const indexSecret = new Uint8Array(32).fill(1);

function build(
  models: unknown,
  datamodel: DataModel = zoo,
  plaintext: "reject" | "read" = "reject",
  secret: Uint8Array | null = indexSecret,
) {
  return buildVaultSchema(datamodel, models as ModelsOption, plaintext, secret ?? undefined);
}

function thing(options: Record<string, unknown>) {
  return build({ Thing: { context: ["tenantId"], fields: { secret: {} }, ...options } });
}

function secretWith(options: unknown) {
  return thing({ fields: { secret: options } });
}

/** The VaultConfigError a validation throws, naming `model` and `field` (undefined: names none). */
function configError(modelName: string, field?: string) {
  return expect.objectContaining({
    name: "VaultConfigError",
    code: "VAULT_CONFIG",
    model: modelName,
    field,
  }) as Error;
}

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

  it("binds the default associated data to the field's own model and name", () => {
    expect(modelOf(testSchema(), "User").encrypted.get("ssn")).toEqual({
      model: "User",
      name: "ssn",
      aad: { model: "User", field: "ssn" },
      plaintext: "reject",
    });
  });

  it("refuses a model that is not in the Prisma schema, naming it", () => {
    expect(() => build({ Thingy: { context: ["tenantId"], fields: { secret: {} } } })).toThrow(
      configError("Thingy"),
    );
  });

  it("refuses an encrypted field that is not in the model", () => {
    expect(() => thing({ fields: { secrett: {} } })).toThrow(configError("Thing", "secrett"));
  });

  it.each([
    ["an Int column", "counter", /this one is Int/],
    ["a Json column", "payload", /this one is Json/],
    ["an enum column", "role", /this one is Role/],
    ["a String[] list", "labels", /this one is String\[\]/],
    ["a relation", "tenant", /this one is a relation to Tenant/],
  ])("refuses to encrypt %s: only String columns hold envelopes", (_what, field, message) => {
    const error = thrownVaultError(() => thing({ fields: { [field]: {} } }));
    expect(error).toEqual(configError("Thing", field));
    expect(error.message).toMatch(message);
  });

  it.each([
    ["undefined", undefined],
    ["null", null],
  ])("refuses a model with encrypted fields and a %s context", (_what, context) => {
    expect(() => thing({ context })).toThrow(configError("Thing"));
  });

  it("does not ask for a context where nothing is encrypted", () => {
    expect(() => build({ Thing: { fields: {} } })).not.toThrow();
    expect(modelOf(build({ Thing: { context: ["tenantId"], fields: {} } }), "Thing").contextFields).toEqual([
      "tenantId",
    ]);
  });

  it.each([
    ["list", ["tenantID"]],
    ["record", { tenant: "tenantID" }],
    ["derived", { fields: ["tenantID"], derive: () => ({ t: "x" }) }],
  ])("refuses a %s context naming a field that does not exist", (_form, context) => {
    expect(() => thing({ context })).toThrow(configError("Thing", "tenantID"));
  });

  it.each([
    ["a relation", "tenant"],
    ["a list column", "labels"],
  ])("refuses a context field that is %s", (_what, field) => {
    expect(() => thing({ context: [field] })).toThrow(configError("Thing", field));
  });

  it("refuses a context field that is itself encrypted", () => {
    expect(() => thing({ context: ["secret"] })).toThrow(configError("Thing", "secret"));
    expect(() => thing({ context: { tenant: "tenantId", s: "secret" } })).toThrow(
      configError("Thing", "secret"),
    );
  });

  it("accepts 10 context pairs and refuses 11, counting staticContext", () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
    expect(() => thing({ context: fields(10) })).not.toThrow();
    expect(() => thing({ context: fields(11) })).toThrow(/1 to 10 pairs, this one has 11/);
    expect(() => thing({ context: fields(11) })).toThrow(configError("Thing"));
    expect(() => thing({ context: fields(10), staticContext: { app: "crm" } })).toThrow(configError("Thing"));
  });

  it("refuses an empty context", () => {
    expect(() => thing({ context: [] })).toThrow(configError("Thing"));
    expect(() => thing({ context: {} })).toThrow(configError("Thing"));
  });

  it.each([
    ["a string", "tenantId"],
    ["a number", 42],
    ["a list with a number", ["tenantId", 1]],
    ["a record with a number", { tenant: 1 }],
    ["a derived context without derive()", { fields: ["tenantId"], derive: "tenantId" }],
    ["a derived context without fields", { derive: () => ({ t: "x" }) }],
  ])("refuses a context that is %s", (_what, context) => {
    expect(() => thing({ context })).toThrow(configError("Thing"));
  });

  describe("field options", () => {
    it.each([
      ["aad", { aad: "sometimes" }, /aad must be/],
      ["aad", { aad: true }, /aad must be/],
      ["aadAs without a dot", { aadAs: "secret" }, /aadAs must look like/],
      ["aadAs with two dots", { aadAs: "A.b.c" }, /aadAs must look like/],
      ["aadAs with a space", { aadAs: "A.b c" }, /aadAs must look like/],
      ["aadAs with a bar", { aadAs: "A.b|c" }, /aadAs must look like/],
      ["aadAs not a string", { aadAs: 42 }, /aadAs must look like/],
      ["aadAs with aad none", { aad: "none", aadAs: "Old.secret" }, /no effect/],
      ["plaintext", { plaintext: "write" }, /plaintext must be/],
      ["an unknown option", { encrypt: true }, /unknown field option "encrypt"/],
      ["a string instead of options", "yes", /must be an object/],
      ["null instead of options", null, /must be an object/],
    ])("refuses a bad %s", (_what, options, message) => {
      const error = thrownVaultError(() => secretWith(options));
      expect(error).toEqual(configError("Thing", "secret"));
      expect(error.message).toMatch(message);
    });

    it("an index option gives the field a blind index in that column, with its normalizer and scope", () => {
      const schema = build({
        Thing: {
          context: ["tenantId"],
          fields: {
            secret: { index: "secretIndex", normalize: "email", scope: "tenant", indexBytes: "16" },
            other: {},
          },
        },
      });
      const thingModel = modelOf(schema, "Thing");
      const index = thingModel.encrypted.get("secret")?.index;
      expect(index?.column).toBe("secretIndex");
      expect(index?.blind).toMatchObject({
        scope: "tenant",
        normalizers: ["email"],
        bytes: 16,
        foldsCase: true,
      });
      expect(thingModel.encrypted.get("other")?.index).toBeUndefined();
      expect([...thingModel.indexColumns.keys()]).toEqual(["secretIndex"]);
    });

    it.each<[string, unknown, RegExp]>([
      ["a missing column", { index: "nope" }, /index column "nope" does not exist/],
      ["a non-String column", { index: "counter" }, /must be a String column, not Int/],
      ["a list column", { index: "labels" }, /must be a String column, not String\[\]/],
      ["a relation", { index: "tenant" }, /must be a String column, not a relation/],
      ["an encrypted column", { index: "other" }, /index column "other" is encrypted/],
      ["a context field", { index: "tenantId" }, /is a key context field/],
      ["an empty name", { index: "" }, /index must name the String column/],
      ["a non-string name", { index: 3 }, /index must name the String column/],
      ["normalize without index", { normalize: "email" }, /normalize applies to a blind index/],
      ["scope without index", { scope: "tenant" }, /scope applies to a blind index/],
      ["indexBytes without index", { indexBytes: 16 }, /indexBytes applies to a blind index/],
      ["an unknown normalizer", { index: "secretIndex", normalize: "upper" }, /unknown normalizer "upper"/],
      ["a non-string normalizer", { index: "secretIndex", normalize: 5 }, /normalize is a normalizer name/],
      ["a bad scope", { index: "secretIndex", scope: "org" }, /scope must be "global" or "tenant"/],
      [
        "too few bytes",
        { index: "secretIndex", indexBytes: 8 },
        /index bytes must be an integer from 16 to 32/,
      ],
      ["too many bytes", { index: "secretIndex", indexBytes: "64" }, /index bytes must be an integer/],
    ])("refuses a blind index on %s", (_what, options, message) => {
      const error = thrownVaultError(() =>
        build({ Thing: { context: ["tenantId"], fields: { secret: options, other: {} } } }),
      );
      expect(error).toEqual(configError("Thing", "secret"));
      expect(error.message).toMatch(message);
    });

    it("a field renamed with aadAs keeps its index key, so its stored indexes still match", () => {
      const index = (fields: object) =>
        modelOf(build({ Thing: { context: ["tenantId"], fields } }), "Thing").encrypted.get("secret")?.index
          ?.blind;
      const renamed = index({ secret: { index: "secretIndex", aadAs: "Thing.other" }, other: {} });
      const before = modelOf(
        build({ Thing: { context: ["tenantId"], fields: { other: { index: "otherIndex" }, secret: {} } } }),
        "Thing",
      ).encrypted.get("other")?.index?.blind;
      expect(renamed?.compute("v")).toBe(before?.compute("v"));
      expect(index({ secret: { index: "secretIndex" }, other: {} })?.compute("v")).not.toBe(
        before?.compute("v"),
      );
    });

    it("refuses a primary-key column and a column indexing two fields", () => {
      const keyed = dataModel(
        model("K", [
          scalar("code", "String", { isId: true }),
          scalar("tenantId"),
          scalar("a"),
          scalar("b"),
          scalar("ix"),
        ]),
      );
      const fields = (a: object, b: object) => ({ K: { context: ["tenantId"], fields: { a, b } } });
      expect(() => build(fields({ index: "code" }, {}), keyed)).toThrow(/part of the primary key/);
      const twice = thrownVaultError(() => build(fields({ index: "ix" }, { index: "ix" }), keyed));
      expect(twice).toEqual(configError("K", "b"));
      expect(twice.message).toMatch(/"ix" already indexes a/);
    });

    it("a blind index without an index secret is a VaultConfigError naming both ways to give one", () => {
      const error = thrownVaultError(() =>
        build(
          { Thing: { context: ["tenantId"], fields: { secret: { index: "secretIndex" } } } },
          zoo,
          "reject",
          null,
        ),
      );
      expect(error).toEqual(configError("Thing", "secret"));
      expect(error.message).toMatch(/indexSecret.*PRISMA_VAULT_INDEX_KEY/);
      // Without an index, no secret is needed.
      expect(() =>
        build({ Thing: { context: ["tenantId"], fields: { secret: {} } } }, zoo, "reject", null),
      ).not.toThrow();
    });

    it("aad none seals without associated data; aadAs keeps a renamed field's", () => {
      const schema = build({
        Thing: { context: ["tenantId"], fields: { secret: { aad: "none" }, other: { aadAs: "Old.field" } } },
      });
      const fields = modelOf(schema, "Thing").encrypted;
      expect(fields.get("secret")?.aad).toBeUndefined();
      expect(fields.get("other")?.aad).toEqual({ model: "Old", field: "field" });
    });

    it("a field's plaintext option overrides the extension-wide default", () => {
      const models = {
        Thing: { context: ["tenantId"], fields: { secret: {}, other: { plaintext: "reject" } } },
      };
      const fields = modelOf(build(models, zoo, "read"), "Thing").encrypted;
      expect(fields.get("secret")?.plaintext).toBe("read");
      expect(fields.get("other")?.plaintext).toBe("reject");
    });
  });

  describe("primary key", () => {
    it("is the compound @@id, else the @id field, else a field named id, else none", () => {
      const keys = (m: DataModel) => modelOf(buildVaultSchema(m, {}, "reject"), "M").primaryKey;
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

describe("contextOf", () => {
  const user = modelOf(testSchema(), "User");

  it("a list context uses the field names as keys and returns a frozen context", () => {
    const schema = build({ Thing: { context: ["tenantId", "c0"], fields: { secret: {} } } });
    const context = modelOf(schema, "Thing").contextOf({ tenantId: "t1", c0: "x", secret: "s" });
    expect(context).toEqual({ tenantId: "t1", c0: "x" });
    expect(Object.isFrozen(context)).toBe(true);
  });

  it("a record context maps its keys to fields", () => {
    const schema = build({ Thing: { context: { tenant_id: "tenantId" }, fields: { secret: {} } } });
    expect(modelOf(schema, "Thing").contextOf({ tenantId: "t1" })).toEqual({ tenant_id: "t1" });
    expect(modelOf(testSchema(), "Post").contextOf({ organizationId: "o1" })).toEqual({ org: "o1" });
  });

  it("adds staticContext to every row's context", () => {
    const schema = thing({ staticContext: { app: "crm" } });
    expect(modelOf(schema, "Thing").contextOf({ tenantId: "t1" })).toEqual({ tenantId: "t1", app: "crm" });
  });

  it("accepts a context of staticContext alone, with no context fields", () => {
    const only = modelOf(thing({ context: {}, staticContext: { app: "crm" } }), "Thing");
    expect(only.contextFields).toEqual([]);
    expect(only.contextOf({})).toEqual({ app: "crm" });
  });

  it.each([
    ["an empty value", { app: "" }],
    ["a number value", { app: 1 }],
    ["11 pairs", Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"]))],
  ])("refuses a staticContext with %s", (_what, staticContext) => {
    expect(() => thing({ context: {}, staticContext })).toThrow(configError("Thing"));
  });

  it("refuses a staticContext key that would overwrite a context field's value", () => {
    expect(() => thing({ context: { tenant: "tenantId" }, staticContext: { tenant: "crm" } })).toThrow(
      configError("Thing"),
    );
  });

  it('accepts a record context with a key named "derive"', () => {
    const schema = thing({ context: { derive: "tenantId" } });
    expect(modelOf(schema, "Thing").contextOf({ tenantId: "t1" })).toEqual({ derive: "t1" });
  });

  it("numbers and bigints become strings", () => {
    expect(user.contextOf({ organizationId: 42 })).toEqual({ organizationId: "42" });
    expect(user.contextOf({ organizationId: 7n })).toEqual({ organizationId: "7" });
  });

  it.each([
    ["missing", {}],
    ["undefined", { organizationId: undefined }],
    ["null", { organizationId: null }],
  ])(
    "a %s context field is VAULT_CONTEXT_MISSING naming model, field and id, never the values",
    (_w, row) => {
      const error = thrownVaultError(() =>
        user.contextOf({ ...row, email: "alice@example.com", ssn: "078-05-1120" }, 7),
      );
      expect(error).toMatchObject({
        code: "VAULT_CONTEXT_MISSING",
        model: "User",
        field: "organizationId",
        id: 7,
      });
      expect(error.message).toContain("User.organizationId");
      expect(error.message).not.toContain("alice@example.com");
      expect(error.message).not.toContain("078-05-1120");
    },
  );

  it("a missing second context field is reported without the first one's value", () => {
    const schema = build({ Thing: { context: ["tenantId", "c0"], fields: { secret: {} } } });
    const error = thrownVaultError(() =>
      modelOf(schema, "Thing").contextOf({ tenantId: "tenant-secret-name" }),
    );
    expect(error).toMatchObject({ code: "VAULT_CONTEXT_MISSING", model: "Thing", field: "c0" });
    expect(error.message).not.toContain("tenant-secret-name");
  });

  it.each([
    ["an object", { id: "o1" }],
    ["an array", ["o1"]],
    ["a boolean", true],
    ["a Date", new Date(0)],
  ])("a context field holding %s is VAULT_CONTEXT_INVALID", (_what, value) => {
    const error = thrownVaultError(() => user.contextOf({ organizationId: value }, 3));
    expect(error).toMatchObject({
      code: "VAULT_CONTEXT_INVALID",
      model: "User",
      field: "organizationId",
      id: 3,
    });
  });

  it("an empty string is VAULT_CONTEXT_INVALID naming the model", () => {
    const error = thrownVaultError(() => user.contextOf({ organizationId: "" }, 3));
    expect(error).toMatchObject({ code: "VAULT_CONTEXT_INVALID", model: "User", id: 3 });
  });

  describe("derived context", () => {
    const seen: Row[] = [];
    const derived = modelOf(
      build({
        Thing: {
          context: {
            fields: ["tenantId", "c0"],
            derive: (row: Row) => {
              seen.push(row);
              return { tenant: `${String(row["tenantId"])}/${String(row["c0"])}` };
            },
          },
          staticContext: { app: "crm" },
          fields: { secret: {} },
        },
      }),
      "Thing",
    );

    it("calls derive with only the declared fields and adds staticContext", () => {
      seen.length = 0;
      expect(derived.contextFields).toEqual(["tenantId", "c0"]);
      expect(derived.contextOf({ tenantId: "t1", c0: "eu", secret: "s", other: "o" })).toEqual({
        tenant: "t1/eu",
        app: "crm",
      });
      expect(seen).toEqual([{ tenantId: "t1", c0: "eu" }]);
    });

    it("a missing declared field is VAULT_CONTEXT_MISSING before derive runs", () => {
      seen.length = 0;
      expect(thrownVaultError(() => derived.contextOf({ tenantId: "t1" }))).toMatchObject({
        code: "VAULT_CONTEXT_MISSING",
        model: "Thing",
        field: "c0",
      });
      expect(seen).toEqual([]);
    });

    const bad = (derive: (row: Row) => unknown) =>
      modelOf(
        build({ Thing: { context: { fields: ["tenantId"], derive }, fields: { secret: {} } } }),
        "Thing",
      );

    it("a derive() that returns something else than string pairs is VAULT_CONTEXT_INVALID", () => {
      for (const answer of [{}, { t: 1 }, { t: "" }, null]) {
        expect(thrownVaultError(() => bad(() => answer).contextOf({ tenantId: "t1" }))).toMatchObject({
          code: "VAULT_CONTEXT_INVALID",
          model: "Thing",
        });
      }
    });

    it("a derive() that returns a string or an array is VAULT_CONTEXT_INVALID", () => {
      for (const answer of ["t1", ["t1"]]) {
        expect(thrownVaultError(() => bad(() => answer).contextOf({ tenantId: "t1" }))).toMatchObject({
          code: "VAULT_CONTEXT_INVALID",
          model: "Thing",
        });
      }
    });
  });

  it("the test models validate against the test data model", () => {
    expect(() => buildVaultSchema(testDataModel, testModels, "reject", indexSecret)).not.toThrow();
  });
});

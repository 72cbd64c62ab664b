import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateContext } from "../../src/context/key-context.js";
import { buildVaultSchema } from "../../src/schema/build.js";
import { contextSource } from "../../src/schema/context-source.js";
import type { ModelOptions, Row } from "../../src/schema/options.js";
import { modelOf, scalar, testDataModel, testModels, testSchema } from "../support/datamodel.js";
import { thrownVaultError } from "../support/errors.js";
import { registerSecrets } from "../support/secrets.js";
import { build, configError, indexSecret, thing } from "../support/zoo.js";

describe("buildVaultSchema", () => {
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
    expect(() =>
      buildVaultSchema(testDataModel, testModels, { plaintext: "reject", indexSecret: indexSecret }),
    ).not.toThrow();
  });
});

/** Thing's columns, by name, as buildVaultSchema hands them to contextSource. */
const columns = new Map(
  [scalar("id", "Int"), scalar("tenantId"), scalar("region"), scalar("n", "Int")].map((f) => [f.name, f]),
);
const source = (options: unknown, required = true) =>
  contextSource("Thing", columns, options as ModelOptions, required);

describe("contextSource", () => {
  registerSecrets("tenant-value-secret", "derived-value-secret");

  it("no context and nothing encrypted: no fields, and a row has no context to give", () => {
    const none = source(undefined, false);
    expect(none.fields).toEqual([]);
    expect(thrownVaultError(() => none.of({ tenantId: "t1" }))).toMatchObject({
      code: "VAULT_CONTEXT_INVALID",
      model: "Thing",
    });
  });

  it("two context keys may read one field: the field is listed once, both keys get its value", () => {
    const both = source({ context: { a: "tenantId", b: "tenantId" } });
    expect(both.fields).toEqual(["tenantId"]);
    expect(both.of({ tenantId: "t1" })).toEqual({ a: "t1", b: "t1" });
  });

  it("zero is a value, not a missing field; unicode values are kept as they are", () => {
    const ctx = source({ context: ["n", "tenantId"] });
    expect(ctx.of({ n: 0, tenantId: "Zürich 東京" })).toEqual({ n: "0", tenantId: "Zürich 東京" });
  });

  it("a derived context may read more than 10 fields: only its answer is bounded", () => {
    const wide = new Map(Array.from({ length: 12 }, (_, i) => [`f${i}`, scalar(`f${i}`)]));
    const fields = [...wide.keys()];
    const ctx = contextSource(
      "Wide",
      wide,
      { context: { fields, derive: () => ({ t: "x" }) }, fields: {} },
      true,
    );
    expect(ctx.fields).toEqual(fields);
    expect(ctx.of(Object.fromEntries(fields.map((f) => [f, "v"])))).toEqual({ t: "x" });
  });

  it("derive gets a copy of the declared fields: changing it leaves the row alone", () => {
    const row = { tenantId: "t1", region: "eu" };
    const ctx = source({
      context: {
        fields: ["tenantId"],
        derive: (given: Record<string, unknown>) => {
          given["tenantId"] = "changed";
          return { t: String(given["tenantId"]) };
        },
      },
    });
    expect(ctx.of(row)).toEqual({ t: "changed" });
    expect(row).toEqual({ tenantId: "t1", region: "eu" });
  });

  it("a row is read, never changed, and the context is a new frozen object", () => {
    const row = Object.freeze({ tenantId: "t1", region: "eu" });
    const context = source({ context: ["tenantId", "region"], staticContext: { app: "crm" } }).of(row);
    expect(context).toEqual({ tenantId: "t1", region: "eu", app: "crm" });
    expect(Object.isFrozen(context)).toBe(true);
  });

  it("rows with the same context values share one frozen context; no two sets of values share one", () => {
    // Values that run into each other when joined ("a" + "b:c" and "a:b" + "c") are the memo's risk.
    const value = fc.oneof(
      fc.constantFrom("1", "1:", ":1", "1:1", "11", "a"),
      fc.string({ minLength: 1, maxLength: 4 }),
    );
    const ctx = source({ context: ["tenantId", "region"], staticContext: { app: "crm" } });
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 30 }), (pairs) => {
        for (const [tenantId, region] of pairs) {
          const context = ctx.of({ tenantId, region });
          expect(context).toEqual(validateContext({ tenantId, region, app: "crm" }));
          expect(Object.isFrozen(context)).toBe(true);
          expect(ctx.of({ tenantId, region })).toBe(context);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a context given once is still right after thousands of other tenants came and went", () => {
    const ctx = source({ context: ["tenantId"] });
    const first = ctx.of({ tenantId: "t0" });
    for (let i = 1; i < 10_000; i++) expect(ctx.of({ tenantId: `t${i}` })).toEqual({ tenantId: `t${i}` });
    expect(ctx.of({ tenantId: "t0" })).toEqual(first);
    expect(ctx.of({ tenantId: 7 })).toEqual({ tenantId: "7" });
  });

  it("a row whose context is refused is refused every time, as the first", () => {
    const ctx = source({ context: ["tenantId"] });
    for (let i = 0; i < 3; i++) {
      expect(thrownVaultError(() => ctx.of({ tenantId: "" }, 1))).toMatchObject({
        code: "VAULT_CONTEXT_INVALID",
      });
      expect(thrownVaultError(() => ctx.of({ tenantId: null }, 1))).toMatchObject({
        code: "VAULT_CONTEXT_MISSING",
      });
    }
  });

  it("a derive() answer with a __proto__ key (as JSON.parse makes it) is VAULT_CONTEXT_INVALID", () => {
    const answer = JSON.parse('{"t": "x", "__proto__": "y"}') as Row;
    const ctx = source({ context: { fields: ["tenantId"], derive: () => answer } });
    expect(thrownVaultError(() => ctx.of({ tenantId: "t1" }))).toMatchObject({
      code: "VAULT_CONTEXT_INVALID",
      model: "Thing",
    });
  });

  it("a record context with a __proto__ key (as JSON.parse makes it) is refused when the schema is built", () => {
    const context = JSON.parse('{"__proto__": "tenantId"}') as Row;
    expect(() => source({ context })).toThrow(configError("Thing"));
  });

  it("errors about a row's values name model, field and id, never the values", () => {
    const ctx = source({ context: ["tenantId", "region"] });
    const missing = thrownVaultError(() => ctx.of({ tenantId: "tenant-value-secret" }, 5));
    expect(missing).toMatchObject({ code: "VAULT_CONTEXT_MISSING", model: "Thing", field: "region", id: 5 });
    const derived = source({
      context: { fields: ["tenantId"], derive: () => ({ t: "derived-value-secret", e: "" }) },
    });
    expect(thrownVaultError(() => derived.of({ tenantId: "tenant-value-secret" }, 5))).toMatchObject({
      code: "VAULT_CONTEXT_INVALID",
      id: 5,
    });
  });

  // The staticContext-overlap check looks at own keys only: a record context key named like an
  // Object.prototype member is not mistaken for a staticContext key.
  it.each(["toString", "constructor", "valueOf"])(
    "a record context key named %s, an Object.prototype member, is accepted",
    (key) => {
      expect(source({ context: { [key]: "tenantId" } }).of({ tenantId: "t1" })).toEqual({ [key]: "t1" });
    },
  );
});

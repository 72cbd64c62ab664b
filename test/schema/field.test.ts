import { describe, expect, it } from "vitest";
import { blindIndexOf } from "../../src/core/blind-index.js";
import type { BlindIndexSpec } from "../../src/schema/blind-index-spec.js";
import { describe as describeColumn, encryptedField } from "../../src/schema/field.js";
import type { FieldOptions } from "../../src/schema/options.js";
import { dataModel, model, modelOf, scalar, testSchema } from "../support/datamodel.js";
import { thrownVaultError } from "../support/errors.js";
import { registerSecrets } from "../support/secrets.js";
import { build, configError, indexSecret, secretWith, thing, zoo } from "../support/zoo.js";

// Every refusal below goes through thrownVaultError, which fails on an error that shows the secret.
registerSecrets(indexSecret);

describe("buildVaultSchema", () => {
  it("binds the default associated data to the field's own model and name", () => {
    expect(modelOf(testSchema(), "User").encrypted.get("ssn")).toEqual({
      model: "User",
      name: "ssn",
      aad: { model: "User", field: "ssn" },
      plaintext: "reject",
    });
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
      const computed = (spec: BlindIndexSpec | undefined) => blindIndexOf(spec!).compute("v");
      expect(computed(renamed)).toBe(computed(before));
      expect(computed(index({ secret: { index: "secretIndex" }, other: {} }))).not.toBe(computed(before));
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
});

const column = scalar("secret");
const field = (options: unknown, plaintext: "reject" | "read" = "reject", secret?: Uint8Array) =>
  encryptedField("Thing", column, "secret", options as FieldOptions, {
    plaintext: plaintext,
    indexSecret: secret,
  });

describe("encryptedField", () => {
  it("empty options: default associated data, the extension's plaintext mode, no index", () => {
    expect(field({}, "read")).toEqual({
      model: "Thing",
      name: "secret",
      aad: { model: "Thing", field: "secret" },
      plaintext: "read",
      index: undefined,
    });
  });

  it('aad: "default" is the same as leaving it out', () => {
    expect(field({ aad: "default" })).toEqual(field({}));
  });

  it("aadAs accepts non-ASCII model and field names", () => {
    expect(field({ aadAs: "Ännchen.grüße" }).aad).toEqual({ model: "Ännchen", field: "grüße" });
  });

  it.each([
    ["a tab", "A.b\tc"],
    ["a newline", "A\n.b"],
    ["an empty model", ".b"],
    ["an empty field", "A."],
  ])("refuses an aadAs with %s", (_what, aadAs) => {
    expect(() => field({ aadAs })).toThrow(configError("Thing", "secret"));
  });

  it("a __proto__ option (as JSON.parse makes it) is an unknown option, not a prototype", () => {
    const options = JSON.parse('{"__proto__": {"aad": "none"}}') as unknown;
    const error = thrownVaultError(() => field(options));
    expect(error).toEqual(configError("Thing", "secret"));
    expect(error.message).toMatch(/unknown field option "__proto__"/);
  });

  it("index bytes from 16 to 32 are accepted, as numbers or strings", () => {
    for (const indexBytes of [16, "16", 32, "32"]) {
      expect(field({ index: "secretIndex", indexBytes }, "reject", indexSecret).index?.blind).toMatchObject({
        bytes: Number(indexBytes),
      });
    }
  });

  it("a list of normalizers is accepted", () => {
    const index = field(
      { index: "secretIndex", normalize: ["trim", "lowercase"] },
      "reject",
      indexSecret,
    ).index;
    expect(index?.blind).toMatchObject({ normalizers: ["trim", "lowercase"] });
  });

  it("a field's blind index is plain data in the schema: its settings, never a BlindIndex or the secret", () => {
    const index = field(
      { index: "secretIndex", normalize: "email", scope: "tenant" },
      "reject",
      indexSecret,
    ).index;
    expect(Object.getPrototypeOf(index?.blind)).toBe(Object.prototype);
    expect(structuredClone(index)).toEqual(index);
    expect(JSON.stringify(index)).not.toContain(Buffer.from(indexSecret).toString("base64"));
  });

  it("refuses a column the data model does not have, before reading the options", () => {
    const error = thrownVaultError(() =>
      encryptedField("Thing", undefined, "gone", null as unknown as FieldOptions, {
        plaintext: "reject",
        indexSecret: undefined,
      }),
    );
    expect(error).toEqual(configError("Thing", "gone"));
    expect(error.message).toMatch(/no such field/);
  });

  it("leaves the options it is given as they were", () => {
    const options = Object.freeze({ index: "secretIndex", normalize: "email", aadAs: "Old.secret" });
    const copy = { ...options };
    field(options, "reject", indexSecret);
    expect(options).toEqual(copy);
  });
});

describe("describe (a column in an error)", () => {
  it("names a scalar by its type, a list with [], a relation by its target", () => {
    expect(describeColumn(scalar("n", "Int"))).toBe("Int");
    expect(describeColumn(scalar("tags", "String", { isList: true }))).toBe("String[]");
    expect(describeColumn({ name: "org", kind: "object", type: "Organization" })).toBe(
      "a relation to Organization",
    );
  });
});

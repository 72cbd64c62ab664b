import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { annotationsOf } from "../../src/schema/annotations.js";
import { buildVaultSchema } from "../../src/schema/build.js";
import type { DataModel, GeneratedVaultSchema } from "../../src/schema/datamodel.js";
import { dataModel, model, scalar, testDataModel, testModels } from "../support/datamodel.js";

/** A model `M` with `modelDoc` on the model and `fieldDoc` on its String field `secret`. */
function annotated(modelDoc: string | undefined, fieldDoc?: string): DataModel {
  return dataModel(
    model(
      "M",
      [
        scalar("id", "Int", { isId: true }),
        scalar("organizationId"),
        scalar("region"),
        scalar("secret", "String", fieldDoc === undefined ? {} : { documentation: fieldDoc }),
      ],
      modelDoc === undefined ? {} : { documentation: modelDoc },
    ),
  );
}

function configError(field?: string) {
  return expect.objectContaining({
    name: "VaultConfigError",
    code: "VAULT_CONFIG",
    model: "M",
    field,
  }) as Error;
}

const generated = new URL("../generated/sqlite/vault/vault-schema.json", import.meta.url);

describe("annotationsOf", () => {
  it("reads the test schema's annotations as the equivalent models map", () => {
    expect(annotationsOf(testDataModel)).toEqual(testModels);
  });

  it.skipIf(!existsSync(generated))(
    "the generator's document for schema.template.prisma has the same models, fields and annotations",
    () => {
      const document = JSON.parse(readFileSync(generated, "utf8")) as GeneratedVaultSchema;
      const outline = (m: DataModel) =>
        Object.values(m.models).map((entry) => ({
          name: entry.name,
          documentation: entry.documentation,
          fields: entry.fields.map((f) => [
            f.name,
            f.kind,
            f.type,
            f.isList === true,
            f.relationFromFields ?? [],
            f.documentation,
          ]),
        }));
      expect(outline(document.datamodel)).toEqual(outline(testDataModel));
      expect(annotationsOf(document.datamodel)).toEqual(testModels);
    },
  );

  it("leaves out models without annotations", () => {
    expect(annotationsOf(annotated(undefined))).toEqual({});
    expect(annotationsOf(annotated("A model about things."))).toEqual({});
  });

  it("@encrypted alone gives a field with default options", () => {
    expect(annotationsOf(annotated("@vault.context(organizationId)", "@encrypted"))).toEqual({
      M: { context: { organizationId: "organizationId" }, fields: { secret: {} } },
    });
    expect(annotationsOf(annotated("@vault.context(organizationId)", "@encrypted()"))["M"]?.fields).toEqual({
      secret: {},
    });
  });

  it("@encrypted(aad: none, plaintext: read) gives those options as strings", () => {
    const models = annotationsOf(annotated(undefined, "@encrypted(aad: none, plaintext: read)"));
    expect(models["M"]?.fields).toEqual({ secret: { aad: "none", plaintext: "read" } });
  });

  it("an option value may be bare or quoted", () => {
    const bare = annotationsOf(annotated(undefined, "@encrypted(aadAs: Old.secret)"));
    const quoted = annotationsOf(annotated(undefined, '@encrypted(aadAs: "Old.secret")'));
    expect(bare["M"]?.fields).toEqual({ secret: { aadAs: "Old.secret" } });
    expect(quoted).toEqual(bare);
  });

  it("a word that only starts with @encrypted is not the tag", () => {
    expect(annotationsOf(annotated(undefined, "@encryptedly stored elsewhere"))).toEqual({});
  });

  it("@vault.context(organizationId) maps the field to a context key of the same name", () => {
    expect(annotationsOf(annotated("@vault.context(organizationId)"))).toEqual({
      M: { context: { organizationId: "organizationId" }, fields: {} },
    });
  });

  it('@vault.context(org: organizationId, app: "crm") maps a key to a field and a quoted value to staticContext', () => {
    expect(annotationsOf(annotated('@vault.context(org: organizationId, app: "crm")'))["M"]).toEqual({
      context: { org: "organizationId" },
      staticContext: { app: "crm" },
      fields: {},
    });
  });

  it("reads tags out of multi-line documentation, arguments spread over lines", () => {
    const models = annotationsOf(
      annotated(
        'Rows of M.\nEach belongs to an organization.\n@vault.context(\n  organizationId,\n  region: region,\n  app: "crm"\n)\nThe end.',
        "The secret.\n@encrypted(\n  aad: none\n)\nShown to admins only.",
      ),
    );
    expect(models).toEqual({
      M: {
        context: { organizationId: "organizationId", region: "region" },
        staticContext: { app: "crm" },
        fields: { secret: { aad: "none" } },
      },
    });
  });

  it("tolerates spaces around the parentheses and the colon", () => {
    const models = annotationsOf(
      annotated("@vault.context ( org :organizationId )", "@encrypted ( aad:none )"),
    );
    expect(models["M"]).toEqual({ context: { org: "organizationId" }, fields: { secret: { aad: "none" } } });
  });

  it("encrypted fields without @vault.context get an empty context, which validation refuses naming the model", () => {
    const models = annotationsOf(annotated(undefined, "@encrypted"));
    expect(models).toEqual({ M: { context: [], fields: { secret: {} } } });
    expect(() =>
      buildVaultSchema(annotated(undefined, "@encrypted"), models, { plaintext: "reject" }),
    ).toThrow(configError());
  });

  it("option values are checked by the schema validation, naming model and field", () => {
    for (const doc of [
      "@encrypted(aad: sometimes)",
      "@encrypted(index: secret_idx)",
      "@encrypted(plaintext: yes)",
    ]) {
      const datamodel = annotated("@vault.context(organizationId)", doc);
      expect(() => buildVaultSchema(datamodel, annotationsOf(datamodel), { plaintext: "reject" })).toThrow(
        configError("secret"),
      );
    }
  });

  it("refuses an unknown @encrypted option, naming model, field and the allowed options", () => {
    expect(() => annotationsOf(annotated(undefined, "@encrypted(add: none)"))).toThrow(configError("secret"));
    expect(() => annotationsOf(annotated(undefined, "@encrypted(add: none)"))).toThrow(
      /unknown @encrypted option "add" \(expected one of aad, aadAs, plaintext/,
    );
  });

  it("refuses an @encrypted option without a value", () => {
    expect(() => annotationsOf(annotated(undefined, "@encrypted(aad)"))).toThrow(configError("secret"));
    expect(() => annotationsOf(annotated(undefined, "@encrypted(aad)"))).toThrow(/"aad" needs a value/);
  });

  it.each([
    ["an equals sign", "aad = none"],
    ["an unclosed quote", 'aadAs: "Old.secret'],
    ["a space inside a value", "aad: no ne"],
    ["two colons", "aad: none: default"],
    ["a key starting with a digit", "1aad: none"],
  ])("refuses @encrypted arguments with %s", (_what, argument) => {
    expect(() => annotationsOf(annotated(undefined, `@encrypted(${argument})`))).toThrow(
      configError("secret"),
    );
    expect(() => annotationsOf(annotated(undefined, `@encrypted(${argument})`))).toThrow(
      /cannot read annotation argument/,
    );
  });

  it.each([
    ["a space inside a name", "organization id"],
    ["a key starting with a digit", "1org: organizationId"],
    ["an equals sign", "org = organizationId"],
  ])("refuses @vault.context arguments with %s, naming the model", (_what, argument) => {
    expect(() => annotationsOf(annotated(`@vault.context(${argument})`))).toThrow(configError());
  });

  it("a quoted static context value may contain a comma", () => {
    expect(annotationsOf(annotated('@vault.context(organizationId, app: "crm, eu")'))["M"]).toEqual({
      context: { organizationId: "organizationId" },
      staticContext: { app: "crm, eu" },
      fields: {},
    });
  });
});

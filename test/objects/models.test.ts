import { describe, expect, it } from "vitest";
import { checkObjectModels, OBJECT_MODELS } from "../../src/objects/models.js";
import type { DataModel, DataModelField } from "../../src/schema/datamodel.js";
import { thrownVaultError } from "../support/errors.js";

/** The README's models, as the generator (DMMF) describes them. */
function readmeModels(): DataModel {
  const models: Record<string, { name: string; fields: DataModelField[] }> = {};
  for (const [name, rules] of Object.entries(OBJECT_MODELS)) {
    models[name] = {
      name,
      fields: Object.entries(rules).map(([field, rule]) => ({
        name: field,
        kind: /^[A-Z]/.test(rule.type) && rule.type.startsWith("Vault") ? "object" : "scalar",
        type: rule.type,
        isList: rule.list === true,
        isId: rule.id === true,
        isRequired: rule.optional !== true,
        isUnique: rule.unique === true,
      })),
    };
  }
  return { models };
}

const without = (model: string, change: (fields: DataModelField[]) => DataModelField[]): DataModel => {
  const base = readmeModels();
  const target = base.models[model]!;
  return { models: { ...base.models, [model]: { ...target, fields: change([...target.fields]) } } };
};
const patched = (model: string, field: string, patch: Partial<DataModelField>) =>
  without(model, (fields) => fields.map((f) => (f.name === field ? { ...f, ...patch } : f)));

describe("checkObjectModels", () => {
  it("accepts the README's models, and the runtime data model's view of them (no optional or unique flags)", () => {
    expect(() => checkObjectModels(readmeModels())).not.toThrow();
    const loose = readmeModels();
    const bare = Object.fromEntries(
      Object.entries(loose.models).map(([name, model]) => [
        name,
        { ...model, fields: model.fields.map(({ name: n, kind, type }) => ({ name: n, kind, type })) },
      ]),
    );
    expect(() => checkObjectModels({ models: bare })).not.toThrow();
  });

  it.each([
    [
      "a missing model",
      { models: { VaultObject: readmeModels().models["VaultObject"]! } },
      "VaultObjectVersion",
      undefined,
      "model VaultObjectVersion is missing",
    ],
    [
      "a missing field",
      without("VaultObject", (f) => f.filter((x) => x.name !== "liveName")),
      "VaultObject",
      "liveName",
      "is missing",
    ],
    [
      "a wrong type",
      patched("VaultObjectVersion", "createdAt", { type: "String" }),
      "VaultObjectVersion",
      "createdAt",
      "must be of type DateTime",
    ],
    [
      "a required liveName",
      patched("VaultObject", "liveName", { isRequired: true }),
      "VaultObject",
      "liveName",
      "String?",
    ],
    [
      "an optional value",
      patched("VaultObject", "value", { isRequired: false }),
      "VaultObject",
      "value",
      "must be of type String",
    ],
    [
      "a liveName without @unique",
      patched("VaultObject", "liveName", { isUnique: false }),
      "VaultObject",
      "liveName",
      "@unique",
    ],
    ["an id that is not @id", patched("VaultObject", "id", { isId: false }), "VaultObject", "id", "@id"],
  ])("refuses %s with VAULT_CONFIG naming model and field", (_label, datamodel, model, field, text) => {
    const error = thrownVaultError(() => checkObjectModels(datamodel));
    expect([error.code, error.model, error.field]).toEqual(["VAULT_CONFIG", model, field]);
    expect(error.message).toContain(text);
  });
});

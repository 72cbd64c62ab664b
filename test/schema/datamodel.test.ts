/**
 * The generator's document (src/prisma/datamodel.ts): what fromDmmf keeps of a DMMF datamodel, and
 * which documents isGeneratedVaultSchema accepts.
 */
import { describe, expect, it } from "vitest";
import {
  fromDmmf,
  isGeneratedVaultSchema,
  withSchemaText,
  type DataModel,
} from "../../src/schema/datamodel.js";

const NOTE = {
  name: "Note",
  primaryKey: null,
  fields: [
    {
      name: "id",
      kind: "scalar",
      type: "String",
      isId: true,
      nativeType: ["VarChar", ["191"]],
      isRequired: true,
    },
    { name: "body", kind: "scalar", type: "String", nativeType: null, documentation: "@encrypted" },
  ],
} as const;

describe("fromDmmf", () => {
  it("keeps a field's native type, drops DMMF's null for none and the keys prisma-vault does not read", () => {
    const fields = fromDmmf([NOTE]).datamodel.models["Note"]?.fields;
    expect(fields).toEqual([
      { name: "id", kind: "scalar", type: "String", isId: true, nativeType: ["VarChar", ["191"]] },
      { name: "body", kind: "scalar", type: "String", documentation: "@encrypted" },
    ]);
  });

  it("records the datasource's provider when Prisma sent one", () => {
    expect(fromDmmf([NOTE], "postgresql").datamodel.provider).toBe("postgresql");
    expect(fromDmmf([NOTE]).datamodel).not.toHaveProperty("provider");
  });
});

describe("isGeneratedVaultSchema", () => {
  it("accepts a document written before provider and nativeType existed", () => {
    const old = {
      generator: "prisma-vault",
      version: 1,
      datamodel: { models: { Note: { name: "Note", fields: [] } } },
    };
    expect(isGeneratedVaultSchema(old)).toBe(true);
    expect(isGeneratedVaultSchema(fromDmmf([NOTE], "sqlite"))).toBe(true);
  });

  it("refuses what the generator did not write", () => {
    expect(isGeneratedVaultSchema(null)).toBe(false);
    expect(isGeneratedVaultSchema({ generator: "prisma-vault", version: 2, datamodel: { models: {} } })).toBe(
      false,
    );
    expect(isGeneratedVaultSchema({ generator: "prisma-vault", version: 1, datamodel: {} })).toBe(false);
  });
});

describe("withSchemaText", () => {
  const runtime = {
    models: {
      User: {
        name: "User",
        fields: [
          { name: "id", kind: "scalar", type: "Int" },
          { name: "organizationId", kind: "scalar", type: "String" },
          { name: "organization", kind: "object", type: "Organization", relationName: "OrganizationToUser" },
        ],
      },
    },
  } as const satisfies DataModel;
  const text: DataModel = {
    provider: "mysql",
    models: {
      User: {
        name: "User",
        primaryKey: null,
        documentation: "@vault.context(organizationId)",
        fields: [
          { name: "id", kind: "scalar", type: "Int", isId: true },
          { name: "organizationId", kind: "scalar", type: "String", nativeType: ["VarChar", ["64"]] },
          {
            name: "organization",
            kind: "object",
            type: "Organization",
            relationName: "OrganizationToUser",
            relationFromFields: ["organizationId"],
            relationToFields: ["id"],
            isList: false,
            documentation: "@encrypted",
          },
        ],
      },
    },
  };

  it("adds relation keys, id flags, native types and the provider, never documentation", () => {
    const merged = withSchemaText(runtime, text);
    expect(merged.provider).toBe("mysql");
    const fields = merged.models["User"]!.fields;
    expect(fields[0]).toMatchObject({ isId: true });
    expect(fields[1]).toMatchObject({ nativeType: ["VarChar", ["64"]] });
    expect(fields[2]).toMatchObject({ relationFromFields: ["organizationId"], relationToFields: ["id"] });
    expect(fields[2]?.documentation).toBeUndefined();
    expect(merged.models["User"]?.documentation).toBeUndefined();
  });

  it("keeps a model the text does not match as it is, and everything without a text", () => {
    const other: DataModel = {
      models: { User: { ...text.models["User"]!, fields: text.models["User"]!.fields.slice(0, 2) } },
    };
    expect(withSchemaText(runtime, other).models["User"]).toEqual(runtime.models.User);
    expect(withSchemaText(runtime, undefined)).toBe(runtime);
  });
});

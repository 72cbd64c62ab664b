/**
 * The generator's document (src/prisma/datamodel.ts): what fromDmmf keeps of a DMMF datamodel, and
 * which documents isGeneratedVaultSchema accepts.
 */
import { describe, expect, it } from "vitest";
import {
  fromDmmf,
  isGeneratedVaultSchema,
  withDbNames,
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
      isReadOnly: false,
    },
    { name: "body", kind: "scalar", type: "String", nativeType: null, documentation: "@encrypted" },
  ],
} as const;

describe("fromDmmf", () => {
  it("keeps a field's native type, drops DMMF's null for none and the keys prisma-vault does not read", () => {
    const fields = fromDmmf([NOTE]).datamodel.models["Note"]?.fields;
    expect(fields).toEqual([
      {
        name: "id",
        kind: "scalar",
        type: "String",
        isId: true,
        isRequired: true,
        nativeType: ["VarChar", ["191"]],
      },
      { name: "body", kind: "scalar", type: "String", documentation: "@encrypted" },
    ]);
  });

  it("keeps @@map and @map names (DMMF's dbName), drops DMMF's null for none", () => {
    const ledger = {
      name: "Ledger",
      dbName: "ledger_entries",
      primaryKey: { fields: ["tenantId", "seq"] },
      fields: [
        { name: "tenantId", kind: "scalar", type: "String", dbName: null },
        { name: "seq", kind: "scalar", type: "Int", dbName: "seq_no" },
      ],
    } as const;
    const models = fromDmmf([ledger, { ...NOTE, dbName: null }]).datamodel.models;
    expect(models["Ledger"]).toEqual({
      name: "Ledger",
      dbName: "ledger_entries",
      primaryKey: ["tenantId", "seq"],
      fields: [
        { name: "tenantId", kind: "scalar", type: "String" },
        { name: "seq", kind: "scalar", type: "Int", dbName: "seq_no" },
      ],
    });
    expect(models["Note"]).not.toHaveProperty("dbName");
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

  it("adds the text's table and column names where the base has none", () => {
    const mapped: DataModel = {
      models: {
        User: {
          ...text.models["User"]!,
          dbName: "users",
          fields: text.models["User"]!.fields.map((f) => (f.name === "id" ? { ...f, dbName: "user_id" } : f)),
        },
      },
    };
    const merged = withSchemaText(runtime, mapped);
    expect(merged.models["User"]?.dbName).toBe("users");
    expect(merged.models["User"]?.fields[0]?.dbName).toBe("user_id");
    expect(merged.models["User"]?.fields[1]).not.toHaveProperty("dbName");
    expect(withSchemaText(runtime, text).models["User"]).not.toHaveProperty("dbName");
  });

  it("keeps a model the text does not match as it is, and everything without a text", () => {
    const other: DataModel = {
      models: { User: { ...text.models["User"]!, fields: text.models["User"]!.fields.slice(0, 2) } },
    };
    expect(withSchemaText(runtime, other).models["User"]).toEqual(runtime.models.User);
    expect(withSchemaText(runtime, undefined)).toBe(runtime);
  });
});

describe("withDbNames", () => {
  const generated: DataModel = {
    provider: "sqlite",
    models: {
      Ledger: {
        name: "Ledger",
        primaryKey: ["tenantId", "seq"],
        fields: [
          { name: "tenantId", kind: "scalar", type: "String" },
          { name: "seq", kind: "scalar", type: "Int" },
        ],
      },
    },
  };
  const runtime: DataModel = {
    models: {
      Ledger: {
        name: "Ledger",
        dbName: "ledger_entries",
        fields: [
          { name: "tenantId", kind: "scalar", type: "String" },
          { name: "seq", kind: "scalar", type: "Int", dbName: "seq_no" },
        ],
      },
    },
  };

  it("a document written before names were recorded takes the client's table and column names", () => {
    const named = withDbNames(generated, runtime);
    expect(named.provider).toBe("sqlite");
    expect(named.models["Ledger"]).toEqual({
      ...generated.models["Ledger"],
      dbName: "ledger_entries",
      fields: [
        { name: "tenantId", kind: "scalar", type: "String" },
        { name: "seq", kind: "scalar", type: "Int", dbName: "seq_no" },
      ],
    });
  });

  it("keeps the document's own names, and returns it as it is when there is nothing to add", () => {
    const named = withDbNames(generated, runtime);
    expect(withDbNames(named, runtime)).toBe(named);
    const own = withDbNames(named, { models: { Ledger: { ...runtime.models["Ledger"]!, dbName: "other" } } });
    expect(own.models["Ledger"]?.dbName).toBe("ledger_entries");
    expect(withDbNames(generated, undefined)).toBe(generated);
    expect(withDbNames(generated, { models: {} })).toBe(generated);
  });
});

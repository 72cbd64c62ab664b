/**
 * The generator's document (src/prisma/datamodel.ts): what fromDmmf keeps of a DMMF datamodel, and
 * which documents isGeneratedVaultSchema accepts.
 */
import { describe, expect, it } from "vitest";
import { fromDmmf, isGeneratedVaultSchema } from "../../src/prisma/datamodel.js";

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

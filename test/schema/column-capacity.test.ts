import { describe, expect, it } from "vitest";
import { columnCapacity, MIN_ENVELOPE_COLUMN } from "../../src/schema/column-capacity.js";
import { buildVaultSchema } from "../../src/schema/build.js";
import { dataModel, model, scalar } from "../support/datamodel.js";
import { thrownVaultError } from "../support/errors.js";

describe("columnCapacity", () => {
  it("knows MySQL's String (VARCHAR(191)), its text types and declared lengths; unbounded columns are undefined", () => {
    expect(columnCapacity("mysql", undefined)).toBe(191);
    expect(columnCapacity("mysql", ["TinyText", []])).toBe(255);
    expect(columnCapacity("mysql", ["Text", []])).toBe(65_535);
    expect(columnCapacity("mysql", ["MediumText", []])).toBe(16_777_215);
    expect(columnCapacity("mysql", ["LongText", []])).toBe(4_294_967_295);
    expect(columnCapacity("mysql", ["VarChar", ["2000"]])).toBe(2000);
    expect(columnCapacity("postgresql", ["VarChar", ["600"]])).toBe(600);
    expect(columnCapacity("postgresql", ["Char", ["40"]])).toBe(40);
    expect(columnCapacity("postgresql", undefined)).toBeUndefined();
    expect(columnCapacity("postgresql", ["Text", []])).toBeUndefined();
    expect(columnCapacity("sqlite", undefined)).toBeUndefined();
    expect(columnCapacity(undefined, undefined)).toBeUndefined();
  });
});

describe("encrypted columns too small for envelopes", () => {
  const schemaWith = (provider: string, nativeType?: readonly [string, readonly string[]]) =>
    buildVaultSchema(
      {
        ...dataModel(
          model("User", [
            scalar("id", "Int", { isId: true }),
            scalar("organizationId"),
            scalar("ssn", "String", nativeType ? { nativeType } : {}),
          ]),
        ),
        provider,
      },
      { User: { context: ["organizationId"], fields: { ssn: {} } } },
      { plaintext: "reject" },
    );

  it(`are refused at start-up, naming the column, below ${MIN_ENVELOPE_COLUMN} characters`, () => {
    for (const [provider, nativeType] of [
      ["mysql", undefined],
      ["mysql", ["TinyText", []]],
      ["mysql", ["VarChar", ["255"]]],
      ["postgresql", ["VarChar", ["100"]]],
    ] as const) {
      const error = thrownVaultError(() => schemaWith(provider, nativeType));
      expect(error).toMatchObject({ code: "VAULT_CONFIG", model: "User", field: "ssn" });
      expect(error.message).toContain("@db.Text");
    }
  });

  it("text columns and unbounded ones are accepted, with the bound kept for the write-time check", () => {
    expect(schemaWith("mysql", ["Text", []]).models.get("User")?.encrypted.get("ssn")?.capacity).toBe(65_535);
    expect(schemaWith("postgresql").models.get("User")?.encrypted.get("ssn")?.capacity).toBeUndefined();
    expect(schemaWith("sqlite").models.get("User")?.encrypted.get("ssn")?.capacity).toBeUndefined();
  });
});

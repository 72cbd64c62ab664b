import { describe, expect, it } from "vitest";
import {
  movingRowSelect,
  rowGuard,
  staleFields,
  writesEveryEncryptedField,
} from "../../src/prisma/moving-row.js";
import { planWrite, type WriteUnit } from "../../src/prisma/plan/write.js";
import { modelOf, testSchema } from "../support/datamodel.js";

const schema = testSchema();
const user = modelOf(schema, "User");
const account = modelOf(schema, "Account");

/** The top-level unit of an update of `model` with `data`. */
function unitOf(model: string, data: Record<string, unknown>): WriteUnit {
  const unit = planWrite(schema, model, "update", { where: { id: 1 }, data }).units[0];
  if (!unit) throw new Error("the update has no unit");
  return unit;
}

const names = (fields: readonly { name: string }[]) => fields.map((field) => field.name);

describe("staleFields", () => {
  it("lists the encrypted fields the update does not write, in the model's order", () => {
    expect(names(staleFields(user, unitOf("User", { organizationId: "o2", ssn: "1" })))).toEqual([
      "email",
      "notes",
    ]);
  });

  it("a field written as null or { set } is written: its stored value does not follow the row", () => {
    const unit = unitOf("User", { organizationId: "o2", email: null, ssn: { set: "1" } });
    expect(names(staleFields(user, unit))).toEqual(["notes"]);
  });

  it("an update that writes every encrypted field leaves nothing stale", () => {
    const unit = unitOf("User", { organizationId: "o2", email: "a", ssn: "1", notes: "n" });
    expect(staleFields(user, unit)).toEqual([]);
  });
});

describe("movingRowSelect", () => {
  it("selects the context, the primary key and the values that follow the row", () => {
    expect(movingRowSelect(user, [...user.encrypted.values()].slice(1))).toEqual({
      organizationId: true,
      id: true,
      ssn: true,
      notes: true,
    });
  });

  it("without stale values it selects what pins the row: its context and primary key", () => {
    expect(movingRowSelect(account, [])).toEqual({ organizationId: true, id: true });
  });
});

describe("writesEveryEncryptedField", () => {
  it("is true only when every encrypted field of the unit's model is in its data", () => {
    expect(
      writesEveryEncryptedField(unitOf("User", { organizationId: "o2", email: "a", ssn: "1", notes: null })),
    ).toBe(true);
    expect(writesEveryEncryptedField(unitOf("User", { organizationId: "o2", email: "a", ssn: "1" }))).toBe(
      false,
    );
  });
});

describe("rowGuard", () => {
  const row = { id: 1, organizationId: "o1", ssn: "env-1", notes: null, email: "env-e" };

  it("pins to the stored context alone when nothing is re-sealed", () => {
    expect(rowGuard(user, row, [])).toEqual({ organizationId: "o1" });
  });

  it("pins to the stored envelopes re-sealed too, a missing or null one as null", () => {
    const fields = [...user.encrypted.values()].filter((field) => field.name !== "email");
    expect(rowGuard(user, { id: 1, organizationId: "o1", ssn: "env-1" }, fields)).toEqual({
      ssn: "env-1",
      notes: null,
      organizationId: "o1",
    });
    expect(rowGuard(user, row, fields)).toEqual({ ssn: "env-1", notes: null, organizationId: "o1" });
  });

  it("does not change the row", () => {
    const before = structuredClone(row);
    rowGuard(user, row, [...user.encrypted.values()]);
    expect(row).toEqual(before);
  });
});

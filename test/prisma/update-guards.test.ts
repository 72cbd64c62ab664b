import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PrismaObject } from "../../src/client/prisma-object.js";
import { andWhere, contextEquals, storedEquals } from "../../src/prisma/update-guards.js";
import { buildVaultSchema } from "../../src/schema/build.js";
import { dataModel, model, modelOf, scalar, testSchema } from "../support/datamodel.js";
import { pkEquals } from "../../src/schema/rows.js";

const schema = testSchema();
const user = modelOf(schema, "User");

describe("andWhere", () => {
  it("adds the condition to AND, whether AND is absent, one object or a list, and keeps the rest", () => {
    const extra = { organizationId: "o1" };
    expect(andWhere({ id: 1 }, extra)).toEqual({ id: 1, AND: [extra] });
    expect(andWhere({ id: 1, AND: { name: "a" } }, extra)).toEqual({ id: 1, AND: [{ name: "a" }, extra] });
    expect(andWhere({ AND: [{ a: 1 }, { b: 2 }] }, extra)).toEqual({ AND: [{ a: 1 }, { b: 2 }, extra] });
  });

  it("never changes the caller's filter", () => {
    const filter = fc.dictionary(
      fc.constantFrom("id", "name", "AND", "OR"),
      fc.oneof(fc.nat(), fc.record({ a: fc.nat() }), fc.array(fc.record({ a: fc.nat() }), { maxLength: 3 })),
    );
    fc.assert(
      fc.property(filter, (where) => {
        const before = structuredClone(where);
        const out = andWhere(where, { pinned: true });
        expect(where).toEqual(before);
        expect((out["AND"] as unknown[]).at(-1)).toEqual({ pinned: true });
        for (const key of Object.keys(where)) if (key !== "AND") expect(out[key]).toBe(where[key]);
      }),
    );
  });
});

describe("the conditions that pin a row", () => {
  it("contextEquals compares the model's context fields, and only them", () => {
    const row: PrismaObject = { id: 1, organizationId: "o1", email: "e", name: "n" };
    expect(contextEquals(user, row)).toEqual({ organizationId: "o1" });
    expect(contextEquals(modelOf(schema, "AuditLog"), row)).toEqual({});
  });

  it("pkEquals compares every primary-key field, compound keys included", () => {
    expect(pkEquals(user, { id: 7, organizationId: "o1" })).toEqual({ id: 7 });
    const compound = buildVaultSchema(
      dataModel(model("M", [scalar("a"), scalar("b", "Int"), scalar("c")], { primaryKey: ["a", "b"] })),
      {},
      { plaintext: "reject" },
    );
    expect(pkEquals(modelOf(compound, "M"), { a: "x", b: 2, c: "y" })).toEqual({ a: "x", b: 2 });
  });

  it("storedEquals compares each field with its stored envelope, and a missing one with null", () => {
    const fields = [...user.encrypted.values()];
    expect(storedEquals(fields, { email: "ENV1", ssn: null })).toEqual({
      email: "ENV1",
      ssn: null,
      notes: null,
    });
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PrismaObject } from "../../src/client/prisma-object.js";
import { andWhere, contextEquals, rowsAlong, selectAlong, storedEquals } from "../../src/prisma/locate.js";
import { buildVaultSchema } from "../../src/schema/build.js";
import { dataModel, hasMany, model, modelOf, scalar, testSchema } from "../support/datamodel.js";
import { pkEquals } from "../../src/schema/rows.js";

const schema = testSchema();
const user = modelOf(schema, "User");
const organization = modelOf(schema, "Organization");

describe("selectAlong", () => {
  it("for the top-level row itself selects just the columns", () => {
    expect(selectAlong(schema, user, [], ["organizationId", "id"])).toEqual({
      organizationId: true,
      id: true,
    });
  });

  it("keeps a step's filter on a to-many relation", () => {
    expect(selectAlong(schema, user, [{ relation: "posts", where: { id: 3 } }], ["organizationId"])).toEqual({
      posts: { select: { organizationId: true }, where: { id: 3 } },
    });
  });

  it("drops a step's filter on a to-one relation, where Prisma takes none", () => {
    const post = modelOf(schema, "Post");
    expect(selectAlong(schema, post, [{ relation: "author", where: { id: 1 } }], ["organizationId"])).toEqual(
      {
        author: { select: { organizationId: true } },
      },
    );
  });

  it("nests step by step, each filter judged on the model the step starts from", () => {
    const locator = [
      { relation: "users", where: { id: 1 } },
      { relation: "profile", where: { id: 2 } },
    ];
    expect(selectAlong(schema, organization, locator, ["organizationId"])).toEqual({
      users: { select: { profile: { select: { organizationId: true } } }, where: { id: 1 } },
    });
    const deeper = [
      { relation: "users", where: { id: 1 } },
      { relation: "posts", where: { id: 2 } },
      { relation: "author", where: { id: 3 } },
    ];
    expect(selectAlong(schema, organization, deeper, ["id"])).toEqual({
      users: {
        select: { posts: { select: { author: { select: { id: true } } }, where: { id: 2 } } },
        where: { id: 1 },
      },
    });
  });

  it("a step without a filter has none, and a relation whose cardinality is unknown keeps its filter", () => {
    expect(selectAlong(schema, user, [{ relation: "posts" }], ["id"])).toEqual({
      posts: { select: { id: true } },
    });
    const runtime = buildVaultSchema(
      dataModel(
        model("A", [scalar("id", "Int", { isId: true }), { ...hasMany("bs", "B", "AB"), isList: undefined }]),
        model("B", [scalar("id", "Int", { isId: true })]),
      ),
      {},
      { plaintext: "reject" },
    );
    expect(
      selectAlong(runtime, modelOf(runtime, "A"), [{ relation: "bs", where: { id: 5 } }], ["id"]),
    ).toEqual({
      bs: { select: { id: true }, where: { id: 5 } },
    });
  });
});

describe("rowsAlong", () => {
  it("is the row itself for an empty locator, and nothing for no row", () => {
    const row = { id: 1 };
    expect(rowsAlong(row, [])).toEqual([row]);
    expect(rowsAlong(row, [])[0]).toBe(row);
    expect(rowsAlong(null, [])).toEqual([]);
    expect(rowsAlong(undefined, [{ relation: "posts" }])).toEqual([]);
  });

  it("follows to-one and to-many relations, skipping null and missing ones", () => {
    const profile = { id: 9 };
    const org = { users: [{ profile }, { profile: null }, {}] };
    expect(rowsAlong(org, [{ relation: "users" }, { relation: "profile" }])).toEqual([profile]);
    expect(rowsAlong(org, [{ relation: "users" }, { relation: "profile" }])[0]).toBe(profile);
    expect(rowsAlong({ author: profile }, [{ relation: "author" }])).toEqual([profile]);
  });

  it("for any result, lists the rows at the end of the path in order, each once", () => {
    const profile = fc.option(fc.record({ id: fc.nat() }), { nil: null });
    const users = fc.array(fc.record({ id: fc.nat(), profile }), { maxLength: 6 });
    fc.assert(
      fc.property(users, (list) => {
        const org = { id: "o", users: list };
        const found = rowsAlong(org, [{ relation: "users" }, { relation: "profile" }]);
        const expected = list.map((u) => u.profile).filter((p) => p !== null);
        expect(found.length).toBe(expected.length);
        found.forEach((row, i) => expect(row).toBe(expected[i]));
      }),
    );
  });
});

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

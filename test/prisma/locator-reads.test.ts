import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rowsAlong, selectAlong } from "../../src/prisma/locator-reads.js";
import { buildVaultSchema } from "../../src/schema/build.js";
import { dataModel, hasMany, model, modelOf, scalar, testSchema } from "../support/datamodel.js";

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

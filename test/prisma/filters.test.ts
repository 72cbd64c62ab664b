import { describe, expect, it } from "vitest";
import { checkQuery } from "../../src/prisma/filters.js";
import { testSchema } from "../support/datamodel.js";

const schema = testSchema();

function refusal(model: string, field: string) {
  return expect.objectContaining({ code: "VAULT_UNSUPPORTED_QUERY", model, field }) as Error;
}

type Case = readonly [what: string, model: string, operation: string, args: unknown, on: string];

/** `on` is "Model.field", the encrypted field the refusal must name. */
function expectRefused([, model, operation, args, on]: Case): void {
  const [refusedModel = "", field = ""] = on.split(".");
  expect(() => checkQuery(schema, model, operation, args)).toThrow(refusal(refusedModel, field));
}

const user = (data: unknown) => ({ where: { id: 1 }, data });
const org = (data: unknown) => ({ where: { id: "o1" }, data });

describe("checkQuery refuses", () => {
  it.each<Case>([
    ["equality", "User", "findMany", { where: { email: "a@x" } }, "User.email"],
    ["equals", "User", "findFirst", { where: { email: { equals: "a@x" } } }, "User.email"],
    ["in", "User", "findMany", { where: { ssn: { in: ["1", "2"] } } }, "User.ssn"],
    ["notIn", "User", "findMany", { where: { ssn: { notIn: ["1"] } } }, "User.ssn"],
    ["contains", "User", "findMany", { where: { email: { contains: "@x" } } }, "User.email"],
    [
      "startsWith, insensitive",
      "User",
      "findMany",
      { where: { email: { startsWith: "a", mode: "insensitive" } } },
      "User.email",
    ],
    ["not a value", "User", "findMany", { where: { email: { not: "a@x" } } }, "User.email"],
    [
      "a null check mixed with a value",
      "User",
      "findMany",
      { where: { email: { equals: null, not: "a" } } },
      "User.email",
    ],
    ["a nested not", "User", "findMany", { where: { email: { not: { equals: "a@x" } } } }, "User.email"],
    [
      "a filter inside AND (list)",
      "User",
      "findMany",
      { where: { AND: [{ name: "a" }, { ssn: "1" }] } },
      "User.ssn",
    ],
    ["a filter inside AND (object)", "User", "findMany", { where: { AND: { ssn: "1" } } }, "User.ssn"],
    [
      "a filter inside OR",
      "User",
      "findMany",
      { where: { OR: [{ name: "a" }, { email: "a@x" }] } },
      "User.email",
    ],
    [
      "a filter inside NOT",
      "User",
      "findMany",
      { where: { NOT: { notes: { contains: "x" } } } },
      "User.notes",
    ],
    [
      "a filter inside OR inside NOT",
      "User",
      "count",
      { where: { NOT: [{ OR: [{ email: "a" }] }] } },
      "User.email",
    ],
    ["in a delete's where", "User", "delete", { where: { id: 1, email: "a@x" } }, "User.email"],
    [
      "in an updateMany's where",
      "User",
      "updateMany",
      { where: { ssn: "1" }, data: { name: "x" } },
      "User.ssn",
    ],
    ["in a deleteMany's where", "Post", "deleteMany", { where: { body: { contains: "x" } } }, "Post.body"],
  ])("a where %s on an encrypted field", (...c) => expectRefused(c));

  it("with a message naming model and field and saying why", () => {
    expect(() => checkQuery(schema, "User", "findMany", { where: { email: "a@x" } })).toThrow(
      /^User\.email: a filter on an encrypted field \(only null checks are possible\) cannot be answered over ciphertext$/,
    );
  });

  it("without the filter's value in the message", () => {
    expect(() => checkQuery(schema, "User", "findMany", { where: { ssn: "078-05-1120" } })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("078-05-1120") as unknown }),
    );
  });

  it.each<Case>([
    ["some", "Organization", "findMany", { where: { users: { some: { email: "a@x" } } } }, "User.email"],
    ["every", "Organization", "findMany", { where: { users: { every: { ssn: "1" } } } }, "User.ssn"],
    ["none", "Organization", "findMany", { where: { posts: { none: { body: "x" } } } }, "Post.body"],
    ["is", "Post", "findMany", { where: { author: { is: { ssn: "1" } } } }, "User.ssn"],
    ["isNot", "Post", "findMany", { where: { author: { isNot: { email: "a@x" } } } }, "User.email"],
    ["the to-one shorthand", "Post", "findMany", { where: { author: { email: "a@x" } } }, "User.email"],
    [
      "the to-one shorthand, to-one back",
      "Profile",
      "findMany",
      { where: { user: { profile: { bio: "x" } } } },
      "Profile.bio",
    ],
    [
      "two levels deep",
      "Organization",
      "findMany",
      { where: { users: { some: { posts: { some: { body: "x" } } } } } },
      "Post.body",
    ],
    [
      "inside OR inside some",
      "Organization",
      "findMany",
      { where: { users: { some: { OR: [{ name: "a" }, { notes: "n" }] } } } },
      "User.notes",
    ],
    [
      "in AND around a relation filter",
      "Post",
      "findMany",
      { where: { AND: [{ author: { is: { email: "a" } } }] } },
      "User.email",
    ],
  ])("a relation filter (%s) on an encrypted field of the related model", (...c) => expectRefused(c));

  it.each<Case>([
    [
      "findUnique",
      "User",
      "findUnique",
      { where: { organizationId_email: { organizationId: "o1", email: "a@x" } } },
      "User.email",
    ],
    [
      "a cursor",
      "User",
      "findMany",
      { cursor: { organizationId_email: { organizationId: "o1", email: "a@x" } } },
      "User.email",
    ],
    [
      "even with a null member",
      "User",
      "findUnique",
      { where: { organizationId_email: { organizationId: "o1", email: null } } },
      "User.email",
    ],
  ])("a compound unique key containing an encrypted field (%s)", (...c) => expectRefused(c));

  it.each<Case>([
    ["direct", "User", "findMany", { orderBy: { email: "asc" } }, "User.email"],
    ["in a list", "User", "findMany", { orderBy: [{ name: "asc" }, { ssn: "desc" }] }, "User.ssn"],
    [
      "with sort and nulls",
      "User",
      "findMany",
      { orderBy: { notes: { sort: "asc", nulls: "last" } } },
      "User.notes",
    ],
    [
      "through a to-one relation",
      "Post",
      "findMany",
      { orderBy: { author: { email: "asc" } } },
      "User.email",
    ],
    [
      "through two relations",
      "Profile",
      "findMany",
      { orderBy: { user: { organization: { name: "asc" }, ssn: "asc" } } },
      "User.ssn",
    ],
    [
      "_relevance, fields as a list",
      "User",
      "findMany",
      { orderBy: { _relevance: { fields: ["name", "email"], search: "a", sort: "asc" } } },
      "User.email",
    ],
    [
      "_relevance, fields as a string",
      "User",
      "findMany",
      { orderBy: { _relevance: { fields: "ssn", search: "a", sort: "asc" } } },
      "User.ssn",
    ],
    ["in an aggregate", "User", "aggregate", { orderBy: { email: "asc" }, _count: true }, "User.email"],
  ])("an orderBy on an encrypted field (%s)", (...c) => expectRefused(c));

  it.each<Case>([
    ["a string", "User", "findMany", { distinct: "email" }, "User.email"],
    ["a list", "User", "findMany", { distinct: ["organizationId", "ssn"] }, "User.ssn"],
  ])("distinct on an encrypted field given as %s", (...c) => expectRefused(c));

  it.each<Case>([
    ["direct", "User", "findMany", { cursor: { email: "a@x" } }, "User.email"],
    ["inside AND", "User", "findMany", { cursor: { id: 1, AND: [{ ssn: "1" }] } }, "User.ssn"],
  ])("a cursor on an encrypted field (%s)", (...c) => expectRefused(c));

  it.each<Case>([
    ["by, as a list", "User", "groupBy", { by: ["organizationId", "email"] }, "User.email"],
    ["by, as a string", "User", "groupBy", { by: "ssn" }, "User.ssn"],
    [
      "having",
      "User",
      "groupBy",
      { by: ["organizationId"], having: { email: { _count: { gt: 1 } } } },
      "User.email",
    ],
    [
      "having inside AND",
      "User",
      "groupBy",
      { by: ["organizationId"], having: { AND: [{ ssn: { _min: { gt: "a" } } }] } },
      "User.ssn",
    ],
    [
      "having inside NOT",
      "User",
      "groupBy",
      { by: ["organizationId"], having: { NOT: { notes: { equals: "a" } } } },
      "User.notes",
    ],
    ["_min", "User", "groupBy", { by: ["organizationId"], _min: { email: true } }, "User.email"],
    ["_max", "User", "groupBy", { by: ["organizationId"], _max: { ssn: true } }, "User.ssn"],
    ["_avg", "Post", "groupBy", { by: ["authorId"], _avg: { body: true } }, "Post.body"],
    ["_sum", "Post", "groupBy", { by: ["authorId"], _sum: { body: true } }, "Post.body"],
    ["where", "User", "groupBy", { by: ["organizationId"], where: { email: "a" } }, "User.email"],
    [
      "orderBy",
      "User",
      "groupBy",
      { by: ["organizationId", "email"], orderBy: { email: "asc" } },
      "User.email",
    ],
  ])("a groupBy over an encrypted field (%s)", (...c) => expectRefused(c));

  it.each<Case>([
    ["_min", "User", "aggregate", { _min: { email: true } }, "User.email"],
    ["_max", "User", "aggregate", { _max: { id: true, ssn: true } }, "User.ssn"],
    ["_avg", "Post", "aggregate", { _avg: { body: true } }, "Post.body"],
    ["_sum", "Post", "aggregate", { _sum: { body: true } }, "Post.body"],
    ["where", "User", "aggregate", { _count: true, where: { ssn: "1" } }, "User.ssn"],
  ])("an aggregate over an encrypted field (%s)", (...c) => expectRefused(c));

  it.each<Case>([
    [
      "include where",
      "Organization",
      "findMany",
      { include: { users: { where: { email: "a@x" } } } },
      "User.email",
    ],
    [
      "select where",
      "Organization",
      "findUnique",
      { where: { id: "o1" }, select: { users: { where: { ssn: "1" } } } },
      "User.ssn",
    ],
    [
      "include orderBy",
      "Organization",
      "findMany",
      { include: { posts: { orderBy: { body: "asc" } } } },
      "Post.body",
    ],
    [
      "select distinct",
      "Organization",
      "findMany",
      { select: { users: { distinct: ["email"] } } },
      "User.email",
    ],
    [
      "include cursor",
      "Organization",
      "findMany",
      { include: { users: { cursor: { email: "a" } } } },
      "User.email",
    ],
    [
      "two levels of include",
      "Organization",
      "findMany",
      { include: { users: { include: { posts: { where: { body: "x" } } } } } },
      "Post.body",
    ],
    [
      "select in a to-one select",
      "Post",
      "findMany",
      { select: { author: { select: { posts: { where: { body: "x" } } } } } },
      "Post.body",
    ],
    [
      "include in a create's result",
      "User",
      "create",
      { data: { organizationId: "o1", email: "a" }, include: { posts: { where: { body: "x" } } } },
      "Post.body",
    ],
    [
      "include in an update's result",
      "Organization",
      "update",
      { where: { id: "o1" }, data: {}, include: { users: { orderBy: { ssn: "asc" } } } },
      "User.ssn",
    ],
  ])("a filter inside a nested selection (%s)", (...c) => expectRefused(c));

  it.each<Case>([
    ["connect", "Organization", "update", org({ users: { connect: { email: "a@x" } } }), "User.email"],
    [
      "connect, a list",
      "Organization",
      "update",
      org({ users: { connect: [{ id: 1 }, { id: 2, ssn: "1" }] } }),
      "User.ssn",
    ],
    [
      "connect, a compound key",
      "Organization",
      "update",
      org({ users: { connect: { organizationId_email: { organizationId: "o1", email: "a" } } } }),
      "User.email",
    ],
    ["disconnect", "Organization", "update", org({ users: { disconnect: { email: "a" } } }), "User.email"],
    ["set", "Organization", "update", org({ users: { set: [{ email: "a" }] } }), "User.email"],
    ["delete", "Organization", "update", org({ posts: { delete: { id: 1, body: "x" } } }), "Post.body"],
    ["deleteMany", "Organization", "update", org({ users: { deleteMany: { ssn: "1" } } }), "User.ssn"],
    [
      "deleteMany, a list",
      "Organization",
      "update",
      org({ users: { deleteMany: [{ name: "a" }, { ssn: "1" }] } }),
      "User.ssn",
    ],
    [
      "update",
      "Organization",
      "update",
      org({ users: { update: { where: { email: "a" }, data: { name: "b" } } } }),
      "User.email",
    ],
    [
      "update, to-one with where",
      "User",
      "update",
      user({ profile: { update: { where: { bio: "x" }, data: { bio: "y" } } } }),
      "Profile.bio",
    ],
    [
      "updateMany",
      "Organization",
      "update",
      org({ users: { updateMany: { where: { ssn: "1" }, data: { name: "b" } } } }),
      "User.ssn",
    ],
    [
      "upsert",
      "Organization",
      "update",
      org({ users: { upsert: { where: { email: "a" }, create: { email: "a" }, update: {} } } }),
      "User.email",
    ],
    [
      "connectOrCreate",
      "Organization",
      "update",
      org({ users: { connectOrCreate: { where: { email: "a" }, create: { email: "a" } } } }),
      "User.email",
    ],
    [
      "connect under create",
      "User",
      "create",
      { data: { organizationId: "o1", email: "a", posts: { connect: { id: 1, body: "x" } } } },
      "Post.body",
    ],
    [
      "connect under a nested create",
      "Organization",
      "create",
      { data: { id: "o1", name: "O", users: { create: { email: "a", posts: { connect: { body: "x" } } } } } },
      "Post.body",
    ],
    [
      "connect under a nested create list",
      "Organization",
      "create",
      {
        data: {
          id: "o1",
          name: "O",
          users: { create: [{ email: "a" }, { email: "b", profile: { connect: { bio: "x" } } }] },
        },
      },
      "Profile.bio",
    ],
    [
      "connect under a nested update",
      "Organization",
      "update",
      org({ users: { update: { where: { id: 1 }, data: { posts: { connect: { body: "x" } } } } } }),
      "Post.body",
    ],
    [
      "connect under a to-one update shorthand",
      "User",
      "update",
      user({ profile: { update: { user: { connect: { ssn: "1" } } } } }),
      "User.ssn",
    ],
    [
      "disconnect under a nested updateMany",
      "Organization",
      "update",
      org({ users: { updateMany: { where: {}, data: { posts: { disconnect: { body: "x" } } } } } }),
      "Post.body",
    ],
    [
      "connect under an upsert's create",
      "Organization",
      "update",
      org({
        users: {
          upsert: { where: { id: 1 }, create: { email: "a", posts: { connect: { body: "x" } } }, update: {} },
        },
      }),
      "Post.body",
    ],
    [
      "connect under an upsert's update",
      "Organization",
      "update",
      org({
        users: { upsert: { where: { id: 1 }, create: {}, update: { posts: { connect: { body: "x" } } } } },
      }),
      "Post.body",
    ],
    [
      "connect under a connectOrCreate's create",
      "Organization",
      "update",
      org({
        users: {
          connectOrCreate: { where: { id: 1 }, create: { email: "a", posts: { connect: { body: "x" } } } },
        },
      }),
      "Post.body",
    ],
    [
      "connect in a top-level upsert's create",
      "User",
      "upsert",
      {
        where: { id: 1 },
        create: { organizationId: "o1", email: "a", posts: { connect: { body: "x" } } },
        update: {},
      },
      "Post.body",
    ],
    [
      "connect in a top-level upsert's update",
      "User",
      "upsert",
      {
        where: { id: 1 },
        create: { organizationId: "o1", email: "a" },
        update: { profile: { connect: { bio: "x" } } },
      },
      "Profile.bio",
    ],
    [
      "connect in a createManyAndReturn row",
      "User",
      "createManyAndReturn",
      {
        data: [
          { organizationId: "o1", email: "a" },
          { organizationId: "o1", email: "b", posts: { connect: { body: "x" } } },
        ],
      },
      "Post.body",
    ],
  ])("a where on an encrypted field in a nested write (%s)", (...c) => expectRefused(c));

  it("a filtered relation count on an encrypted field (select _count)", () => {
    expectRefused([
      "",
      "User",
      "findMany",
      { select: { _count: { select: { posts: { where: { body: "x" } } } } } },
      "Post.body",
    ]);
  });

  it("a groupBy ordered by an aggregate of an encrypted field", () => {
    expectRefused([
      "",
      "User",
      "groupBy",
      { by: ["organizationId"], _count: { _all: true }, orderBy: { _max: { email: "asc" } } },
      "User.email",
    ]);
  });
});

describe("checkQuery allows", () => {
  it.each([
    ["field: null", { email: null }],
    ["{ equals: null }", { email: { equals: null } }],
    ["{ not: null }", { ssn: { not: null } }],
    ["{ equals: null, not: null }", { ssn: { equals: null, not: null } }],
    [
      "a null check inside AND, OR and NOT",
      { AND: [{ email: null }], OR: [{ ssn: { not: null } }], NOT: { notes: null } },
    ],
    [
      "a null check through a relation",
      { posts: { some: { body: null } }, profile: { is: { bio: { not: null } } } },
    ],
  ])("a null check on an encrypted field: %s", (_what, where) => {
    expect(() => checkQuery(schema, "User", "findMany", { where })).not.toThrow();
  });

  it.each<readonly [string, string, string, unknown]>([
    [
      "filters on plain fields",
      "User",
      "findMany",
      { where: { name: { contains: "a" }, organizationId: { in: ["o1"] }, id: { gt: 3 } } },
    ],
    [
      "relation filters on plain fields",
      "Organization",
      "findMany",
      { where: { users: { some: { name: "a" } }, posts: { every: { title: "t" } } } },
    ],
    [
      "to-one relation filters on plain fields",
      "Post",
      "findMany",
      { where: { author: { is: { name: "a" } }, organization: { name: "O" } } },
    ],
    [
      "null relation filters",
      "Post",
      "findMany",
      { where: { author: { is: null }, organization: { isNot: null } } },
    ],
    [
      "a compound unique key of plain fields",
      "User",
      "findUnique",
      { where: { organizationId_name: { organizationId: "o1", name: "a" } } },
    ],
    [
      "orderBy on plain fields and relation counts",
      "Organization",
      "findMany",
      { orderBy: [{ name: "asc" }, { users: { _count: "desc" } }] },
    ],
    [
      "distinct and cursor on plain fields",
      "User",
      "findMany",
      { distinct: ["organizationId"], cursor: { id: 3 } },
    ],
    [
      "_count of relations next to an encrypted field",
      "User",
      "findMany",
      { select: { email: true, _count: { select: { posts: true } } } },
    ],
    [
      "_count with a relation filter on a plain field",
      "User",
      "findMany",
      { include: { _count: { select: { posts: { where: { title: "t" } } } } } },
    ],
    [
      "_count of an encrypted field in an aggregate",
      "User",
      "aggregate",
      { _count: { email: true, _all: true }, _min: { id: true } },
    ],
    [
      "_count of an encrypted field in a groupBy",
      "User",
      "groupBy",
      { by: ["organizationId"], _count: { ssn: true }, having: { organizationId: { not: "o2" } } },
    ],
    ["_min turned off on an encrypted field", "User", "aggregate", { _min: { email: false, id: true } }],
    [
      "selecting and including encrypted fields",
      "Organization",
      "findMany",
      { include: { users: { select: { email: true, posts: true } } } },
    ],
    [
      "writing encrypted values",
      "Organization",
      "update",
      org({ users: { update: { where: { id: 1 }, data: { ssn: "1" } }, create: { email: "a" } } }),
    ],
    [
      "nested writes located by plain fields",
      "Organization",
      "update",
      org({
        users: {
          connect: { id: 1 },
          deleteMany: { name: "a" },
          upsert: { where: { id: 2 }, create: { email: "b" }, update: { ssn: { set: "2" } } },
        },
      }),
    ],
    [
      "a model with no encrypted fields",
      "AuditLog",
      "findMany",
      { where: { action: "x" }, orderBy: { subject: "asc" } },
    ],
    ["a model the schema does not know", "Nope", "findMany", { where: { email: "a" } }],
  ])("%s", (_what, model, operation, args) => {
    expect(() => checkQuery(schema, model, operation, args)).not.toThrow();
  });

  it.each([undefined, null, "x", 1, []])("arguments that are not an object (%s)", (args) => {
    expect(() => checkQuery(schema, "User", "findMany", args)).not.toThrow();
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { planFilters, rewriteQuery } from "../../../src/prisma/plan/filters.js";
import { applyIndexRewrites } from "../../../src/prisma/plan/index-rewrites.js";
import { modelOf, testSchema } from "../../support/datamodel.js";
import { thrownVaultError } from "../../support/errors.js";
import { blindIndexOf } from "../../../src/core/blind-index.js";

type PrismaObject = Record<string, unknown>;

const schema = testSchema();

function refusal(model: string, field: string) {
  return expect.objectContaining({ code: "VAULT_UNSUPPORTED_QUERY", model, field }) as Error;
}

type Case = readonly [what: string, model: string, operation: string, args: unknown, on: string];

/** `on` is "Model.field", the encrypted field the refusal must name. */
function expectRefused([, model, operation, args, on]: Case): void {
  const [refusedModel = "", field = ""] = on.split(".");
  expect(() => rewriteQuery(schema, model, operation, args)).toThrow(refusal(refusedModel, field));
}

const user = (data: unknown) => ({ where: { id: 1 }, data });
const org = (data: unknown) => ({ where: { id: "o1" }, data });

describe("rewriteQuery refuses", () => {
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
    expect(() => rewriteQuery(schema, "User", "findMany", { where: { email: "a@x" } })).toThrow(
      /^User\.email: a filter on an encrypted field without a blind index \(only null checks are possible\) cannot be answered over ciphertext$/,
    );
  });

  it("without the filter's value in the message", () => {
    expect(() => rewriteQuery(schema, "User", "findMany", { where: { ssn: "078-05-1120" } })).toThrow(
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

describe("rewriteQuery allows", () => {
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
    expect(() => rewriteQuery(schema, "User", "findMany", { where })).not.toThrow();
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
    expect(() => rewriteQuery(schema, model, operation, args)).not.toThrow();
  });

  it.each([undefined, null, "x", 1, []])("arguments that are not an object (%s)", (args) => {
    expect(() => rewriteQuery(schema, "User", "findMany", args)).not.toThrow();
  });

  it("and returns the caller's own object when nothing is rewritten", () => {
    const args = { where: { email: null, name: "a" }, include: { posts: true } };
    expect(rewriteQuery(schema, "User", "findMany", args)).toBe(args);
  });
});

// ---- blind indexes ----

const account = modelOf(schema, "Account");
const blindOf = (field: string) => {
  const index = account.encrypted.get(field)?.index;
  if (!index) throw new Error(`Account.${field} has no index`);
  return blindIndexOf(index.blind);
};
/** The index values the rewrite must produce. */
const email = (value: string) => blindOf("email").compute(value);
const handle = (value: string) => blindOf("handle").compute(value);
const phone = (value: string, organizationId: string) => blindOf("phone").compute(value, { organizationId });
const rewrite = (args: unknown, operation = "findMany", model = "Account") =>
  rewriteQuery(schema, model, operation, args) as PrismaObject;

describe("rewriteQuery rewrites equality on an indexed field to its index column", () => {
  it.each<readonly [string, PrismaObject, PrismaObject]>([
    ["a value", { email: " Ann@X.io" }, { emailIndex: email("ann@x.io") }],
    ["equals", { handle: { equals: "h" } }, { handleIndex: { equals: handle("h") } }],
    ["in", { handle: { in: ["a", "b"] } }, { handleIndex: { in: [handle("a"), handle("b")] } }],
    ["notIn", { handle: { notIn: ["a"] } }, { handleIndex: { notIn: [handle("a")] } }],
    ["not a value", { handle: { not: "a" } }, { handleIndex: { not: handle("a") } }],
    ["not equals", { handle: { not: { equals: "a" } } }, { handleIndex: { not: { equals: handle("a") } } }],
    ["not in", { handle: { not: { in: ["a"] } } }, { handleIndex: { not: { in: [handle("a")] } } }],
    [
      "insensitive when the normalizer folds case",
      { email: { equals: "A@x.io", mode: "insensitive" } },
      { emailIndex: { equals: email("a@x.io") } },
    ],
    ["a null check kept on the field", { handle: null }, { handle: null }],
    [
      "a null check under not kept on the field",
      { handle: { not: { equals: null } } },
      { handle: { not: { equals: null } } },
    ],
    [
      "a null check beside values, split between field and index",
      { handle: { not: null, notIn: ["a"] } },
      { handle: { not: null }, handleIndex: { notIn: [handle("a")] } },
    ],
    ["an empty filter kept as it is", { handle: {} }, { handle: {} }],
    [
      "an index column the where already filters: the rewrite joins an AND",
      { handleIndex: { not: null }, handle: "h" },
      { handleIndex: { not: null }, AND: [{ handleIndex: handle("h") }] },
    ],
    [
      "inside AND, OR and NOT",
      { AND: [{ email: "a@x.io" }], OR: [{ handle: "h" }, { handle: { in: ["i"] } }], NOT: { handle: "j" } },
      {
        AND: [{ emailIndex: email("a@x.io") }],
        OR: [{ handleIndex: handle("h") }, { handleIndex: { in: [handle("i")] } }],
        NOT: { handleIndex: handle("j") },
      },
    ],
  ])("%s", (_what, where, expected) => {
    expect(rewrite({ where })["where"]).toEqual(expected);
  });

  it("normalizes every value the way writes do: the email normalizer trims and lowercases", () => {
    expect(rewrite({ where: { email: "  ANN@x.IO " } })).toEqual(rewrite({ where: { email: "ann@x.io" } }));
    expect(rewrite({ where: { handle: "H" } })).not.toEqual(rewrite({ where: { handle: "h" } }));
  });

  it("in a relation filter (some, every, none, is, isNot and the bare to-one form)", () => {
    const args = {
      where: {
        accounts: { some: { handle: "a" }, every: { handle: { not: "b" } }, none: { email: "c@x" } },
      },
    };
    expect(rewrite(args, "findMany", "Organization")["where"]).toEqual({
      accounts: {
        some: { handleIndex: handle("a") },
        every: { handleIndex: { not: handle("b") } },
        none: { emailIndex: email("c@x") },
      },
    });
    const session = rewrite(
      { where: { account: { is: { handle: "a" } }, OR: [{ account: { handle: "b" } }] } },
      "findMany",
      "Session",
    );
    expect(session["where"]).toEqual({
      account: { is: { handleIndex: handle("a") } },
      OR: [{ account: { handleIndex: handle("b") } }],
    });
  });

  it("in findUnique, upsert, cursor, update and delete", () => {
    expect(rewrite({ where: { email: "a@x" } }, "findUnique")).toEqual({
      where: { emailIndex: email("a@x") },
    });
    expect(rewrite({ cursor: { email: "a@x" }, take: 2 })).toEqual({
      cursor: { emailIndex: email("a@x") },
      take: 2,
    });
    const upsert = rewrite(
      { where: { email: "a@x" }, create: { organizationId: "o", email: "a@x" }, update: {} },
      "upsert",
    );
    expect(upsert["where"]).toEqual({ emailIndex: email("a@x") });
    // Data is not a filter: the value to write stays for the write planner to seal.
    expect(upsert["create"]).toEqual({ organizationId: "o", email: "a@x" });
    for (const operation of ["update", "updateMany", "delete", "deleteMany", "count"]) {
      expect(rewrite({ where: { handle: "h" }, data: { name: "n" } }, operation)["where"]).toEqual({
        handleIndex: handle("h"),
      });
    }
  });

  it("in nested writes: connect, connectOrCreate, update, updateMany, upsert, delete, disconnect, set", () => {
    const data = {
      accounts: {
        connect: [{ email: "a@x" }],
        connectOrCreate: { where: { email: "b@x" }, create: { email: "b@x" } },
        update: { where: { email: "c@x" }, data: { name: "n" } },
        updateMany: { where: { handle: "d" }, data: { name: "n" } },
        upsert: { where: { email: "e@x" }, create: { email: "e@x" }, update: { name: "n" } },
        delete: { email: "f@x" },
        deleteMany: [{ handle: "g" }],
        disconnect: { email: "h@x" },
        set: [{ email: "i@x" }],
      },
    };
    const out = rewrite({ where: { id: "o" }, data }, "update", "Organization")["data"] as PrismaObject;
    expect(out["accounts"]).toEqual({
      connect: [{ emailIndex: email("a@x") }],
      connectOrCreate: { where: { emailIndex: email("b@x") }, create: { email: "b@x" } },
      update: { where: { emailIndex: email("c@x") }, data: { name: "n" } },
      updateMany: { where: { handleIndex: handle("d") }, data: { name: "n" } },
      upsert: { where: { emailIndex: email("e@x") }, create: { email: "e@x" }, update: { name: "n" } },
      delete: { emailIndex: email("f@x") },
      deleteMany: [{ handleIndex: handle("g") }],
      disconnect: { emailIndex: email("h@x") },
      set: [{ emailIndex: email("i@x") }],
    });
    const session = rewrite(
      { data: { label: "l", account: { connect: { email: "a@x" } } } },
      "create",
      "Session",
    );
    expect(session["data"]).toEqual({ label: "l", account: { connect: { emailIndex: email("a@x") } } });
  });

  it("in the where of included relations and of filtered relation counts", () => {
    const args = {
      include: {
        accounts: { where: { handle: "a" } },
        _count: { select: { accounts: { where: { handle: { in: ["b"] } } } } },
      },
    };
    expect(rewrite(args, "findMany", "Organization")["include"]).toEqual({
      accounts: { where: { handleIndex: handle("a") } },
      _count: { select: { accounts: { where: { handleIndex: { in: [handle("b")] } } } } },
    });
  });

  it("never changes the caller's arguments", () => {
    const args = { where: { OR: [{ handle: "a" }], email: { in: ["b@x"] } } };
    const before = structuredClone(args);
    const out = rewrite(args);
    expect(args).toEqual(before);
    expect(out).not.toBe(args);
  });
});

describe("rewriteQuery with a tenant-scoped index", () => {
  it("computes the index under the context the filter pins: beside it, in an AND, or in an enclosing where", () => {
    expect(rewrite({ where: { organizationId: "o1", phone: "+1 555" } })["where"]).toEqual({
      organizationId: "o1",
      phoneIndex: phone("+1555", "o1"),
    });
    expect(rewrite({ where: { AND: [{ organizationId: { equals: "o2" } }], phone: "1" } })["where"]).toEqual({
      AND: [{ organizationId: { equals: "o2" } }],
      phoneIndex: phone("1", "o2"),
    });
    expect(
      rewrite({ where: { organizationId: "o1", OR: [{ phone: "1" }, { NOT: { phone: { in: ["2"] } } }] } })[
        "where"
      ],
    ).toEqual({
      organizationId: "o1",
      OR: [{ phoneIndex: phone("1", "o1") }, { NOT: { phoneIndex: { in: [phone("2", "o1")] } } }],
    });
  });

  it("gives the same value different indexes in different tenants", () => {
    expect(phone("1", "o1")).not.toBe(phone("1", "o2"));
    const where = rewrite({
      where: {
        OR: [
          { organizationId: "o1", phone: "1" },
          { organizationId: "o2", phone: "1" },
        ],
      },
    })["where"] as PrismaObject;
    expect(where["OR"]).toEqual([
      { organizationId: "o1", phoneIndex: phone("1", "o1") },
      { organizationId: "o2", phoneIndex: phone("1", "o2") },
    ]);
  });

  it.each<readonly [string, PrismaObject]>([
    ["no context at all", { phone: "1" }],
    ["the context only in another OR branch", { OR: [{ organizationId: "o1" }, { phone: "1" }] }],
    ["the context as a list", { organizationId: { in: ["o1"] }, phone: "1" }],
    ["the context compared otherwise", { organizationId: { not: "o1" }, phone: "1" }],
    ["the context in a relation filter only", { organization: { id: "o1" }, phone: "1" }],
  ])(
    "without the context pinned (%s) is VAULT_UNSUPPORTED_QUERY saying which fields to add",
    (_what, where) => {
      const error = thrownVaultError(() => rewrite({ where }));
      expect(error).toMatchObject({ code: "VAULT_UNSUPPORTED_QUERY", model: "Account", field: "phone" });
      expect(error.message).toMatch(/add organizationId to the same where/);
    },
  );

  it("a null check needs no context", () => {
    expect(rewrite({ where: { phone: null } })["where"]).toEqual({ phone: null });
  });
});

describe("rewriteQuery refuses on an indexed field", () => {
  it.each<readonly [string, PrismaObject]>([
    ["contains", { handle: { contains: "a" } }],
    ["startsWith", { email: { startsWith: "a" } }],
    ["endsWith", { email: { endsWith: "a" } }],
    ["lt", { handle: { lt: "a" } }],
    ["lte", { handle: { lte: "a" } }],
    ["gt", { handle: { gt: "a" } }],
    ["gte", { handle: { gte: "a" } }],
    ["an equality beside a range", { handle: { equals: "a", lt: "b" } }],
    ["search", { handle: { search: "a" } }],
    ["not contains", { handle: { not: { contains: "a" } } }],
    ["not mixing a null check with values", { handle: { not: { equals: null, in: ["a"] } } }],
    ["insensitive on an index that keeps case", { handle: { equals: "a", mode: "insensitive" } }],
    ["a number", { handle: 5 }],
    ["a number in a list", { handle: { in: ["a", 5] } }],
    ["in that is not a list", { handle: { in: "a" } }],
    ["a field reference", { handle: { equals: { name: "name", modelName: "Account" } } }],
  ])("%s is VAULT_UNSUPPORTED_QUERY", (_what, where) => {
    const error = thrownVaultError(() => rewrite({ where }));
    expect(error).toMatchObject({ code: "VAULT_UNSUPPORTED_QUERY", model: "Account" });
  });

  it.each<readonly [string, string, PrismaObject]>([
    ["orderBy", "findMany", { orderBy: { email: "asc" } }],
    ["distinct", "findMany", { distinct: ["handle"] }],
    ["groupBy", "groupBy", { by: ["email"] }],
    ["_max", "aggregate", { _max: { handle: true } }],
    ["having", "groupBy", { by: ["organizationId"], having: { email: "a" } }],
  ])("%s is still refused", (_what, operation, args) => {
    expect(() => rewrite(args, operation)).toThrow(
      expect.objectContaining({ code: "VAULT_UNSUPPORTED_QUERY" }) as Error,
    );
  });
});

// ---- one planning pass, then the applier ----

afterEach(() => {
  vi.restoreAllMocks();
});

describe("planFilters", () => {
  it("computes no index: it returns where each filter is, its split and its values still plaintext", () => {
    const compute = vi.spyOn(blindOf("handle"), "compute");
    const args = { where: { OR: [{ handle: { not: null, in: ["a", "b"] } }] } };
    const rewrites = planFilters(schema, account, "findMany", args);
    expect(compute).not.toHaveBeenCalled();
    expect(rewrites).toEqual([
      expect.objectContaining({
        at: ["where", "OR", 0],
        field: account.encrypted.get("handle"),
        onField: { not: null },
        onIndex: { in: ["a", "b"] },
        context: undefined,
      }),
    ]);
  });

  it("names the key context a tenant-scoped index is computed under", () => {
    const args = { where: { organizationId: "o1", phone: "1" } };
    expect(planFilters(schema, account, "findMany", args)).toEqual([
      expect.objectContaining({ at: ["where"], onIndex: "1", context: { organizationId: "o1" } }),
    ]);
  });

  it("gives the path of filters in selections, counts, cursors and nested writes", () => {
    const args = {
      cursor: { email: "c@x" },
      include: {
        accounts: { where: { handle: "a" } },
        _count: { select: { accounts: { where: { handle: "b" } } } },
      },
      data: {
        accounts: {
          connect: [{ id: 1 }, { email: "d@x" }],
          update: [{ where: { handle: "e" }, data: { name: "n" } }],
          upsert: { where: { email: "f@x" }, create: {}, update: {} },
        },
      },
    };
    const paths = planFilters(schema, modelOf(schema, "Organization"), "update", args).map((r) => r.at);
    expect(paths).toEqual([
      ["include", "accounts", "where"],
      ["include", "_count", "select", "accounts", "where"],
      ["data", "accounts", "connect", 1],
      ["data", "accounts", "update", 0, "where"],
      ["data", "accounts", "upsert", "where"],
    ]);
    expect(planFilters(schema, account, "findMany", { cursor: args.cursor })[0]?.at).toEqual(["cursor"]);
  });
});

describe("applyIndexRewrites", () => {
  it("returns the arguments themselves when there is nothing to rewrite", () => {
    const args = { where: { name: "n" } };
    expect(applyIndexRewrites(args, [])).toBe(args);
  });

  it("rewrites a filter inside an AND object that another rewrite of the same where turns into a list", () => {
    const expected = {
      handleIndex: "raw",
      AND: [{ emailIndex: email("a@x") }, { handleIndex: handle("h") }],
    };
    expect(rewrite({ where: { handleIndex: "raw", handle: "h", AND: { email: "a@x" } } })["where"]).toEqual(
      expected,
    );
    expect(rewrite({ where: { AND: { email: "a@x" }, handleIndex: "raw", handle: "h" } })["where"]).toEqual(
      expected,
    );
  });

  it("rewrites a filter object the caller put in two places once in each, under each place's context", () => {
    const shared = { phone: "1" };
    const args = {
      where: {
        OR: [
          { organizationId: "o1", AND: [shared] },
          { organizationId: "o2", AND: [shared] },
        ],
      },
    };
    expect(rewrite(args)["where"]).toEqual({
      OR: [
        { organizationId: "o1", AND: [{ phoneIndex: phone("1", "o1") }] },
        { organizationId: "o2", AND: [{ phoneIndex: phone("1", "o2") }] },
      ],
    });
    expect(shared).toEqual({ phone: "1" });
  });

  it("computes each index once", () => {
    const compute = vi.spyOn(blindOf("email"), "compute");
    rewrite({ where: { email: { in: ["a@x", "b@x"] } } });
    expect(compute).toHaveBeenCalledTimes(2);
  });
});

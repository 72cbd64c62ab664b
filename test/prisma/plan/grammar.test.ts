import { describe, expect, it } from "vitest";
import type { PrismaObject } from "../../../src/client/prisma-object.js";
import {
  filterSteps,
  type NestedWrite,
  nestedWrites,
  orderSteps,
  partAt,
  selectedRelations,
  unknownArgument,
} from "../../../src/prisma/plan/grammar.js";
import { modelOf, testSchema } from "../../support/datamodel.js";
import { thrownVaultError } from "../../support/errors.js";

const schema = testSchema();
const organization = modelOf(schema, "Organization");
const user = modelOf(schema, "User");
const post = modelOf(schema, "Post");

/** The steps as plain records: the target model by name, the relation by name. */
function named(steps: Iterable<object>): PrismaObject[] {
  return [...steps].map((step) => {
    const { model, relation, ...rest } = step as { model?: { name: string }; relation?: { name: string } };
    return {
      ...rest,
      ...(model ? { model: model.name } : {}),
      ...(relation ? { relation: relation.name } : {}),
    };
  });
}

const writes = (data: PrismaObject, strict = false) => named(nestedWrites(schema, user, data, strict));

describe("selectedRelations", () => {
  it("steps into each selected relation with its arguments; true selects with none", () => {
    const where = { title: "t" };
    expect(named(selectedRelations(schema, user, { name: true, posts: { where }, profile: true }))).toEqual([
      {
        role: "relation",
        value: { where },
        args: { where },
        at: ["posts"],
        model: "Post",
        relation: "posts",
      },
      { role: "relation", value: true, args: {}, at: ["profile"], model: "Profile", relation: "profile" },
    ]);
  });

  it("skips scalars, unknown keys and relations turned off", () => {
    const selection = { email: true, nope: { where: {} }, posts: false, profile: undefined };
    expect([...selectedRelations(schema, user, selection)]).toEqual([]);
  });

  it("steps into the relations a _count counts, at their place under _count.select, nested counts included", () => {
    const selection = {
      _count: { select: { posts: { where: { title: "a" } }, _count: { select: { profile: true } } } },
    };
    expect(named(selectedRelations(schema, user, selection, ["include"]))).toEqual([
      expect.objectContaining({ role: "count", at: ["include", "_count", "select", "posts"], model: "Post" }),
      expect.objectContaining({
        role: "count",
        at: ["include", "_count", "select", "_count", "select", "profile"],
        model: "Profile",
      }),
    ]);
  });

  it("a _count without select, or _count: true, is no step", () => {
    expect([...selectedRelations(schema, user, { _count: true })]).toEqual([]);
    expect([...selectedRelations(schema, user, { _count: { where: {} } })]).toEqual([]);
  });
});

describe("filterSteps", () => {
  it("yields AND, OR and NOT filters of the same model, one per item, a list item with its index", () => {
    const [a, b, c] = [{ name: "a" }, { name: "b" }, { name: "c" }];
    expect([...filterSteps(schema, user, { AND: [a, b], NOT: c, OR: [] })]).toEqual([
      { role: "logic", op: "AND", where: a, at: ["AND", 0] },
      { role: "logic", op: "AND", where: b, at: ["AND", 1] },
      { role: "logic", op: "NOT", where: c, at: ["NOT"] },
    ]);
  });

  it("yields the relation filters some, every, none, is and isNot with the related model", () => {
    const [s, e, n] = [{ title: "s" }, { title: "e" }, { title: "n" }];
    expect(named(filterSteps(schema, user, { posts: { some: s, every: e, none: n } }))).toEqual([
      { role: "relation", op: "some", where: s, at: ["posts", "some"], model: "Post", relation: "posts" },
      { role: "relation", op: "every", where: e, at: ["posts", "every"], model: "Post", relation: "posts" },
      { role: "relation", op: "none", where: n, at: ["posts", "none"], model: "Post", relation: "posts" },
    ]);
    const [i, x] = [{ name: "i" }, { name: "x" }];
    expect(named(filterSteps(schema, post, { author: { is: i, isNot: x } }))).toEqual([
      { role: "relation", op: "is", where: i, at: ["author", "is"], model: "User", relation: "author" },
      { role: "relation", op: "isNot", where: x, at: ["author", "isNot"], model: "User", relation: "author" },
    ]);
  });

  it("yields the bare to-one form as a filter of the related model, without an op", () => {
    const where = { name: "a" };
    expect(named(filterSteps(schema, post, { author: where }))).toEqual([
      { role: "relation", op: undefined, where, at: ["author"], model: "User", relation: "author" },
    ]);
  });

  it("a relation filter that is null (is: null) or not an object is no step, and no bare filter either", () => {
    expect([...filterSteps(schema, post, { author: { is: null } })]).toEqual([]);
    expect([...filterSteps(schema, post, { author: { is: undefined } })]).toEqual([]);
    expect([...filterSteps(schema, post, { author: null })]).toEqual([]);
  });

  it("yields every other key as a condition, in key order, and skips undefined entries", () => {
    const where = { name: "n", email: { in: ["a"] }, organizationId_email: { email: "e" }, ssn: undefined };
    expect([...filterSteps(schema, user, where)]).toEqual([
      { role: "condition", key: "name", value: "n" },
      { role: "condition", key: "email", value: { in: ["a"] } },
      { role: "condition", key: "organizationId_email", value: { email: "e" } },
    ]);
  });
});

describe("orderSteps", () => {
  it("steps into the order of a related model; every other entry is a sort key", () => {
    expect(
      named(orderSteps(schema, post, { author: { email: "asc" }, title: "desc", _count: "asc" })),
    ).toEqual([
      { role: "relation", order: { email: "asc" }, model: "User", relation: "author" },
      { role: "key", key: "title", value: "desc" },
      { role: "key", key: "_count", value: "asc" },
    ]);
  });
});

describe("nestedWrites", () => {
  it("create: each item is row data, one or a list", () => {
    const [a, b] = [{ title: "a" }, { title: "b" }];
    expect(writes({ posts: { create: a } })).toEqual([
      { op: "create", shape: "data", at: ["posts", "create"], create: a, model: "Post", relation: "posts" },
    ]);
    expect(writes({ posts: { create: [a, b] } }).map((s) => [s.at, s.create])).toEqual([
      [["posts", "create", 0], a],
      [["posts", "create", 1], b],
    ]);
  });

  it("createMany: each row of its data is row data, at its place in the list", () => {
    const [a, b] = [{ title: "a" }, { title: "b" }];
    expect(writes({ posts: { createMany: { data: [a, b], skipDuplicates: true } } })).toEqual([
      {
        op: "createMany",
        shape: "data",
        at: ["posts", "createMany", "data", 0],
        create: a,
        model: "Post",
        relation: "posts",
      },
      {
        op: "createMany",
        shape: "data",
        at: ["posts", "createMany", "data", 1],
        create: b,
        model: "Post",
        relation: "posts",
      },
    ]);
    expect(writes({ posts: { createMany: { data: a } } })[0]?.at).toEqual(["posts", "createMany", "data"]);
  });

  it("connectOrCreate: { where, create }", () => {
    const [where, create] = [{ id: 1 }, { title: "a" }];
    expect(writes({ posts: { connectOrCreate: { where, create } } })).toEqual([
      expect.objectContaining({ op: "connectOrCreate", shape: "where+create", where, create }),
    ]);
  });

  it("update with { where, data }: the filter and the data apart", () => {
    const [where, data] = [{ id: 1 }, { title: "a" }];
    expect(writes({ posts: { update: [{ where, data }] } })).toEqual([
      {
        op: "update",
        shape: "where+data",
        at: ["posts", "update", 0],
        where,
        update: data,
        model: "Post",
        relation: "posts",
      },
    ]);
    expect(writes({ profile: { update: { data } } })).toEqual([
      expect.objectContaining({ op: "update", shape: "where+data", update: data }),
    ]);
  });

  it("update without { where, data }: the item is the data, even with a key named where beside data", () => {
    const data = { bio: "b" };
    expect(writes({ profile: { update: data } })).toEqual([
      {
        op: "update",
        shape: "data",
        at: ["profile", "update"],
        update: data,
        model: "Profile",
        relation: "profile",
      },
    ]);
    const odd = { where: { id: 1 }, data: { bio: "b" }, bio: "c" };
    expect(writes({ profile: { update: odd } })).toEqual([
      expect.objectContaining({ shape: "data", update: odd }),
    ]);
    expect(writes({ profile: { update: { data: "not an object" } } })).toEqual([
      expect.objectContaining({ shape: "data", update: { data: "not an object" } }),
    ]);
  });

  it("updateMany: { where, data }", () => {
    const [where, data] = [{ title: "t" }, { title: "u" }];
    expect(writes({ posts: { updateMany: { where, data } } })).toEqual([
      expect.objectContaining({ op: "updateMany", shape: "where+data", where, update: data }),
    ]);
  });

  it("upsert: { where, create, update }", () => {
    const [where, create, update] = [{ id: 1 }, { title: "c" }, { title: "u" }];
    expect(writes({ posts: { upsert: { where, create, update } } })).toEqual([
      expect.objectContaining({ op: "upsert", shape: "where+create+update", where, create, update }),
    ]);
  });

  it("connect, disconnect, set, delete and deleteMany: each item is a filter", () => {
    const f = (id: number) => ({ id });
    const data = {
      posts: { connect: [f(1)], disconnect: f(2), set: [f(3), f(4)], delete: f(5), deleteMany: [f(6)] },
    };
    expect(writes(data).map((s) => [s.op, s.shape, s.at, s.where])).toEqual([
      ["connect", "where", ["posts", "connect", 0], f(1)],
      ["delete", "where", ["posts", "delete"], f(5)],
      ["deleteMany", "where", ["posts", "deleteMany", 0], f(6)],
      ["disconnect", "where", ["posts", "disconnect"], f(2)],
      ["set", "where", ["posts", "set", 0], f(3)],
      ["set", "where", ["posts", "set", 1], f(4)],
    ]);
  });

  it("leaves out items and parts that are not objects: disconnect: true, set: [], a data-less updateMany", () => {
    expect(
      writes({ profile: { disconnect: true, delete: false }, posts: { set: [], connect: [1, null] } }),
    ).toEqual([]);
    const [step] = writes({ posts: { updateMany: { where: { id: 1 }, data: null } } });
    expect(step).toEqual(expect.objectContaining({ where: { id: 1 } }));
    expect(step).not.toHaveProperty("update");
    expect(writes({ posts: { upsert: { where: "x", create: { title: "c" } } } })[0]).not.toHaveProperty(
      "where",
    );
  });

  it("walks relations in the schema's order and each relation's operations in NESTED_WRITES order", () => {
    const data = {
      posts: { upsert: { where: { id: 2 }, create: {}, update: {} }, create: { title: "a" } },
      organization: { connect: { id: "o" } },
    };
    expect(writes(data).map((s) => `${String(s["relation"])}.${String(s["op"])}`)).toEqual([
      "organization.connect",
      "posts.create",
      "posts.upsert",
    ]);
  });

  it("ignores keys that are not relations of the model, and relations whose value is not an object", () => {
    expect(writes({ name: "n", email: { create: {} }, posts: true, nope: { create: {} } })).toEqual([]);
  });

  it("without strict, ignores keys outside the grammar", () => {
    const data = { posts: { creat: { title: "a" }, createMany: { data: [], extra: 1 } } };
    expect(writes(data)).toEqual([]);
  });

  it.each([
    [{ posts: { creat: {} } }, "posts.creat"],
    [{ posts: { createMany: { data: [], skip: true } } }, "posts.createMany.skip"],
    [{ posts: { connectOrCreate: { where: {}, create: {}, update: {} } } }, "posts.connectOrCreate.update"],
    [{ posts: { updateMany: [{ where: {}, data: {}, ssn: "123-45" }] } }, "posts.updateMany.ssn"],
    [{ posts: { upsert: { where: {}, create: {}, update: {}, data: {} } } }, "posts.upsert.data"],
  ])("with strict, refuses a key outside the grammar, named without its value (%j)", (data, path) => {
    const error = thrownVaultError(() => writes(data, true));
    expect(error).toMatchObject({ code: "VAULT_UNSUPPORTED_QUERY", model: "User" });
    expect(error.message).toContain(`"${path}"`);
    expect(error.message).not.toContain("123-45");
  });

  it("with strict, refuses lazily: the steps before an unknown key are read first", () => {
    const seen: string[] = [];
    const data = {
      posts: { create: { title: "a" }, createMany: [{ data: { title: "b" } }, { data: [], x: 1 }] },
    };
    expect(() => {
      for (const step of nestedWrites(schema, user, data, true)) seen.push(step.op);
    }).toThrow(/posts\.createMany\.x/);
    expect(seen).toEqual(["create", "createMany"]);
  });

  it("steps through the nested writes of another model the same way", () => {
    const where = { email: "a" };
    expect(named(nestedWrites(schema, organization, { users: { connect: where } }))).toEqual([
      { op: "connect", shape: "where", at: ["users", "connect"], where, model: "User", relation: "users" },
    ]);
  });
});

describe("partAt", () => {
  const step = (shape: NestedWrite["shape"]) =>
    ({ shape, at: ["posts", "upsert", 1] }) as unknown as NestedWrite;

  it("is the item itself for row data and for a filter alone", () => {
    expect(partAt(step("data"), "create")).toEqual(["posts", "upsert", 1]);
    expect(partAt(step("data"), "update")).toEqual(["posts", "upsert", 1]);
    expect(partAt(step("where"), "where")).toEqual(["posts", "upsert", 1]);
  });

  it("is the part's key inside the item otherwise; the update of { where, data } is its data", () => {
    expect(partAt(step("where+data"), "where")).toEqual(["posts", "upsert", 1, "where"]);
    expect(partAt(step("where+data"), "update")).toEqual(["posts", "upsert", 1, "data"]);
    expect(partAt(step("where+create"), "create")).toEqual(["posts", "upsert", 1, "create"]);
    expect(partAt(step("where+create+update"), "update")).toEqual(["posts", "upsert", 1, "update"]);
  });

  it("leads to each part of every step nestedWrites yields", () => {
    const data = {
      posts: {
        create: [{ title: "a" }],
        createMany: { data: [{ title: "b" }] },
        update: [{ where: { id: 1 }, data: { title: "c" } }],
        upsert: { where: { id: 2 }, create: { title: "d" }, update: { title: "e" } },
        delete: { id: 3 },
      },
      profile: { update: { bio: "f" } },
    };
    const at = (path: readonly (string | number)[]) =>
      path.reduce<unknown>((object, key) => (object as PrismaObject)[key], data);
    for (const step of nestedWrites(schema, user, data)) {
      for (const part of ["where", "create", "update"] as const) {
        if (step[part]) expect(at(partAt(step, part))).toBe(step[part]);
      }
    }
  });
});

describe("unknownArgument", () => {
  it("names the model and the argument's path, never its value", () => {
    expect(unknownArgument(user, "posts.creat")).toMatchObject({
      code: "VAULT_UNSUPPORTED_QUERY",
      model: "User",
      message: expect.stringContaining('unknown argument "posts.creat"') as string,
    });
  });
});

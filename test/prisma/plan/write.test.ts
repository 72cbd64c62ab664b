import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cloneArgs } from "../../../src/prisma/plan/args.js";
import { planWrite, type WritePlan, type WriteUnit } from "../../../src/prisma/plan/write.js";
import { buildVaultSchema } from "../../../src/schema/build.js";
import { modelOf, testDataModel, testIndexSecret, testModels, testSchema } from "../../support/datamodel.js";
import { thrownVaultError } from "../../support/errors.js";

type PrismaObject = Record<string, unknown>;

const schema = testSchema();

/** A unit as data: model, kind, the values to seal (field=value), known context, needs, locator. */
function summary(unit: WriteUnit) {
  return {
    model: unit.model.name,
    kind: unit.kind,
    values: unit.values.map((v) => `${v.field.name}=${v.value}`),
    known: unit.known,
    needs: unit.needs,
    locator: unit.locator,
  };
}

function units(model: string, operation: string, args: unknown) {
  return planWrite(schema, model, operation, args).units.map(summary);
}

function only(plan: WritePlan): WriteUnit {
  expect(plan.units).toHaveLength(1);
  return plan.units[0] as WriteUnit;
}

const unsupported = (model: string, field: string) =>
  expect.objectContaining({ code: "VAULT_UNSUPPORTED_QUERY", model, field }) as Error;

describe("planWrite, top level", () => {
  it("create: lists the strings to seal and the context the data gives", () => {
    expect(
      units("User", "create", { data: { organizationId: "o1", name: "n", email: "a@x", ssn: "1" } }),
    ).toEqual([
      {
        model: "User",
        kind: "create",
        values: ["email=a@x", "ssn=1"],
        known: { organizationId: "o1" },
        needs: [],
        locator: undefined,
      },
    ]);
  });

  it("create: the holder of each value is the data object in the returned copy, not the caller's", () => {
    const args = { data: { organizationId: "o1", email: "a@x" } };
    const plan = planWrite(schema, "User", "create", args);
    const value = only(plan).values[0];
    expect(value?.holder).toBe(plan.args["data"]);
    expect(value?.holder).not.toBe(args.data);
    expect(value?.key).toBe("email");
  });

  it("create: a context field given as a number is known as a number", () => {
    const schemaByNumber = testSchema({ Post: { context: ["authorId"], fields: { body: {} } } });
    const plan = planWrite(schemaByNumber, "Post", "create", {
      data: { authorId: 7, organizationId: "o", body: "b" },
    });
    expect(only(plan).known).toEqual({ authorId: 7 });
  });

  it.each(["createMany", "createManyAndReturn"])(
    "%s: one unit per row, rows given as a list or alone",
    (op) => {
      expect(
        units("User", op, {
          data: [
            { organizationId: "o1", email: "a" },
            { organizationId: "o2", email: "b", ssn: null },
          ],
        }),
      ).toEqual([
        {
          model: "User",
          kind: "create",
          values: ["email=a"],
          known: { organizationId: "o1" },
          needs: [],
          locator: undefined,
        },
        {
          model: "User",
          kind: "create",
          values: ["email=b"],
          known: { organizationId: "o2" },
          needs: [],
          locator: undefined,
        },
      ]);
      expect(units("User", op, { data: { organizationId: "o1", email: "a" } })).toHaveLength(1);
    },
  );

  it("create: a row of an encrypted model without values still becomes a unit, as it sets the context", () => {
    const plan = planWrite(schema, "User", "create", { data: { organizationId: "o1", name: "n" } });
    expect(only(plan).values).toEqual([]);
    expect(only(plan).setsContext).toBe(true);
  });

  it.each(["update", "updateMany", "updateManyAndReturn"])(
    "%s: a context field not in the data is read from the row at the top ([])",
    (op) => {
      expect(units("User", op, { where: { id: 1 }, data: { ssn: "1", name: "n" } })).toEqual([
        {
          model: "User",
          kind: "update",
          values: ["ssn=1"],
          known: {},
          needs: [{ field: "organizationId", locator: [], column: "organizationId" }],
          locator: [],
        },
      ]);
    },
  );

  it("update: a context field in the data is known, and the update sets the context", () => {
    const plan = planWrite(schema, "User", "update", {
      where: { id: 1 },
      data: { organizationId: { set: "o2" }, ssn: "1" },
    });
    expect(summary(only(plan))).toMatchObject({ known: { organizationId: "o2" }, needs: [] });
    expect(only(plan).setsContext).toBe(true);
  });

  it("update: moving the row to another tenant is a unit without values", () => {
    const plan = planWrite(schema, "User", "update", {
      where: { id: 1 },
      data: { organization: { connect: { id: "o2" } } },
    });
    expect(summary(only(plan))).toMatchObject({ values: [], known: { organizationId: "o2" }, needs: [] });
    expect(only(plan).setsContext).toBe(true);
  });

  it.each(["update", "updateMany", "updateManyAndReturn", "upsert"])(
    "%s: a context field the top-level where pins by equality is known, with nothing to read",
    (op) => {
      for (const pin of ["o1", { equals: "o1" }]) {
        const where = { id: 1, organizationId: pin };
        const args =
          op === "upsert"
            ? { where, create: { organizationId: "o1", ssn: "2" }, update: { ssn: "1" } }
            : { where, data: { ssn: "1" } };
        const top = planWrite(schema, "User", op, args).units.find((unit) => unit.kind === "update");
        expect(top && summary(top)).toMatchObject({
          values: ["ssn=1"],
          known: { organizationId: "o1" },
          needs: [],
        });
        expect(top?.setsContext).toBe(false);
      }
    },
  );

  it("update: a where that does not pin by plain equality pins nothing", () => {
    for (const organizationId of [
      { equals: "o1", mode: "insensitive" },
      { in: ["o1"] },
      { not: "o2" },
      { startsWith: "o" },
      null,
    ]) {
      const plan = planWrite(schema, "User", "update", {
        where: { id: 1, organizationId },
        data: { ssn: "1" },
      });
      expect(only(plan).needs).toEqual([{ field: "organizationId", locator: [], column: "organizationId" }]);
    }
    for (const where of [
      { id: 1, AND: [{ organizationId: "o1" }] },
      { id: 1, organization: { id: "o1" } },
      { id: 1, organization: { is: { id: "o1" } } },
    ]) {
      expect(only(planWrite(schema, "User", "update", { where, data: { ssn: "1" } })).needs).toHaveLength(1);
    }
  });

  it("update: setting a context field to the value where pins moves nothing; another value does", () => {
    const same = (data: PrismaObject) =>
      only(planWrite(schema, "User", "update", { where: { id: 1, organizationId: "o1" }, data }));
    for (const data of [
      { organizationId: "o1", ssn: "1" },
      { organizationId: { set: "o1" }, ssn: "1" },
      { organization: { connect: { id: "o1" } }, ssn: "1" },
    ]) {
      expect(same(data).setsContext).toBe(false);
      expect(same(data).known).toEqual({ organizationId: "o1" });
    }
    expect(same({ organizationId: "o2", ssn: "1" }).setsContext).toBe(true);
    expect(same({ organizationId: "o2", ssn: "1" }).known).toEqual({ organizationId: "o2" });
    expect(same({ organization: { connect: { id: "o2" } } }).setsContext).toBe(true);
  });

  it("update: nothing to do when neither an encrypted nor a context field is written", () => {
    expect(units("User", "update", { where: { id: 1 }, data: { name: "n" } })).toEqual([]);
    expect(units("AuditLog", "update", { where: { id: 1 }, data: { action: "a" } })).toEqual([]);
    expect(units("Nope", "create", { data: { a: "a" } })).toEqual([]);
  });

  it("upsert: the update unit falls back to the create unit's context", () => {
    const plan = planWrite(schema, "User", "upsert", {
      where: { id: 1 },
      create: { organizationId: "o1", email: "a" },
      update: { email: "b" },
    });
    expect(plan.units.map(summary)).toEqual([
      {
        model: "User",
        kind: "create",
        values: ["email=a"],
        known: { organizationId: "o1" },
        needs: [],
        locator: undefined,
      },
      {
        model: "User",
        kind: "update",
        values: ["email=b"],
        known: {},
        needs: [{ field: "organizationId", locator: [], column: "organizationId" }],
        locator: [],
      },
    ]);
    expect(plan.units[1]?.fallback).toBe(plan.units[0]);
  });

  it("{ set: string } is sealed in place of the set value; { set: null }, null and undefined are left alone", () => {
    const plan = planWrite(schema, "User", "update", {
      where: { id: 1 },
      data: { email: { set: "a" }, ssn: { set: null }, notes: null, name: undefined },
    });
    const [value, ...rest] = only(plan).values;
    expect(rest).toEqual([]);
    expect(value?.value).toBe("a");
    expect(value?.key).toBe("set");
    expect(value?.holder).toBe((plan.args["data"] as PrismaObject)["email"]);
  });

  it.each([
    ["a number", 5],
    ["a boolean", true],
    ["a Date", new Date(0)],
    ["a list", ["a"]],
    ["an operation", { increment: 1 }],
    ["{ set: number }", { set: 5 }],
    ["{ set } with another key", { set: "a", unset: true }],
  ])(
    "a non-string value (%s) for an encrypted field is VAULT_UNSUPPORTED_QUERY naming model and field",
    (_w, ssn) => {
      expect(() => planWrite(schema, "User", "update", { where: { id: 1 }, data: { ssn } })).toThrow(
        unsupported("User", "ssn"),
      );
      expect(() => planWrite(schema, "User", "create", { data: { organizationId: "o", ssn } })).toThrow(
        unsupported("User", "ssn"),
      );
    },
  );

  it("a non-string value deep in a nested write names the nested model", () => {
    expect(() =>
      planWrite(schema, "Organization", "update", {
        where: { id: "o1" },
        data: {
          users: {
            update: { where: { id: 1 }, data: { posts: { create: { organizationId: "o1", body: 1 } } } },
          },
        },
      }),
    ).toThrow(unsupported("Post", "body"));
  });
});

describe("planWrite, nested creates", () => {
  it("take the context from their own data", () => {
    expect(
      units("User", "create", {
        data: {
          organizationId: "o1",
          email: "a",
          posts: { create: { organizationId: "o2", title: "t", body: "b" } },
        },
      }),
    ).toEqual([
      {
        model: "User",
        kind: "create",
        values: ["email=a"],
        known: { organizationId: "o1" },
        needs: [],
        locator: undefined,
      },
      {
        model: "Post",
        kind: "create",
        values: ["body=b"],
        known: { organizationId: "o2" },
        needs: [],
        locator: undefined,
      },
    ]);
  });

  it.each([
    ["connect", { connect: { id: "o1" } }],
    ["create", { create: { id: "o1", name: "O" } }],
    ["connectOrCreate", { connectOrCreate: { where: { id: "o1" }, create: { id: "o1", name: "O" } } }],
    ["connect with { set }", { connect: { id: { set: "o1" } } }],
  ])("take a foreign-key context field from the relation's %s", (_op, organization) => {
    expect(units("User", "create", { data: { organization, email: "a" } })[0]?.known).toEqual({
      organizationId: "o1",
    });
  });

  it("take the context from the parent's data through the back relation's foreign keys", () => {
    const plan = planWrite(schema, "Organization", "create", {
      data: {
        id: "o1",
        name: "O",
        users: { create: [{ email: "a" }, { email: "b" }] },
        posts: { createMany: { data: [{ title: "t", authorId: 1, body: "p" }] } },
        profiles: { connectOrCreate: { where: { id: 1 }, create: { userId: 1, bio: "x" } } },
      },
    });
    expect(plan.units.map((u) => [u.model.name, u.values.map((v) => v.value), u.known, u.needs])).toEqual([
      ["User", ["a"], { organizationId: "o1" }, []],
      ["User", ["b"], { organizationId: "o1" }, []],
      ["Post", ["p"], { organizationId: "o1" }, []],
      ["Profile", ["x"], { organizationId: "o1" }, []],
    ]);
    const created = (plan.args["data"] as { users: { create: PrismaObject[] } }).users.create;
    expect(plan.units[1]?.values[0]?.holder).toBe(created[1]);
  });

  it("know nothing more when the parent's key is generated by the database", () => {
    expect(
      units("Organization", "create", { data: { name: "O", users: { create: { email: "a" } } } }),
    ).toEqual([
      { model: "User", kind: "create", values: ["email=a"], known: {}, needs: [], locator: undefined },
    ]);
  });

  it("only use the relation whose foreign key points to the parent", () => {
    // Post's context is organizationId; a post created under its author learns nothing from the author.
    expect(
      units("User", "create", {
        data: { organizationId: "o1", id: 5, posts: { create: { title: "t", body: "b" } } },
      })[1],
    ).toMatchObject({ model: "Post", known: {}, needs: [] });
  });

  it("under an update read the parent's key column at the parent's locator", () => {
    expect(
      units("Organization", "update", { where: { id: "o1" }, data: { users: { create: { email: "a" } } } }),
    ).toEqual([
      {
        model: "User",
        kind: "create",
        values: ["email=a"],
        known: {},
        needs: [{ field: "organizationId", locator: [], column: "id" }],
        locator: undefined,
      },
    ]);
  });

  it("two levels under an update read from the nested parent's locator", () => {
    const [, profile] = units("Organization", "update", {
      where: { id: "o1" },
      data: {
        users: {
          update: {
            where: { id: 3 },
            data: { ssn: "s", profile: { create: { organizationId: "o1", bio: "x" } } },
          },
        },
      },
    });
    expect(profile).toMatchObject({
      model: "Profile",
      values: ["bio=x"],
      known: { organizationId: "o1" },
      needs: [],
    });
  });
});

describe("planWrite, nested updates", () => {
  const usersUpdate = { relation: "users", where: { id: 3 } };

  it("under an update are located by relation and where, and read their context there", () => {
    expect(
      units("Organization", "update", {
        where: { id: "o1" },
        data: { users: { update: { where: { id: 3 }, data: { ssn: "s" } } } },
      }),
    ).toEqual([
      {
        model: "User",
        kind: "update",
        values: ["ssn=s"],
        known: {},
        needs: [{ field: "organizationId", locator: [usersUpdate], column: "organizationId" }],
        locator: [usersUpdate],
      },
    ]);
  });

  it("a list of updates gives one locator each", () => {
    const found = units("Organization", "update", {
      where: { id: "o1" },
      data: {
        users: {
          update: [
            { where: { id: 3 }, data: { ssn: "s" } },
            { where: { id: 4 }, data: { email: "e" } },
          ],
        },
      },
    });
    expect(found.map((u) => u.locator)).toEqual([[usersUpdate], [{ relation: "users", where: { id: 4 } }]]);
  });

  it.each([
    ["shorthand", { bio: "b" }],
    ["with data", { data: { bio: "b" } }],
  ])("a to-one update (%s) is located by the relation alone", (_form, update) => {
    expect(units("User", "update", { where: { id: 1 }, data: { profile: { update } } })).toEqual([
      {
        model: "Profile",
        kind: "update",
        values: ["bio=b"],
        known: {},
        needs: [{ field: "organizationId", locator: [{ relation: "profile" }], column: "organizationId" }],
        locator: [{ relation: "profile" }],
      },
    ]);
  });

  it("updateMany is located by its where", () => {
    expect(
      units("Organization", "update", {
        where: { id: "o1" },
        data: { users: { updateMany: { where: { name: "a" }, data: { notes: "n" } } } },
      })[0]?.locator,
    ).toEqual([{ relation: "users", where: { name: "a" } }]);
  });

  it("locators chain through every level", () => {
    const [post] = units("Organization", "update", {
      where: { id: "o1" },
      data: {
        users: {
          update: {
            where: { id: 3 },
            data: { posts: { update: { where: { id: 9 }, data: { body: "b" } } } },
          },
        },
      },
    });
    expect(post?.locator).toEqual([usersUpdate, { relation: "posts", where: { id: 9 } }]);
    expect(post?.needs).toEqual([
      { field: "organizationId", locator: post?.locator, column: "organizationId" },
    ]);
  });

  it("under a create are left to Prisma, which refuses them", () => {
    expect(
      units("Organization", "create", {
        data: {
          id: "o1",
          name: "O",
          users: {
            update: { where: { id: 3 }, data: { ssn: "s" } },
            upsert: { where: { id: 4 }, create: { email: "c" }, update: { email: "u" } },
          },
        },
      }),
    ).toEqual([]);
  });

  it("a nested upsert links its update unit to its create unit", () => {
    const plan = planWrite(schema, "Organization", "update", {
      where: { id: "o1" },
      data: { users: { upsert: { where: { id: 3 }, create: { email: "c" }, update: { email: "u" } } } },
    });
    expect(plan.units.map(summary)).toEqual([
      {
        model: "User",
        kind: "create",
        values: ["email=c"],
        known: {},
        needs: [{ field: "organizationId", locator: [], column: "id" }],
        locator: undefined,
      },
      {
        model: "User",
        kind: "update",
        values: ["email=u"],
        known: {},
        needs: [{ field: "organizationId", locator: [usersUpdate], column: "organizationId" }],
        locator: [usersUpdate],
      },
    ]);
    expect(plan.units[1]?.fallback).toBe(plan.units[0]);
  });

  it("an upsert never links a nested unit of another model as the fallback", () => {
    const plan = planWrite(schema, "User", "upsert", {
      where: { id: 1 },
      create: { organizationId: "o1", email: "a" },
      update: { profile: { update: { bio: "b" } } },
    });
    const profile = plan.units.find((u) => u.model.name === "Profile");
    expect(profile?.fallback).toBeUndefined();
  });

  it("a nested update that moves its row to another tenant is a unit that sets the context", () => {
    const plan = planWrite(schema, "Organization", "update", {
      where: { id: "o1" },
      data: { users: { update: { where: { id: 3 }, data: { organizationId: "o2" } } } },
    });
    expect(only(plan).setsContext).toBe(true);
    expect(only(plan).needs).toEqual([]);
  });
});

describe("planWrite with blind indexes", () => {
  it("a value of an indexed field is pending with the row whose index column it fills", () => {
    const plan = planWrite(schema, "Account", "create", {
      data: { organizationId: "o1", email: "a@x.io", handle: { set: "h" } },
    });
    const [email, handle] = only(plan).values;
    expect(email?.row).toBe(only(plan).data);
    expect(handle?.row).toBe(only(plan).data);
    expect(handle?.holder).toEqual({ set: "h" });
  });

  it("writing null to an indexed field writes null to its index column too", () => {
    const plan = planWrite(schema, "Account", "update", {
      where: { id: 1 },
      data: { phone: null, handle: { set: null } },
    });
    expect(plan.args["data"]).toEqual({
      phone: null,
      phoneIndex: null,
      handle: { set: null },
      handleIndex: null,
    });
  });

  it.each([
    ["create", { data: { organizationId: "o1", email: "a", emailIndex: "forged" } }],
    ["update", { where: { id: 1 }, data: { handleIndex: null } }],
    ["updateMany", { data: { phoneIndex: { set: "x" } } }],
    [
      "upsert",
      { where: { id: 1 }, create: { organizationId: "o", email: "a" }, update: { emailIndex: "x" } },
    ],
  ])("a %s that writes an index column itself is VAULT_CONFIG naming the column", (operation, args) => {
    const error = thrownVaultError(() => planWrite(schema, "Account", operation, args));
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.model).toBe("Account");
    expect(error.message).toMatch(/is the blind index of \w+ and is written by prisma-vault/);
  });

  it("a nested write of an index column is refused too", () => {
    const args = { data: { id: "o", name: "o", accounts: { create: { email: "a", emailIndex: "x" } } } };
    expect(() => planWrite(schema, "Organization", "create", args)).toThrow(/emailIndex/);
  });
});

// ---- properties ----

const encryptedValue = fc.oneof(
  fc.string(),
  fc.constant(null),
  fc.constant(undefined),
  fc.record({ set: fc.oneof(fc.string(), fc.constant(null)) }),
);
const plainValue = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.date({ noInvalidDate: true }));
const where = fc.record({ id: fc.nat(9) });
const some = { requiredKeys: [] as never[] };

/** Data of a write on `model`, with relation writes down to `depth` levels. */
function dataOf(model: string, depth: number): fc.Arbitrary<PrismaObject> {
  const m = modelOf(schema, model);
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const name of m.scalars) {
    // Index columns are written by prisma-vault only (a user writing one is tested on its own).
    if (m.indexColumns.has(name)) continue;
    fields[name] = m.encrypted.has(name)
      ? encryptedValue
      : m.contextFields.includes(name)
        ? fc.oneof(fc.string({ minLength: 1 }), fc.record({ set: fc.string({ minLength: 1 }) }))
        : plainValue;
  }
  if (depth > 0) {
    for (const relation of m.relations.values()) fields[relation.name] = opsOf(relation.target, depth - 1);
  }
  return fc.record(fields, some);
}

function opsOf(model: string, depth: number): fc.Arbitrary<PrismaObject> {
  const data = dataOf(model, depth);
  return fc.record(
    {
      create: fc.oneof(data, fc.array(data, { maxLength: 2 })),
      createMany: fc.record({ data: fc.array(data, { maxLength: 2 }) }),
      connect: fc.record({ id: fc.oneof(fc.string(), fc.nat()) }),
      connectOrCreate: fc.record({ where, create: data }),
      update: fc.oneof(
        data,
        fc.record({ where, data }),
        fc.array(fc.record({ where, data }), { maxLength: 2 }),
      ),
      updateMany: fc.record({ where, data }),
      upsert: fc.record({ where, create: data, update: data }, some),
    },
    some,
  );
}

const write = fc.constantFrom("Organization", "User", "Post", "Profile", "Account").chain((model) => {
  const data = dataOf(model, 2);
  return fc.oneof(
    fc.record({ model: fc.constant(model), operation: fc.constant("create"), args: fc.record({ data }) }),
    fc.record({
      model: fc.constant(model),
      operation: fc.constantFrom("createMany", "createManyAndReturn"),
      args: fc.record({ data: fc.array(data, { maxLength: 3 }) }),
    }),
    fc.record({
      model: fc.constant(model),
      operation: fc.constantFrom("update", "updateMany"),
      args: fc.record({ where, data }),
    }),
    fc.record({
      model: fc.constant(model),
      operation: fc.constant("upsert"),
      args: fc.record({ where, create: data, update: data }),
    }),
  );
});

const indexColumns = new Set([...schema.models.values()].flatMap((m) => [...m.indexColumns.keys()]));

/** `value` without the index columns written as null (every one of them, at any depth). */
function withoutIndexColumns(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIndexColumns);
  if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype)
    return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, item]) => !(indexColumns.has(key) && item === null))
      .map(([key, item]) => [key, withoutIndexColumns(item)]),
  );
}

/** Every plain object and array reachable from `value`. */
function containers(value: unknown, into = new Set<object>()): Set<object> {
  if (typeof value !== "object" || value === null || into.has(value)) return into;
  if (!Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) return into;
  into.add(value);
  for (const item of Object.values(value)) containers(item, into);
  return into;
}

describe("planWrite, for any write", () => {
  it("never changes the caller's arguments, even after envelopes are written into the plan", () => {
    fc.assert(
      fc.property(write, ({ model, operation, args }) => {
        const before = structuredClone(args);
        const plan = planWrite(schema, model, operation, args);
        // The copy differs only by the index columns cleared beside null values.
        expect(withoutIndexColumns(plan.args)).toEqual(before);
        for (const unit of plan.units) for (const v of unit.values) v.holder[v.key] = `sealed(${v.value})`;
        expect(args).toEqual(before);
      }),
    );
  });

  it("puts every pending value's holder inside the returned copy, holding that value", () => {
    fc.assert(
      fc.property(write, ({ model, operation, args }) => {
        const plan = planWrite(schema, model, operation, args);
        const copy = containers(plan.args);
        const original = containers(args);
        for (const unit of plan.units) {
          for (const v of unit.values) {
            expect(copy.has(v.holder)).toBe(true);
            expect(original.has(v.holder)).toBe(false);
            expect(v.holder[v.key]).toBe(v.value);
            expect(v.field.model).toBe(unit.model.name);
          }
        }
      }),
    );
  });

  it("lists every encrypted string of the top-level row it writes", () => {
    fc.assert(
      fc.property(write, ({ model, operation, args }) => {
        const plan = planWrite(schema, model, operation, args);
        const m = modelOf(schema, model);
        const rows = operation.startsWith("createMany")
          ? (plan.args["data"] as PrismaObject[])
          : [(operation === "upsert" ? plan.args["create"] : plan.args["data"]) as PrismaObject];
        const listed = new Set(plan.units.flatMap((u) => u.values.map((v) => v.holder)));
        for (const row of rows) {
          for (const name of m.encrypted.keys()) {
            const raw = row[name];
            if (typeof raw === "string") expect(listed.has(row)).toBe(true);
            if (typeof raw === "object" && raw !== null && typeof (raw as PrismaObject)["set"] === "string")
              expect(listed.has(raw as PrismaObject)).toBe(true);
          }
        }
      }),
    );
  });
});

describe("cloneArgs", () => {
  it("copies plain objects and arrays deeply, sharing nothing the caller could see changed", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = cloneArgs(value);
        expect(copy).toEqual(value);
        const original = containers(value);
        for (const inner of containers(copy)) expect(original.has(inner)).toBe(false);
      }),
    );
  });

  it("shares values that are not plain objects: Date, Uint8Array", () => {
    const date = new Date(0);
    const bytes = new Uint8Array([1]);
    const copy = cloneArgs({ data: { at: date, raw: bytes } }) as { data: PrismaObject };
    expect(copy.data["at"]).toBe(date);
    expect(copy.data["raw"]).toBe(bytes);
  });

  it("a value in class-instance data is held by a copy, never by the caller's object", () => {
    class CreateUserDto {
      organizationId = "o1";
      email = "a@x";
    }
    const dto = new CreateUserDto();
    const plan = planWrite(schema, "User", "create", { data: dto });
    expect(only(plan).values[0]?.holder).not.toBe(dto);
  });
});

describe("planWrite, what it does not understand", () => {
  /** The test data model as the runtime data model gives it: relations without their key columns. */
  const runtimeSchema = buildVaultSchema(
    {
      models: Object.fromEntries(
        Object.entries(testDataModel.models).map(([name, m]) => [
          name,
          {
            ...m,
            fields: m.fields.map(({ relationFromFields: _f, relationToFields: _t, ...field }) => field),
          },
        ]),
      ),
    },
    testModels,
    { plaintext: "reject", indexSecret: testIndexSecret },
  );

  it("a tenant change through a relation whose keys are unknown is refused before anything is sent, naming the generator", () => {
    for (const data of [
      { organization: { connect: { id: "org_b" } } },
      { organization: { connectOrCreate: { where: { id: "o" }, create: { id: "o", name: "o" } } } },
      { organization: { create: { id: "o", name: "o" } } },
    ]) {
      const error = thrownVaultError(() =>
        planWrite(runtimeSchema, "User", "update", { where: { id: 1 }, data }),
      );
      expect(error).toMatchObject({ code: "VAULT_UNSUPPORTED_QUERY", model: "User", field: "organization" });
      expect(error.message).toContain("prisma-vault generator");
    }
    expect(() =>
      planWrite(runtimeSchema, "User", "create", {
        data: { organization: { connect: { id: "o" } }, email: "a@x" },
      }),
    ).toThrow(/generator/);
  });

  it("a nested create whose context would come from a parent through unknown keys is refused, naming the generator", () => {
    const error = thrownVaultError(() =>
      planWrite(runtimeSchema, "Organization", "create", {
        data: { id: "o", name: "o", users: { create: { email: "a@x" } } },
      }),
    );
    expect(error).toMatchObject({ code: "VAULT_UNSUPPORTED_QUERY", model: "User" });
    expect(error.message).toContain("prisma-vault generator");
  });

  it("with unknown keys, writes that give the context themselves or touch no linking relation still plan", () => {
    expect(
      planWrite(runtimeSchema, "User", "create", { data: { organizationId: "o", email: "a@x" } }).units,
    ).toHaveLength(1);
    expect(
      planWrite(runtimeSchema, "User", "update", { where: { id: 1 }, data: { email: "b@x", name: "n" } })
        .units,
    ).toHaveLength(1);
  });

  it("unknown keys in data and in nested writes are refused, named without their values", () => {
    const cases: [string, string, unknown, string][] = [
      ["User", "create", { data: { organizationId: "o", emial: "secret-value" } }, "emial"],
      [
        "User",
        "create",
        { data: { organizationId: "o", email: "a", posts: { craete: { body: "secret-value" } } } },
        "posts.craete",
      ],
      [
        "User",
        "update",
        { data: { posts: { createMany: { data: [], skipDupes: true } } } },
        "posts.createMany.skipDupes",
      ],
      [
        "User",
        "update",
        { data: { posts: { upsert: { where: { id: 1 }, create: {}, updat: {} } } } },
        "posts.upsert.updat",
      ],
      [
        "Organization",
        "update",
        { data: { users: { update: { where: { id: 1 }, data: { ssn: "x" }, extra: 1 } } } },
        "where",
      ],
    ];
    for (const [model, operation, args, key] of cases) {
      const error = thrownVaultError(() => planWrite(schema, model, operation, args));
      expect(error.code).toBe("VAULT_UNSUPPORTED_QUERY");
      expect(error.message).toContain(`"${key}"`);
      expect(error.message).not.toContain("secret-value");
    }
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  planSelection,
  shapeAt,
  type GlobalOmit,
  type ResultShape,
} from "../../../src/prisma/plan/selection.js";
import { resultValues, stripAdded } from "../../../src/prisma/results.js";
import { buildVaultSchema } from "../../../src/schema/build.js";
import { dataModel, model, modelOf, scalar, testSchema } from "../../support/datamodel.js";
import { modelProperty } from "../../../src/schema/model-property.js";
import { rowId } from "../../../src/schema/rows.js";

type PrismaObject = Record<string, unknown>;

const schema = testSchema();

function plan(model: string, args: PrismaObject | undefined, omit: GlobalOmit = {}) {
  return planSelection(schema, model, args, omit);
}

/** The names of the fields a shape decrypts. */
function decrypted(shape: ResultShape | undefined): string[] {
  return shape?.decrypt.map((field) => field.name) ?? [];
}

describe("planSelection", () => {
  it("without arguments returns every scalar: decrypts all encrypted fields, adds nothing", () => {
    const { args, shape } = plan("User", undefined);
    expect(args).toEqual({});
    expect(decrypted(shape)).toEqual(["email", "ssn", "notes"]);
    expect(shape?.strip).toEqual([]);
    expect(shape?.relations.size).toBe(0);
  });

  it("returns the caller's arguments and no shape when nothing returned is encrypted", () => {
    for (const [model, args] of [
      ["AuditLog", { where: { id: 1 } }],
      ["Organization", { where: { id: "o1" } }],
      ["User", { select: { id: true, name: true } }],
      ["User", { select: { email: false, name: true } }],
      ["User", { select: { organization: true } }],
      ["Post", { omit: { body: true } }],
      ["Nope", { select: { x: true } }],
    ] as const) {
      const input: PrismaObject = { ...args };
      const planned = plan(model, input);
      expect(planned.shape).toBeUndefined();
      expect(planned.args).toBe(input);
    }
    expect(plan("AuditLog", undefined).args).toBeUndefined();
  });

  it("a select without the context field gets it added, and marked to strip", () => {
    const { args, shape } = plan("User", { where: { id: 1 }, select: { email: true } });
    expect(args).toEqual({ where: { id: 1 }, select: { email: true, organizationId: true } });
    expect(decrypted(shape)).toEqual(["email"]);
    expect(shape?.strip).toEqual(["organizationId"]);
  });

  it("a select that turns the context field off gets it turned on, and marked to strip", () => {
    const { args, shape } = plan("Post", { select: { body: true, organizationId: false } });
    expect(args).toEqual({ select: { body: true, organizationId: true } });
    expect(shape?.strip).toEqual(["organizationId"]);
  });

  it("a select with the context field is sent as it is, and nothing is stripped", () => {
    const { args, shape } = plan("User", { select: { ssn: true, organizationId: true } });
    expect(args).toEqual({ select: { ssn: true, organizationId: true } });
    expect(shape?.strip).toEqual([]);
  });

  it("a global omit of the context field is overridden per query, and the field stripped", () => {
    const { args, shape } = plan("User", { where: { id: 1 } }, { user: { organizationId: true } });
    expect(args).toEqual({ where: { id: 1 }, omit: { organizationId: false } });
    expect(shape?.strip).toEqual(["organizationId"]);
  });

  it("a query omit of the context field is kept for the caller: the field is read, then stripped", () => {
    const { args, shape } = plan("User", { omit: { organizationId: true, notes: true } });
    expect(args).toEqual({ omit: { organizationId: false, notes: true } });
    expect(decrypted(shape)).toEqual(["email", "ssn"]);
    expect(shape?.strip).toEqual(["organizationId"]);
  });

  it("omitted encrypted fields are not decrypted; a query omit: false wins over the global omit", () => {
    const omit = { user: { ssn: true, notes: true } };
    expect(decrypted(plan("User", {}, omit).shape)).toEqual(["email"]);
    expect(decrypted(plan("User", { omit: { ssn: false } }, omit).shape)).toEqual(["email", "ssn"]);
  });

  it("a global omit of another model does not apply", () => {
    const { args, shape } = plan("User", {}, { post: { organizationId: true } });
    expect(args).toEqual({});
    expect(shape?.strip).toEqual([]);
  });

  it("an include of a relation set to true stays true when the related rows return their context", () => {
    const { args, shape } = plan("Organization", { include: { users: true, posts: false } });
    expect(args).toEqual({ include: { users: true, posts: false } });
    expect(decrypted(shape)).toEqual([]);
    expect([...(shape?.relations.keys() ?? [])]).toEqual(["users"]);
    expect(decrypted(shape?.relations.get("users"))).toEqual(["email", "ssn", "notes"]);
  });

  it("an include of a relation set to true becomes arguments when the related context is omitted", () => {
    const { args, shape } = plan(
      "Organization",
      { include: { users: true } },
      { user: { organizationId: true } },
    );
    expect(args).toEqual({ include: { users: { omit: { organizationId: false } } } });
    expect(shape?.relations.get("users")?.strip).toEqual(["organizationId"]);
  });

  it("a select of a relation set to true is planned like an include of it", () => {
    const { args, shape } = plan("Post", { select: { title: true, author: true } });
    expect(args).toEqual({ select: { title: true, author: true } });
    expect(decrypted(shape)).toEqual([]);
    expect(decrypted(shape?.relations.get("author"))).toEqual(["email", "ssn", "notes"]);
  });

  it("plans nested selections at every depth, leaving relations without encrypted fields alone", () => {
    const input = {
      include: {
        users: {
          where: { name: "a" },
          select: { ssn: true, organization: true, posts: { select: { body: true }, take: 2 } },
        },
        profiles: { omit: { bio: true } },
      },
    };
    const { args, shape } = plan("Organization", input);
    expect(args).toEqual({
      include: {
        users: {
          where: { name: "a" },
          select: {
            ssn: true,
            organizationId: true,
            organization: true,
            posts: { select: { body: true, organizationId: true }, take: 2 },
          },
        },
        profiles: { omit: { bio: true } },
      },
    });
    const users = shape?.relations.get("users");
    expect(decrypted(users)).toEqual(["ssn"]);
    expect(users?.strip).toEqual(["organizationId"]);
    expect([...(users?.relations.keys() ?? [])]).toEqual(["posts"]);
    expect(users?.relations.get("posts")?.strip).toEqual(["organizationId"]);
    expect(shape?.relations.has("profiles")).toBe(false);
  });

  it("a derived context adds every field derive() reads", () => {
    const derivedSchema = testSchema({
      Post: {
        context: { fields: ["organizationId", "authorId"], derive: () => ({ k: "v" }) },
        fields: { body: {} },
      },
    });
    const { args, shape } = planSelection(derivedSchema, "Post", { select: { body: true } }, {});
    expect(args).toEqual({ select: { body: true, organizationId: true, authorId: true } });
    expect(shape?.strip).toEqual(["organizationId", "authorId"]);
  });
});

describe("shapeAt", () => {
  const { shape } = plan("Organization", {
    include: { users: { include: { posts: true, profile: true } } },
  });

  it("follows a fluent data path through select and include steps", () => {
    expect(shapeAt(shape, [])).toBe(shape);
    expect(shapeAt(shape, ["select", "users"])).toBe(shape?.relations.get("users"));
    expect(shapeAt(shape, ["include", "users"])).toBe(shape?.relations.get("users"));
    expect(decrypted(shapeAt(shape, ["select", "users", "select", "posts"]))).toEqual(["body"]);
    expect(decrypted(shapeAt(shape, ["select", "users", "select", "profile"]))).toEqual(["bio"]);
  });

  it("is undefined for a path the shape does not hold", () => {
    expect(shapeAt(shape, ["select", "posts"])).toBeUndefined();
    expect(shapeAt(shape, ["select", "users", "select", "organization"])).toBeUndefined();
    expect(shapeAt(undefined, ["select", "users"])).toBeUndefined();
  });
});

describe("modelProperty", () => {
  it("lower-cases the first letter of a model name", () => {
    expect(modelProperty("User")).toBe("user");
    expect(modelProperty("AuditLog")).toBe("auditLog");
  });
});

describe("a planned shape over a result", () => {
  it("lists the encrypted string values, children first, and strips only the fields it added", () => {
    const { shape } = plan("Post", { select: { body: true, author: { select: { ssn: true } } } });
    if (!shape) throw new Error("expected a shape");
    const author = { ssn: "s1", organizationId: "o1" };
    const rows = [
      { body: "b1", organizationId: "o1", author },
      { body: null, organizationId: "o2", author: null },
    ];
    const values = resultValues(shape, rows);
    expect(values.map((v) => [v.model.name, v.field.name, v.value])).toEqual([
      ["User", "ssn", "s1"],
      ["Post", "body", "b1"],
    ]);
    expect(values[0]?.row).toBe(author);
    stripAdded(shape, rows);
    expect(rows).toEqual([
      { body: "b1", author: { ssn: "s1" } },
      { body: null, author: null },
    ]);
  });

  it("rowId is the primary key value, an object for a compound key, undefined when unknown", () => {
    expect(rowId(modelOf(schema, "User"), { id: 7, email: "e" })).toBe(7);
    expect(rowId(modelOf(schema, "User"), { email: "e" })).toBeUndefined();
    const compound = buildVaultSchema(
      dataModel(model("M", [scalar("a"), scalar("b", "Int"), scalar("c")], { primaryKey: ["a", "b"] })),
      {},
      { plaintext: "reject" },
    );
    expect(rowId(modelOf(compound, "M"), { a: "x", b: 1, c: "y" })).toEqual({ a: "x", b: 1 });
    expect(rowId(modelOf(compound, "M"), { a: "x", c: "y" })).toBeUndefined();
    const keyless = buildVaultSchema(dataModel(model("M", [scalar("a")])), {}, { plaintext: "reject" });
    expect(rowId(modelOf(keyless, "M"), { a: "x" })).toBeUndefined();
  });
});

const models = ["Organization", "User", "Post", "Profile"] as const;

/** Arguments of a query on `model`: select, include and omit down to `depth` relations. */
function argsOf(model: string, depth: number): fc.Arbitrary<PrismaObject> {
  const m = modelOf(schema, model);
  const scalars = Object.fromEntries([...m.scalars].map((name) => [name, fc.boolean()]));
  const nested = Object.fromEntries(
    [...m.relations.values()].map((r) => [
      r.name,
      depth > 0 ? fc.oneof(fc.boolean(), argsOf(r.target, depth - 1)) : fc.boolean(),
    ]),
  );
  const some = { requiredKeys: [] as never[] };
  return fc.oneof(
    fc.constant({}),
    fc.record({ where: fc.constant({ id: 1 }), select: fc.record({ ...scalars, ...nested }, some) }, some),
    fc.record({ include: fc.record(nested, some), omit: fc.record(scalars, some), take: fc.nat(5) }, some),
  );
}

const globalOmitArb = fc.record(
  Object.fromEntries(
    models.map((name) => [
      modelProperty(name),
      fc.record(Object.fromEntries([...modelOf(schema, name).scalars].map((f) => [f, fc.boolean()])), {
        requiredKeys: [],
      }),
    ]),
  ),
  { requiredKeys: [] },
) as unknown as fc.Arbitrary<GlobalOmit>;

const query = fc
  .constantFrom(...models)
  .chain((model) => fc.record({ model: fc.constant(model), args: argsOf(model, 3), omit: globalOmitArb }));

function asObject(value: unknown): PrismaObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as PrismaObject)
    : undefined;
}

/** Checks one level of a planned query against the caller's, then its relations. */
function checkLevel(shape: ResultShape, input: PrismaObject, output: PrismaObject, omit: GlobalOmit): void {
  const model = shape.model;
  const globalOmit = omit[modelProperty(model.name)] ?? {};
  const inSelect = asObject(input["select"]);
  const outSelect = asObject(output["select"]);
  const inOmit = asObject(input["omit"]) ?? {};
  const outOmit = asObject(output["omit"]) ?? {};
  // The fields the plan turned on are exactly the ones it strips.
  const added = [...model.scalars].filter((f) =>
    inSelect
      ? !inSelect[f] && outSelect?.[f] === true
      : Boolean(inOmit[f] ?? globalOmit[f]) && outOmit[f] === false,
  );
  expect([...added].sort()).toEqual([...shape.strip].sort());
  // A row with an encrypted field always comes back with its context fields.
  if (shape.decrypt.length > 0) {
    for (const field of model.contextFields) {
      if (outSelect) expect(outSelect[field]).toBe(true);
      else expect(Boolean(outOmit[field] ?? globalOmit[field])).toBe(false);
    }
  }
  for (const [name, nested] of shape.relations) {
    const inValue = (inSelect ?? asObject(input["include"]))?.[name];
    const outValue = (outSelect ?? asObject(output["include"]))?.[name];
    checkLevel(
      nested,
      inValue === true ? {} : (asObject(inValue) ?? {}),
      outValue === true ? {} : (asObject(outValue) ?? {}),
      omit,
    );
  }
}

describe("planSelection, for any select / include / omit", () => {
  it("never changes its input", () => {
    fc.assert(
      fc.property(query, ({ model, args, omit }) => {
        const before = structuredClone({ args, omit });
        plan(model, args, omit);
        expect({ args, omit }).toEqual(before);
      }),
    );
  });

  it("strips exactly the fields it added, and returns every context field of a decrypted row", () => {
    fc.assert(
      fc.property(query, ({ model, args, omit }) => {
        const planned = plan(model, args, omit);
        if (!planned.shape) {
          expect(planned.args).toBe(args);
          return;
        }
        checkLevel(planned.shape, args, planned.args ?? {}, omit);
      }),
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PrismaObject } from "../../src/client/prisma-object.js";
import { planSelection, type ResultShape } from "../../src/prisma/plan/selection.js";
import { resultValues, stripAdded } from "../../src/prisma/results.js";
import { buildVaultSchema } from "../../src/schema/build.js";
import type { VaultSchema } from "../../src/schema/model-schema.js";
import { dataModel, model, modelOf, scalar, testSchema } from "../support/datamodel.js";
import { rowId } from "../../src/schema/rows.js";

const schema = testSchema();

function shapeOf(modelName: string, args: PrismaObject | undefined): ResultShape {
  const { shape } = planSelection(schema, modelName, args, {});
  if (!shape) throw new Error("expected a result shape");
  return shape;
}

describe("resultValues", () => {
  it("lists the string values of the fields the shape decrypts, with the row each is in", () => {
    const shape = shapeOf("User", { select: { email: true, ssn: true } });
    const row = { email: "E1", ssn: "S1", notes: "not selected", organizationId: "o1" };
    const values = resultValues(shape, row);
    expect(values.map((v) => [v.model.name, v.field.name, v.value])).toEqual([
      ["User", "email", "E1"],
      ["User", "ssn", "S1"],
    ]);
    for (const v of values) expect(v.row).toBe(row);
  });

  it("skips null, missing and non-string values", () => {
    const shape = shapeOf("User", undefined);
    expect(resultValues(shape, { email: null, ssn: 42, organizationId: "o1" })).toEqual([]);
  });

  it("finds nothing in null, undefined or a scalar result", () => {
    const shape = shapeOf("User", undefined);
    for (const result of [null, undefined, 3, "E1"]) expect(resultValues(shape, result)).toEqual([]);
  });

  it("walks lists, to-many and to-one relations, the related rows before their parent", () => {
    const shape = shapeOf("Organization", {
      include: { users: { include: { profile: true, posts: true } } },
    });
    const profile = { bio: "B1", organizationId: "o1" };
    const post = { body: "P1", organizationId: "o1" };
    const rows = [
      { id: "o1", users: [{ ssn: "S1", organizationId: "o1", profile, posts: [post] }] },
      { id: "o2", users: [{ ssn: "S2", organizationId: "o2", profile: null, posts: [] }] },
    ];
    expect(resultValues(shape, rows).map((v) => `${v.model.name}.${v.field.name}=${v.value}`)).toEqual([
      "Profile.bio=B1",
      "Post.body=P1",
      "User.ssn=S1",
      "User.ssn=S2",
    ]);
  });

  it("does not look into a relation the shape does not hold", () => {
    const shape = shapeOf("User", { select: { ssn: true } });
    const row = { ssn: "S1", organizationId: "o1", posts: [{ body: "P1", organizationId: "o1" }] };
    expect(resultValues(shape, row).map((v) => v.value)).toEqual(["S1"]);
  });
});

describe("stripAdded", () => {
  it("removes, at every depth, the context fields the plan added, and nothing else", () => {
    const shape = shapeOf("User", { select: { ssn: true, posts: { select: { body: true } } } });
    const rows = [
      { ssn: "s", organizationId: "o1", posts: [{ body: "b", organizationId: "o1" }] },
      { ssn: "s", organizationId: "o2", posts: [] },
    ];
    stripAdded(shape, rows);
    expect(rows).toEqual([
      { ssn: "s", posts: [{ body: "b" }] },
      { ssn: "s", posts: [] },
    ]);
  });

  it("keeps a context field the caller selected", () => {
    const shape = shapeOf("User", { select: { ssn: true, organizationId: true } });
    const row = { ssn: "s", organizationId: "o1" };
    stripAdded(shape, row);
    expect(row).toEqual({ ssn: "s", organizationId: "o1" });
  });

  it("for any select on User and its posts, leaves exactly the fields the caller asked for", () => {
    const pick = (names: readonly string[]) =>
      fc.record(Object.fromEntries(names.map((n) => [n, fc.boolean()])));
    const userSelect = fc.record(
      {
        ...Object.fromEntries(
          ["id", "organizationId", "name", "email", "ssn", "notes"].map((n) => [n, fc.boolean()]),
        ),
        posts: pick(["id", "organizationId", "authorId", "title", "body"]).map((select) => ({ select })),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(userSelect, fc.nat({ max: 3 }), (select, postCount) => {
        const asked = { select } as PrismaObject;
        const planned = planSelection(schema, "User", asked, {});
        fc.pre(planned.shape !== undefined);
        const received = rowFor(schema, "User", planned.args ?? {}, postCount);
        stripAdded(planned.shape, received);
        expect(received).toEqual(rowFor(schema, "User", asked, postCount));
      }),
      { numRuns: 300 },
    );
  });
});

describe("rowId", () => {
  const compound = buildVaultSchema(
    dataModel(model("M", [scalar("a"), scalar("b", "Int"), scalar("c")], { primaryKey: ["a", "b"] })),
    {},
    { plaintext: "reject" },
  );
  const m = modelOf(compound, "M");

  it("is the value of a single-field primary key", () => {
    const user = modelOf(schema, "User");
    expect(rowId(user, { id: 7, organizationId: "o1" })).toBe(7);
    expect(rowId(user, { organizationId: "o1" })).toBeUndefined();
  });

  it("is undefined for a model without a primary key", () => {
    const keyless = buildVaultSchema(dataModel(model("K", [scalar("a")])), {}, { plaintext: "reject" });
    expect(rowId(modelOf(keyless, "K"), { a: "x" })).toBeUndefined();
  });

  it("of a compound key is an object of exactly its fields, or undefined when one is not in the row", () => {
    const part = fc.option(fc.oneof(fc.string(), fc.integer()), { nil: undefined });
    fc.assert(
      fc.property(part, part, fc.string(), (a, b, c) => {
        const row: PrismaObject = { c };
        if (a !== undefined) row["a"] = a;
        if (b !== undefined) row["b"] = b;
        const id = rowId(m, row);
        if (a === undefined || b === undefined) expect(id).toBeUndefined();
        else expect(id).toStrictEqual({ a, b });
      }),
    );
  });
});

/**
 * The row Prisma returns for `args` on `modelName`: each selected scalar holds `<Model>.<field>`, and a
 * selected to-many relation holds `count` such rows.
 */
function rowFor(schema: VaultSchema, modelName: string, args: PrismaObject, count: number): PrismaObject {
  const current = modelOf(schema, modelName);
  const select = (args["select"] ?? {}) as PrismaObject;
  const row: PrismaObject = {};
  for (const [key, value] of Object.entries(select)) {
    if (!value) continue;
    const relation = current.relations.get(key);
    if (relation === undefined) row[key] = `${modelName}.${key}`;
    else
      row[key] = Array.from({ length: count }, () =>
        rowFor(schema, relation.target, value === true ? {} : (value as PrismaObject), count),
      );
  }
  return row;
}

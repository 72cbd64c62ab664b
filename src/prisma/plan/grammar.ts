/**
 * Pure: Prisma's argument grammar, one step at a time. From an argument object of model M, each reader
 * yields the argument objects nested in it, the model each belongs to and the role it plays there; the
 * selection, write and filter planners recurse with their own state. Every step says where its object
 * sits (`at`, keys from the object read), so a planner can name a place in a copy it has not made yet.
 */
import { unsupportedQuery } from "../../error-messages.js";
import { VaultUnsupportedQueryError } from "../../errors.js";
import type { ModelSchema, Relation, VaultSchema } from "../../schema/model-schema.js";
import { NESTED_WRITES, type Path, objects } from "./args.js";
import { type PrismaObject, isObject } from "../../client/prisma-object.js";

/** The arguments of a relation in a `select` / `include`, or in `_count: { select }` ("count"). */
export interface SelectionStep {
  readonly role: "relation" | "count";
  readonly relation: Relation;
  readonly model: ModelSchema;
  /** As given: `true` or the relation's arguments. */
  readonly value: unknown;
  /** The relation's arguments; `{}` for `true`. */
  readonly args: PrismaObject;
  readonly at: Path;
}

/**
 * The relations a `select` or `include` object asks for, with their arguments. Relations of models the
 * schema does not know, and relations turned off (`false`, `undefined`), are not steps.
 *
 * @example [...selectedRelations(schema, user, { posts: { where } })] // [{ role: "relation", model: Post, args: { where } }]
 */
export function selectedRelations(
  schema: VaultSchema,
  model: ModelSchema,
  selection: PrismaObject,
  at: Path = [],
): Generator<SelectionStep> {
  return selectionSteps(schema, model, selection, "relation", at);
}

function* selectionSteps(
  schema: VaultSchema,
  model: ModelSchema,
  selection: PrismaObject,
  role: SelectionStep["role"],
  at: Path,
): Generator<SelectionStep> {
  for (const [name, value] of Object.entries(selection)) {
    // `_count: { select: { posts: { where } } }` counts filtered relations.
    if (name === "_count" && isObject(value) && isObject(value["select"])) {
      yield* selectionSteps(schema, model, value["select"], "count", [...at, name, "select"]);
      continue;
    }
    const relation = model.relations.get(name);
    const target = relation && schema.models.get(relation.target);
    if (!target || !value) continue;
    yield { role, relation, model: target, value, args: isObject(value) ? value : {}, at: [...at, name] };
  }
}

/** Prisma's relation filters: `posts: { some: … }`, `author: { is: … }`. */
export const RELATION_FILTERS = ["some", "every", "none", "is", "isNot"] as const;

/**
 * One entry of a `where` (or `cursor`): a nested filter of the same model under AND / OR / NOT; a
 * filter of a related model (`op` undefined for the bare to-one form `author: { name }`); or a
 * condition on anything else (a field, a compound unique input), left to the planner.
 */
export type FilterStep =
  | {
      readonly role: "logic";
      readonly op: "AND" | "OR" | "NOT";
      readonly where: PrismaObject;
      readonly at: Path;
    }
  | {
      readonly role: "relation";
      readonly op: (typeof RELATION_FILTERS)[number] | undefined;
      readonly relation: Relation;
      readonly model: ModelSchema;
      readonly where: PrismaObject;
      readonly at: Path;
    }
  | { readonly role: "condition"; readonly key: string; readonly value: unknown };

/**
 * The entries of `where`, in its key order. Undefined entries are skipped, as Prisma ignores them;
 * so are filters on relations to models the schema does not know.
 *
 * @example [...filterSteps(schema, post, { OR: [{ title: "a" }], author: { is: { email } } })]
 */
export function* filterSteps(
  schema: VaultSchema,
  model: ModelSchema,
  where: PrismaObject,
): Generator<FilterStep> {
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined) continue;
    if (key === "AND" || key === "OR" || key === "NOT") {
      for (const [item, at] of objects(value, [key])) yield { role: "logic", op: key, where: item, at };
      continue;
    }
    const relation = model.relations.get(key);
    if (relation) {
      const target = schema.models.get(relation.target);
      if (!target || !isObject(value)) continue;
      const ops = RELATION_FILTERS.filter((op) => op in value);
      if (ops.length === 0)
        yield { role: "relation", op: undefined, relation, model: target, where: value, at: [key] };
      for (const op of ops) {
        const filter = value[op];
        if (isObject(filter))
          yield { role: "relation", op, relation, model: target, where: filter, at: [key, op] };
      }
      continue;
    }
    yield { role: "condition", key, value };
  }
}

/** One entry of an `orderBy` object: the order of a related model, or a sort key left to the planner. */
export type OrderStep =
  | {
      readonly role: "relation";
      readonly relation: Relation;
      readonly model: ModelSchema;
      readonly order: PrismaObject;
    }
  | { readonly role: "key"; readonly key: string; readonly value: unknown };

/** The entries of one `orderBy` object, in its key order. */
export function* orderSteps(
  schema: VaultSchema,
  model: ModelSchema,
  order: PrismaObject,
): Generator<OrderStep> {
  for (const [key, value] of Object.entries(order)) {
    const relation = model.relations.get(key);
    const target = relation && schema.models.get(relation.target);
    if (target && isObject(value)) yield { role: "relation", relation, model: target, order: value };
    else yield { role: "key", key, value };
  }
}

export type NestedWriteOp = (typeof NESTED_WRITES)[number];

/**
 * How a nested write's item reads: row data (`create`, a `createMany` row, `update` without `where`),
 * a filter alone (`connect`, `disconnect`, `set`, `delete`, `deleteMany`), or an object of parts.
 */
export type ItemShape = "data" | "where" | "where+data" | "where+create" | "where+create+update";

/** One item of a nested write on a relation, split into its parts; a part that is not an object is absent. */
export interface NestedWrite {
  readonly op: NestedWriteOp;
  /** The parent's relation the write goes through. */
  readonly relation: Relation;
  /** The relation's target: the model of every part. */
  readonly model: ModelSchema;
  readonly shape: ItemShape;
  /** Keys from the parent's data to the item. */
  readonly at: Path;
  /** The rows the item picks. */
  readonly where?: PrismaObject;
  /** Data of a row to create. */
  readonly create?: PrismaObject;
  /** Data to update the picked rows with. */
  readonly update?: PrismaObject;
}

/**
 * The nested writes in one row's `data` of `model`, relation by relation (the schema's order), each
 * relation's operations in `NESTED_WRITES` order. Non-object items (`disconnect: true`) are not steps.
 * With `strict`, keys outside the grammar are refused as `unknownArgument`, each before the items that
 * follow it are read: Prisma's error for them would echo the argument, plaintext included.
 *
 * @example [...nestedWrites(schema, user, { posts: { update: { where, data } } })] // [{ op: "update", shape: "where+data", where, update: data }]
 */
export function* nestedWrites(
  schema: VaultSchema,
  model: ModelSchema,
  data: PrismaObject,
  strict = false,
): Generator<NestedWrite> {
  for (const [name, relation] of model.relations) {
    const ops = data[name];
    const target = schema.models.get(relation.target);
    if (!target || !isObject(ops)) continue;
    if (strict) checkKeys(model, name, ops, NESTED_WRITES);
    for (const op of NESTED_WRITES) {
      for (const [item, at] of objects(ops[op], [name, op])) {
        const base = { op, relation, model: target, at } as const;
        const allowed = strict ? PARTS[op] : undefined;
        if (allowed) checkKeys(model, `${name}.${op}`, item, allowed);
        switch (op) {
          case "create":
            yield { ...base, shape: "data", create: item };
            break;
          case "createMany":
            for (const [row, rowAt] of objects(item["data"], [...at, "data"]))
              yield { ...base, shape: "data", at: rowAt, create: row };
            break;
          case "connectOrCreate":
            yield { ...base, shape: "where+create", ...parts(item, "where", "create") };
            break;
          case "update": {
            // A to-one update is its data; `{ where, data }` (to-many, or to-one with a filter) holds it.
            const held =
              isObject(item["data"]) && Object.keys(item).every((k) => k === "data" || k === "where");
            if (held)
              yield {
                ...base,
                shape: "where+data",
                ...parts(item, "where"),
                update: item["data"] as PrismaObject,
              };
            else yield { ...base, shape: "data", update: item };
            break;
          }
          case "updateMany":
            yield { ...base, shape: "where+data", ...parts(item, "where"), ...dataAsUpdate(item) };
            break;
          case "upsert":
            yield { ...base, shape: "where+create+update", ...parts(item, "where", "create", "update") };
            break;
          default:
            yield { ...base, shape: "where", where: item };
        }
      }
    }
  }
}

/** Where one part of a nested write sits, from the parent's data. */
export function partAt(step: NestedWrite, part: "where" | "create" | "update"): Path {
  if (step.shape === "data" || step.shape === "where") return step.at;
  return [...step.at, step.shape === "where+data" && part === "update" ? "data" : part];
}

/** An argument prisma-vault does not understand: named, its value never shown. */
export function unknownArgument(model: ModelSchema, path: string): VaultUnsupportedQueryError {
  return new VaultUnsupportedQueryError(unsupportedQuery.unknownArgument(path), { model: model.name });
}

/** The keys each nested write's item may hold; items of the other operations are data or a filter. */
const PARTS: Partial<Record<NestedWriteOp, readonly string[]>> = {
  createMany: ["data", "skipDuplicates"],
  connectOrCreate: ["where", "create"],
  updateMany: ["where", "data"],
  upsert: ["where", "create", "update"],
};

/** Precondition: a nested write's object holds only the keys Prisma's grammar gives it. */
function checkKeys(model: ModelSchema, path: string, item: PrismaObject, allowed: readonly string[]): void {
  for (const key of Object.keys(item)) {
    if (!allowed.includes(key)) throw unknownArgument(model, `${path}.${key}`);
  }
}

type Parts = { -readonly [K in "where" | "create" | "update"]?: PrismaObject };

/** The parts of `item` named by `keys` that are objects. */
function parts(item: PrismaObject, ...keys: readonly (keyof Parts)[]): Parts {
  const out: Parts = {};
  for (const key of keys) {
    const part = item[key];
    if (isObject(part)) out[key] = part;
  }
  return out;
}

/** `updateMany`'s `data`, which is the update part. */
function dataAsUpdate(item: PrismaObject): Parts {
  return isObject(item["data"]) ? { update: item["data"] } : {};
}

/**
 * Applies the filter planner's rewrites: computes each blind index (the one HMAC step, kept out of the
 * pure planner) and builds the rewritten copy of the arguments. The caller's objects never change.
 */
import type { KeyContext } from "../../context/key-context.js";
import type { EncryptedField, FieldIndex } from "../../schema/model-schema.js";
import { type Path, cloneArgs, list } from "./args.js";
import { type PrismaObject, isObject } from "../../client/prisma-object.js";
import type { Split } from "./index-filter.js";
import { blindIndexOf } from "../../core/blind-index.js";

/** "Move the filter on `field` in the `where` at `at` to its index column", with its values still plaintext. */
export interface IndexRewrite extends Split {
  /** The `where` (or `cursor`) holding the filter, from the top of the query's arguments. */
  readonly at: Path;
  readonly field: EncryptedField;
  readonly index: FieldIndex;
  /** The key context a tenant-scoped index is computed under; `undefined` for a global index. */
  readonly context: KeyContext | undefined;
}

/**
 * `args` itself when there is nothing to rewrite, else a copy with every rewrite applied.
 *
 * @example applyIndexRewrites({ where: { email: "a@x.io" } }, rewrites) // { where: { emailIndex: "…" } }
 */
export function applyIndexRewrites(args: PrismaObject, rewrites: readonly IndexRewrite[]): PrismaObject {
  if (rewrites.length === 0) return args;
  const copy = cloneArgs(args) as PrismaObject;
  // Every `where` is found before any changes: a rewrite can turn an `AND` object into a list, which
  // would move the path of a filter inside it. The objects themselves stay in place.
  const wheres = rewrites.map((rewrite) => objectAt(copy, rewrite.at));
  rewrites.forEach((rewrite, i) => moveToIndex(wheres[i] as PrismaObject, rewrite));
  return copy;
}

/** Replaces the field's filter in `where` by its split; the index filter joins an `AND` if the column is taken. */
function moveToIndex(where: PrismaObject, rewrite: IndexRewrite): void {
  const { field, index, onField, onIndex, context } = rewrite;
  delete where[field.name];
  if (onField !== undefined) where[field.name] = onField;
  if (onIndex === undefined) return;
  const indexed = hashed(onIndex, (value) => blindIndexOf(index.blind).compute(value, context));
  if (where[index.column] === undefined) where[index.column] = indexed;
  else where["AND"] = [...list(where["AND"]), { [index.column]: indexed }];
}

/** The index filter with each plaintext replaced by its index. */
function hashed(filter: unknown, compute: (value: string) => string): unknown {
  if (typeof filter === "string") return compute(filter);
  if (Array.isArray(filter)) return filter.map((item) => hashed(item, compute));
  if (!isObject(filter)) return filter;
  const out: PrismaObject = {};
  for (const [op, arg] of Object.entries(filter)) out[op] = hashed(arg, compute);
  return out;
}

/** The object at `at`: read from the arguments `copy` was cloned from, whose shape cloneArgs keeps. */
function objectAt(copy: PrismaObject, at: Path): PrismaObject {
  let current: unknown = copy;
  for (const key of at) current = (current as PrismaObject)[key];
  return current as PrismaObject;
}

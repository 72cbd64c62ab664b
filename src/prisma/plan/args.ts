/** Small readers of Prisma's argument objects, shared by the pure planners. */
import { isObject, type PrismaObject } from "../../client/prisma-object.js";

/** The operations of a nested write on a relation field (`posts: { create: … }`). */
export const NESTED_WRITES = [
  "create",
  "createMany",
  "connectOrCreate",
  "connect",
  "update",
  "updateMany",
  "upsert",
  "delete",
  "deleteMany",
  "disconnect",
  "set",
] as const;

/** The top-level arguments of Prisma's model operations. */
export const QUERY_ARGUMENTS = new Set([
  "where",
  "data",
  "select",
  "include",
  "omit",
  "orderBy",
  "cursor",
  "take",
  "skip",
  "distinct",
  "create",
  "update",
  "skipDuplicates",
  "limit",
  "relationLoadStrategy",
  "by",
  "having",
  "_count",
  "_avg",
  "_sum",
  "_min",
  "_max",
]);

/** Prisma's "one or many": `undefined`/`null` -> `[]`, a value -> `[value]`, an array as it is. */
export function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Keys from an argument object down to an object nested in it. */
export type Path = readonly (string | number)[];

/** The objects of Prisma's "one or many" `value` at `at`, each with its path: `at`, or `[...at, i]` in a list. */
export function* objects(value: unknown, at: Path): Generator<[PrismaObject, Path]> {
  if (isObject(value)) yield [value, at];
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) if (isObject(item)) yield [item, [...at, i]];
  }
}

/** A copy of Prisma arguments: plain objects and arrays are copied, everything else (Date, Decimal, Buffer) is shared. */
export function cloneArgs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneArgs);
  if (isObject(value) && isCopied(value)) {
    const out: PrismaObject = {};
    for (const [key, item] of Object.entries(value)) {
      // An own "__proto__" key stays a key: assigned, it would set the copy's prototype instead.
      if (key === "__proto__") {
        Object.defineProperty(out, key, {
          value: cloneArgs(item),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else out[key] = cloneArgs(item);
    }
    return out;
  }
  return value;
}

/**
 * Plain objects and class instances holding data (DTOs) are copied, so envelopes never land in the
 * caller's objects. Values Prisma reads as a whole are shared: Date, bytes, Decimal, and objects
 * without own properties (Prisma.DbNull and friends).
 */
function isCopied(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype === Object.prototype || prototype === null) return true;
  if (value instanceof Date || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return false;
  const decimalLike = typeof (value as { toFixed?: unknown }).toFixed === "function";
  return !decimalLike && Object.keys(value).length > 0;
}

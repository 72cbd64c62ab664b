/** Small readers of Prisma's argument objects, shared by the pure planners. */

/** A Prisma argument or result object, read without its generated types. */
export type Loose = Record<string, unknown>;

/** A non-array object. */
export function isObject(value: unknown): value is Loose {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Prisma's "one or many": `undefined`/`null` -> `[]`, a value -> `[value]`, an array as it is. */
export function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

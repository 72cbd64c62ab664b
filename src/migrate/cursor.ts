/**
 * Pure: a primary-key cursor for reading a table in pages. Rows are ordered by their primary key
 * and each page starts after the last key of the one before, so a migration reads every row once,
 * whatever it writes in between, and can resume from a key instead of an offset.
 */
import type { Row } from "../schema/options.js";

/** Prisma's `orderBy` for `primaryKey`, ascending, field by field. */
export function keyOrder(primaryKey: readonly string[]): Record<string, "asc">[] {
  return primaryKey.map((field) => ({ [field]: "asc" }));
}

/**
 * A `where` matching the rows whose primary key comes after `last`'s, in {@link keyOrder}. A compound
 * key expands lexicographically: `(a, b) > (1, 2)` is `a > 1 OR (a = 1 AND b > 2)`.
 *
 * @example afterKey(["id"], { id: 7 }) // { id: { gt: 7 } }
 * @example afterKey(["a", "b"], { a: 1, b: 2 }) // { OR: [{ a: { gt: 1 } }, { a: 1, b: { gt: 2 } }] }
 */
export function afterKey(primaryKey: readonly string[], last: Row): Record<string, unknown> {
  const [only] = primaryKey;
  // Precondition: the key has at least one field; a table without one cannot be paged.
  if (only === undefined) throw new RangeError("a primary-key cursor needs at least one key field");
  for (const field of primaryKey) {
    // Precondition: the last row holds every key field; a key part is never null.
    if (last[field] === undefined || last[field] === null) {
      throw new RangeError(`the cursor row has no value for key field "${field}"`);
    }
  }
  if (primaryKey.length === 1) return { [only]: { gt: last[only] } };
  return {
    OR: primaryKey.map((field, i) => ({
      ...Object.fromEntries(primaryKey.slice(0, i).map((before) => [before, last[before]])),
      [field]: { gt: last[field] },
    })),
  };
}

/**
 * Pure: the fluent API (`prisma.user.update(...).posts()`) resolves a query to a relation of its row.
 * Prisma unpacks that part only for the hook's own query; a query we send ourselves returns the row.
 */
import type { PrismaObject } from "../client/prisma-object.js";
import { relationsOf } from "./plan/selection.js";

/**
 * The part of a result a fluent data path resolves to (`null` and `undefined` pass through).
 *
 * @example valueAt({ id: 1, posts: [{ id: 2 }] }, ["select", "posts"]) // [{ id: 2 }]
 */
export function valueAt(result: unknown, dataPath: readonly string[]): unknown {
  let current = result;
  for (const relation of relationsOf(dataPath)) {
    current = current === null || current === undefined ? current : (current as PrismaObject)[relation];
  }
  return current;
}

/**
 * Pure: a row's primary key, as a value for errors and as the `where` that names the row.
 */
import type { ModelSchema } from "./model-schema.js";
import type { Row } from "./options.js";

/** The primary key of a row for error messages: a value, an object for compound keys, or undefined. */
export function rowId(model: ModelSchema, row: Row): unknown {
  if (model.primaryKey.length === 1) return row[model.primaryKey[0] as string];
  if (model.primaryKey.length === 0 || model.primaryKey.some((key) => row[key] === undefined))
    return undefined;
  return Object.fromEntries(model.primaryKey.map((key) => [key, row[key]]));
}

/** `{ id: 7 }`, or every field of a compound key: the `where` that finds exactly this row. */
export function pkEquals(model: ModelSchema, row: Row): Record<string, unknown> {
  return Object.fromEntries(model.primaryKey.map((f) => [f, row[f]]));
}

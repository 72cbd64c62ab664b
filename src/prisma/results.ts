/**
 * Pure: walks a query result along its {@link ResultShape} and lists the encrypted values in it, each
 * with the row it belongs to, so the extension can decrypt them in place; then removes the fields that
 * were added only to learn a row's context.
 */
import type { EncryptedField, ModelSchema } from "../schema/model-schema.js";
import type { ResultShape } from "./plan/selection.js";
import type { PrismaObject } from "../client/prisma-object.js";

/** An encrypted value found in a query result, to decrypt: `row[field.name]` is replaced by its plaintext. */
export interface ResultValue {
  readonly model: ModelSchema;
  readonly field: EncryptedField;
  readonly row: PrismaObject;
  readonly value: string;
}

/**
 * The encrypted values in `result` (a row, a list of rows, or `null`), depth first.
 *
 * @example for (const v of resultValues(shape, rows)) v.row[v.field.name] = await decrypt(v)
 */
export function resultValues(shape: ResultShape, result: unknown): ResultValue[] {
  const out: ResultValue[] = [];
  visit(shape, result, (row, current) => {
    for (const field of current.decrypt) {
      const value = row[field.name];
      if (typeof value === "string") out.push({ model: current.model, field, row, value });
    }
  });
  return out;
}

/** Removes, in place, the context fields the query added only to decrypt. */
export function stripAdded(shape: ResultShape, result: unknown): void {
  visit(shape, result, (row, current) => {
    for (const field of current.strip) delete row[field];
  });
}

function visit(
  shape: ResultShape,
  result: unknown,
  onRow: (row: PrismaObject, shape: ResultShape) => void,
): void {
  if (Array.isArray(result)) {
    for (const item of result) visit(shape, item, onRow);
    return;
  }
  if (typeof result !== "object" || result === null) return;
  const row = result as PrismaObject;
  // Children first: stripping a parent's context field must not happen before its values are listed.
  for (const [name, nested] of shape.relations) {
    if (name in row) visit(nested, row[name], onRow);
  }
  onRow(row, shape);
}

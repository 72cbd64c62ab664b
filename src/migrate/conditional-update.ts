/**
 * Pure: the update a migration sends for one row. It names the row by primary key and repeats the
 * values the migration read, so a row that a live application changed in between matches nothing
 * and keeps the application's value: the write becomes a conflict instead of a lost update.
 */
import type { ModelSchema } from "../schema/model-schema.js";
import type { Row } from "../schema/options.js";
import { pkEquals } from "../schema/rows.js";

/** `updateMany` arguments that change one row only while it still holds what was read. */
export interface ConditionalUpdate {
  readonly where: Readonly<Record<string, unknown>>;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * Sets `data` on `row` (found by primary key) provided every field of `expected` still holds its
 * value (`null` included).
 *
 * @example conditionalUpdate(account, row, { email: row.email, emailIndex: null }, { emailIndex: "q0V…" })
 * // { where: { id: 7, email: "<envelope>", emailIndex: null }, data: { emailIndex: "q0V…" } }
 */
export function conditionalUpdate(
  model: ModelSchema,
  row: Row,
  expected: Readonly<Record<string, unknown>>,
  data: Readonly<Record<string, unknown>>,
): ConditionalUpdate {
  // Precondition: the row holds its whole primary key, or the update could match other rows.
  const missing = model.primaryKey.find((field) => row[field] === undefined || row[field] === null);
  if (model.primaryKey.length === 0 || missing !== undefined) {
    throw new RangeError(`a conditional update needs the row's primary key (${model.name})`);
  }
  return { where: { ...pkEquals(model, row), ...expected }, data };
}

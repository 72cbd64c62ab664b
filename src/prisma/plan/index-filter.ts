/**
 * Pure: how one filter on an encrypted field with a blind index splits between the field and its
 * index column. Values go to the index column, still as plaintexts (their indexes are computed outside
 * the planner); null checks stay on the field, which is null exactly when its index is.
 */
import type { EncryptedField, FieldIndex, ModelSchema } from "../../schema/model-schema.js";
import { type PrismaObject, isObject } from "../../client/prisma-object.js";
import { refuse } from "./refusals.js";

/** A filter split between the encrypted field (null checks) and its index column (values). */
export interface Split {
  readonly onField?: unknown;
  /** The index column's filter, each string in it a plaintext whose index goes in its place. */
  readonly onIndex?: unknown;
}

/**
 * Splits one filter on an indexed field. `value` checks each compared value and returns it.
 * Precondition: the filter only compares for equality (a scalar, equals, in, notIn, not).
 *
 * @example indexFilter(account, handle, index, { not: null, in: ["a"] }, check) // { onField: { not: null }, onIndex: { in: ["a"] } }
 */
export function indexFilter(
  model: ModelSchema,
  field: EncryptedField,
  index: FieldIndex,
  filter: unknown,
  value: (compared: unknown) => string,
): Split {
  if (filter === null) return { onField: null };
  if (!isObject(filter)) return { onIndex: value(filter) };
  const onField: PrismaObject = {};
  const onIndex: PrismaObject = {};
  for (const [op, arg] of Object.entries(filter)) {
    if (arg === undefined) continue;
    if (op === "mode") {
      // Case folding is exact only when the normalizer folds case itself.
      if (arg === "insensitive" && !index.blind.foldsCase) {
        refuse(
          model,
          field.name,
          'mode: "insensitive" on an index whose normalizer does not fold case (use normalize: "lowercase" or "email")',
        );
      }
      continue;
    }
    if ((op === "equals" || op === "not") && arg === null) onField[op] = null;
    else if (op === "equals") onIndex[op] = value(arg);
    else if (op === "in" || op === "notIn") {
      if (!Array.isArray(arg))
        refuse(model, field.name, `${op} on an encrypted field takes a list of strings`);
      onIndex[op] = arg.map(value);
    } else if (op === "not") {
      // NOT of a filter cannot be split between two columns: it falls wholly on the field (a null
      // check, `not: { equals: null }`) or wholly on the index.
      const inner = indexFilter(model, field, index, arg, value);
      if (inner.onField !== undefined && inner.onIndex !== undefined) {
        refuse(model, field.name, "not combining a null check with values");
      }
      if (inner.onIndex !== undefined) onIndex[op] = inner.onIndex;
      else onField[op] = inner.onField;
    } else refuse(model, field.name, `${op} on an encrypted field`);
  }
  return {
    ...(Object.keys(onField).length ? { onField } : {}),
    ...(Object.keys(onIndex).length ? { onIndex } : {}),
    // `{}` and `{ mode }` alone match every row: keep them as they are.
    ...(Object.keys(onField).length + Object.keys(onIndex).length === 0 ? { onField: {} } : {}),
  };
}

/** `null`, `{ equals: null }`, `{ not: null }`: answered on the field itself, which is null or an envelope. */
export function isNullCheck(value: unknown): boolean {
  if (value === null) return true;
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => (key === "equals" || key === "not") && value[key] === null);
}

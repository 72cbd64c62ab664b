/**
 * Pure: an update that sets a key context field may move its row to another context. What it must
 * read of the row, which stored values follow it, and the conditions that pin the write to what it read.
 */
import type { EncryptedField, ModelSchema } from "../schema/model-schema.js";
import type { PrismaObject } from "../client/prisma-object.js";
import { contextEquals, storedEquals } from "./update-guards.js";
import type { WriteUnit } from "./plan/write.js";

/**
 * The encrypted fields an update does not write: their stored values must follow a moved row.
 *
 * @example staleFields(user, unitOf({ data: { organizationId: "o2", ssn: "1" } })) // email, notes
 */
export function staleFields(model: ModelSchema, unit: WriteUnit): EncryptedField[] {
  return [...model.encrypted.values()].filter((field) => unit.data[field.name] === undefined);
}

/**
 * What to read of a row that may move: its context, primary key and the values that follow it.
 *
 * @example movingRowSelect(user, [ssn]) // { organizationId: true, id: true, ssn: true }
 */
export function movingRowSelect(model: ModelSchema, stale: readonly EncryptedField[]): PrismaObject {
  return Object.fromEntries(
    [...model.contextFields, ...model.primaryKey, ...stale.map((f) => f.name)].map((f) => [f, true]),
  );
}

/**
 * Whether the unit writes every encrypted field of its model: then nothing stored has to follow the row
 * when its context changes (a nested update cannot re-seal what it does not write).
 */
export function writesEveryEncryptedField(unit: WriteUnit): boolean {
  return [...unit.model.encrypted.keys()].every((name) => unit.data[name] !== undefined);
}

/**
 * The conditions that pin a write of `row` to what was read of it: its stored context, and the stored
 * values of `resealed` (the envelopes it re-seals), so a row changed since the read is not matched.
 *
 * @example rowGuard(user, { organizationId: "o1", ssn: "env" }, [ssn]) // { ssn: "env", organizationId: "o1" }
 */
export function rowGuard(
  model: ModelSchema,
  row: PrismaObject,
  resealed: readonly EncryptedField[],
): PrismaObject {
  return { ...storedEquals(resealed, row), ...contextEquals(model, row) };
}

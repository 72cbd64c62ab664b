/**
 * Pure: what the blind-index backfill reads of a model, what a row lacks, and the update that fills
 * it. No crypto and no queries here; `backfill.ts` decrypts and runs them.
 */
import { isEnvelope } from "../format/envelope.js";
import type { EncryptedField, FieldIndex, ModelSchema } from "../schema/model-schema.js";
import type { Row } from "../schema/options.js";
import { conditionalUpdate, type ConditionalUpdate } from "./conditional-update.js";

/** An encrypted field with a blind index. */
export type IndexedField = EncryptedField & { readonly index: FieldIndex };

export interface IndexPlan {
  readonly model: ModelSchema;
  readonly fields: readonly IndexedField[];
  /** Rows in which some indexed field holds a value and its index column is empty. */
  readonly where: Readonly<Record<string, unknown>>;
  /** The context fields, the indexed fields and their index columns (the cursor adds the primary key). */
  readonly select: Readonly<Record<string, true>>;
}

/** A value of a row that lacks its index, as stored. */
export interface SealedValue {
  readonly field: IndexedField;
  readonly envelope: string;
}

/** What a row lacks: envelopes to decrypt and index, and plaintext values the backfill leaves alone. */
export interface MissingIndexes {
  readonly sealed: readonly SealedValue[];
  readonly plaintext: readonly IndexedField[];
}

/** A computed index for a value that was read as `envelope`. */
export interface FilledIndex extends SealedValue {
  readonly index: string;
}

/** @example indexPlan(schema.models.get("Account")!).where // { OR: [{ email: { not: "" }, emailIndex: null }, …] } */
export function indexPlan(model: ModelSchema): IndexPlan {
  const fields = indexedFields(model);
  // An envelope is never empty. `not: ""` also leaves NULL out (an SQL comparison), and unlike
  // `not: null` Prisma accepts it on a required field.
  const where = { OR: fields.map((field) => ({ [field.name]: { not: "" }, [field.index.column]: null })) };
  const names = [...model.contextFields, ...fields.flatMap((field) => [field.name, field.index.column])];
  return { model, fields, where, select: Object.fromEntries(names.map((name) => [name, true as const])) };
}

/** The encrypted fields of `model` that have a blind index. */
export function indexedFields(model: ModelSchema): IndexedField[] {
  return [...model.encrypted.values()].filter((field): field is IndexedField => field.index !== undefined);
}

/** The values of `row` whose index column is empty, sorted into envelopes and plaintext. */
export function missingIndexes(plan: IndexPlan, row: Row): MissingIndexes {
  const sealed: SealedValue[] = [];
  const plaintext: IndexedField[] = [];
  for (const field of plan.fields) {
    const value = row[field.name];
    // Empty values are outside the plan's `where`: leaving them out here keeps the counts consistent.
    if (value === undefined || value === null || value === "") continue;
    if (row[field.index.column] !== undefined && row[field.index.column] !== null) continue;
    if (isEnvelope(value)) sealed.push({ field, envelope: value });
    else plaintext.push(field);
  }
  return { sealed, plaintext };
}

/**
 * Stores each index in its column, provided the row still holds the envelope it was computed from
 * and the column is still empty: a concurrent write of either wins.
 */
export function indexUpdate(model: ModelSchema, row: Row, filled: readonly FilledIndex[]): ConditionalUpdate {
  const expected: Record<string, unknown> = {};
  const data: Record<string, unknown> = {};
  for (const { field, envelope, index } of filled) {
    expected[field.name] = envelope;
    expected[field.index.column] = null;
    data[field.index.column] = index;
  }
  return conditionalUpdate(model, row, expected, data);
}

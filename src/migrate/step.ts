/**
 * What one migration mode does with a batch of rows, as the engine sees it: which rows and fields to
 * read, and for each row what to write (the new values and the old ones they replace) and what to
 * count. Reading, writing, retrying on conflicts, checkpoints and progress are the engine's.
 */
import type { ModelSchema } from "../schema/model-schema.js";
import type { Row } from "../schema/options.js";
import type { MigrationFailedValue } from "./report.js";

/** What a mode sets its encrypted fields to: envelopes, plaintexts, or nothing (only index columns). */
export type EncryptedWrites = "envelopes" | "plaintexts" | "none";

export interface MigrationStep {
  /** What the step sets encrypted fields to; the engine writes nothing else (admitted-writes.ts). */
  readonly writes: EncryptedWrites;
  /** Narrows the rows read (`{}`: every row). */
  readonly where: Readonly<Record<string, unknown>>;
  /** Fields read besides the primary key. */
  readonly select: Readonly<Record<string, true>>;
  /**
   * What to do with each row of a batch, in order. Key-service calls are batch-shaped (one per distinct
   * context or blob); an error it throws (a key-service outage) stops the run.
   */
  process(rows: readonly Row[]): Promise<RowOutcome[]>;
}

/** One row's outcome; counts are of values (fields), except where said. */
export interface RowOutcome {
  readonly row: Row;
  /** The fields to set, and the values they must still hold for the write to apply; absent: no write. */
  readonly write?: RowWrite;
  readonly skipped: number;
  readonly failed: readonly MigrationFailedValue[];
  /** `verify`: values that are still plaintext. */
  readonly plaintext?: number;
  /** `verify`: blind indexes missing or not matching their value. */
  readonly staleIndexes?: number;
}

export interface RowWrite {
  readonly expected: Readonly<Record<string, unknown>>;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Builds a mode's step for one model; `parts` are shared by every model of the run. */
export type StepFactory<Parts> = (model: ModelSchema, parts: Parts) => MigrationStep;

/** `{ a: true, b: true }` for the model's context fields, encrypted fields and their index columns. */
export function encryptedSelection(model: ModelSchema): Record<string, true> {
  const names = [
    ...model.contextFields,
    ...[...model.encrypted.values()].flatMap((field) =>
      field.index ? [field.name, field.index.column] : [field.name],
    ),
  ];
  return Object.fromEntries(names.map((name) => [name, true as const]));
}

/**
 * What a migration reports: counts per model and the values it could not process, by primary key
 * and field. Never a plaintext, a key or a ciphertext.
 */
import type { VaultErrorCode } from "../errors.js";
import type { MigrationMode } from "./options.js";

/** Failed values listed per model; past it only {@link MigrationModelReport.failedTotal} grows. */
export const MAX_LISTED_FAILURES = 1_000;

/**
 * Why a value was not processed: the error code it met, or `"MIGRATION_CONFLICT"` for a row that
 * another writer changed every time the migration re-read it (a rerun picks it up).
 */
export type MigrationFailureCode = VaultErrorCode | "MIGRATION_CONFLICT";

/** A stored value the migration could not process; the run went on without it. */
export interface MigrationFailedValue {
  /** The row's primary key: the value of a single key field, or an object of a compound key's fields. */
  readonly id: unknown;
  readonly field: string;
  /**
   * `VAULT_DECRYPT_FAILED` (tampered, or another row's or tenant's value), `VAULT_KEY_UNAVAILABLE`
   * (its master key is not configured), `VAULT_CONTEXT_MISSING` / `VAULT_CONTEXT_INVALID` (the row
   * has no valid key context), `MIGRATION_CONFLICT`.
   */
  readonly code: MigrationFailureCode;
}

/** One model's outcome. */
export interface MigrationModelReport {
  readonly model: string;
  /** Rows read. */
  readonly scanned: number;
  /** Rows written (with `dryRun`: rows that would have been written). */
  readonly updated: number;
  /** Values left alone because there was nothing to do (already in the mode's target state). */
  readonly skipped: number;
  /** Writes that found the row changed by another writer since it was read (each re-read and retried). */
  readonly conflicts: number;
  /** Values not processed, at most {@link MAX_LISTED_FAILURES} of them. */
  readonly failed: readonly MigrationFailedValue[];
  /** How many values were not processed, listed or not. */
  readonly failedTotal: number;
  /** `verify`: values still plaintext. */
  readonly plaintext?: number;
  /** `verify`: blind indexes that are missing or do not match their value. */
  readonly staleIndexes?: number;
  readonly durationMs: number;
}

/** What `migrate()` returns. */
export interface MigrationReport {
  readonly mode: MigrationMode;
  readonly dryRun: boolean;
  readonly shard?: readonly [number, number];
  readonly models: readonly MigrationModelReport[];
  /** The run stopped early on `signal`: the checkpoint records what committed. */
  readonly interrupted: boolean;
  /** The checkpoint file, while the run is unfinished (`interrupted`); absent once it completed. */
  readonly checkpoint?: string;
  readonly durationMs: number;
}

/** Passed to `onProgress` when a model starts and after each batch. */
export interface MigrationProgress {
  readonly mode: MigrationMode;
  readonly model: string;
  /** Rows the model had (in this shard, after a resume point) when it started; writes may add to it. */
  readonly total: number;
  readonly scanned: number;
  readonly updated: number;
  readonly skipped: number;
  readonly conflicts: number;
  /** Number of values not processed so far. */
  readonly failed: number;
}

/** Whether a report calls for exit code 2: some value failed, or `verify` found work left. */
export function needsAttention(report: MigrationReport): boolean {
  return report.models.some(
    (model) => model.failedTotal > 0 || (model.plaintext ?? 0) > 0 || (model.staleIndexes ?? 0) > 0,
  );
}

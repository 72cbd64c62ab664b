/**
 * What a migration reports: counts per model and the values it could not process, by primary key
 * and field. Never a plaintext, a key or a ciphertext.
 */
import type { VaultErrorCode } from "../error-codes.js";
import type { MigrationMode } from "./migration-mode.js";

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
  /** The field whose value was not processed. */
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
  /** The Prisma model name. */
  readonly model: string;
  /** Rows read. */
  readonly scanned: number;
  /** Rows written (with `dryRun`: rows that would have been written). */
  readonly updated: number;
  /** Values left alone because there was nothing to do (already in the mode's target state). */
  readonly skipped: number;
  /** Writes that found the row changed by another writer since it was read (each re-read and retried). */
  readonly conflicts: number;
  /** Values not processed, the first 1,000 of them (see `failedTotal`). */
  readonly failed: readonly MigrationFailedValue[];
  /** How many values were not processed, listed or not. */
  readonly failedTotal: number;
  /** `verify`: values still plaintext. */
  readonly plaintext?: number;
  /** `verify`: blind indexes that are missing or do not match their value. */
  readonly staleIndexes?: number;
  /** Wall-clock milliseconds this model took. */
  readonly durationMs: number;
}

/** What `migrate()` returns. */
export interface MigrationReport {
  /** The mode that ran. */
  readonly mode: MigrationMode;
  /** True when nothing was written (`dryRun: true`): the counts say what would have been. */
  readonly dryRun: boolean;
  /** `[i, n]` when the run covered only shard `i` of `n`. */
  readonly shard?: readonly [number, number];
  /** One report per model migrated, in the order they ran. */
  readonly models: readonly MigrationModelReport[];
  /** The run stopped early on `signal`: the checkpoint records what committed. */
  readonly interrupted: boolean;
  /** The checkpoint file, while the run is unfinished (`interrupted`); absent once it completed. */
  readonly checkpoint?: string;
  /** Wall-clock milliseconds the whole run took. */
  readonly durationMs: number;
}

/** Passed to `onProgress` when a model starts and after each batch. */
export interface MigrationProgress {
  /** The mode that is running. */
  readonly mode: MigrationMode;
  /** The model being migrated. */
  readonly model: string;
  /** Rows the model had (in this shard, after a resume point) when it started; writes may add to it. */
  readonly total: number;
  /** Rows read so far. */
  readonly scanned: number;
  /** Rows written so far (with `dryRun`: that would have been written). */
  readonly updated: number;
  /** Values left alone so far, having nothing to do. */
  readonly skipped: number;
  /** Writes so far that found the row changed by another writer (each re-read and retried). */
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

/**
 * What a migration reports: counts per model and the values it could not process, by primary key
 * and field. Never a plaintext, a key or a ciphertext.
 */
import type { VaultErrorCode } from "../errors.js";
import type { MigrationMode } from "./options.js";

/** A stored value the migration could not process; the run went on without it. */
export interface MigrationFailedValue {
  /** The row's primary key: the value of a single key field, or an object of a compound key's fields. */
  readonly id: unknown;
  readonly field: string;
  /** Why: `VAULT_DECRYPT_FAILED` for a value that does not decrypt where it is stored. */
  readonly code: VaultErrorCode;
}

/** One model's outcome. */
export interface MigrationModelReport {
  readonly model: string;
  /** Rows read: those that lacked an index when the run reached them. */
  readonly scanned: number;
  /** Rows written (with `dryRun`: rows that would have been written). */
  readonly updated: number;
  /** Values left alone because they are plaintext, not envelopes (the `encrypt` migration's work). */
  readonly skipped: number;
  /** Rows changed by another writer between read and write; their new values were kept. */
  readonly conflicts: number;
  /** Values that did not decrypt. */
  readonly failed: readonly MigrationFailedValue[];
  readonly durationMs: number;
}

/** What `migrate()` returns. */
export interface MigrationReport {
  readonly mode: MigrationMode;
  readonly dryRun: boolean;
  readonly models: readonly MigrationModelReport[];
  readonly durationMs: number;
}

/** Passed to `onProgress` when a model starts and after each page. */
export interface MigrationProgress {
  readonly mode: MigrationMode;
  readonly model: string;
  /** Rows that lacked an index when the model started; rows written meanwhile may add to it. */
  readonly total: number;
  readonly scanned: number;
  readonly updated: number;
  readonly skipped: number;
  readonly conflicts: number;
  /** Number of values that did not decrypt so far. */
  readonly failed: number;
}

/**
 * The options of `migrate()` and their eager validation: a bad option is a `VaultConfigError`
 * naming it and its allowed values, thrown before any row is read.
 */
import { VaultConfigError } from "../errors.js";
import type { MigrationProgress } from "./report.js";

/** Every mode of DESIGN.md §10; only `"index"` runs in this release. */
export const MIGRATION_MODES = ["index", "encrypt", "rekey", "rotate", "decrypt", "verify"] as const;
export type MigrationMode = (typeof MIGRATION_MODES)[number];

const AVAILABLE_MODES: readonly MigrationMode[] = ["index"];

export const DEFAULT_BATCH_SIZE = 500;
export const MAX_BATCH_SIZE = 10_000;

export interface MigrateOptions {
  /** `"index"`: fill the blind-index columns of rows that lack them. */
  readonly mode: MigrationMode;
  /** Models to migrate. Default: every model the mode applies to (for `"index"`, those with a blind index). */
  readonly models?: readonly string[];
  /** Rows read and written per batch transaction, 1 to 10,000. Default 500. */
  readonly batchSize?: number;
  /** Read and compute everything, write nothing; the report says what would have been written. */
  readonly dryRun?: boolean;
  /** Called when a model starts and after each page; an exception it throws stops the migration. */
  readonly onProgress?: (progress: MigrationProgress) => void;
}

export interface MigrateSettings {
  readonly mode: MigrationMode;
  readonly models: readonly string[] | undefined;
  readonly batchSize: number;
  readonly dryRun: boolean;
  readonly onProgress: (progress: MigrationProgress) => void;
}

export function validateMigrateOptions(options: MigrateOptions): MigrateSettings {
  if (typeof options !== "object" || options === null) {
    throw new VaultConfigError('migrate() takes an options object, e.g. { mode: "index" }');
  }
  const mode = options.mode;
  if (!(MIGRATION_MODES as readonly unknown[]).includes(mode)) {
    throw new VaultConfigError(
      `options.mode must be one of ${MIGRATION_MODES.map((m) => `"${m}"`).join(", ")}`,
    );
  }
  if (!AVAILABLE_MODES.includes(mode)) {
    throw new VaultConfigError(
      `options.mode "${mode}" is not available in this release (available: ${AVAILABLE_MODES.map((m) => `"${m}"`).join(", ")})`,
    );
  }
  const models = options.models;
  if (
    models !== undefined &&
    (!Array.isArray(models) ||
      models.length === 0 ||
      (models as readonly unknown[]).some((name) => typeof name !== "string" || name === ""))
  ) {
    throw new VaultConfigError('options.models must be a non-empty list of model names, e.g. ["User"]');
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new VaultConfigError(`options.batchSize must be an integer from 1 to ${MAX_BATCH_SIZE}`);
  }
  const dryRun = options.dryRun ?? false;
  if (typeof dryRun !== "boolean") throw new VaultConfigError("options.dryRun must be true or false");
  const onProgress = options.onProgress ?? (() => undefined);
  if (typeof onProgress !== "function") throw new VaultConfigError("options.onProgress must be a function");
  return { mode, models, batchSize, dryRun, onProgress };
}

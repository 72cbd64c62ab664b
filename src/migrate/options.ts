/**
 * The options of `migrate()` and their eager validation: a bad option is a `VaultConfigError`
 * naming it and its allowed values, thrown before any row is read.
 */
import { VaultConfigError } from "../errors.js";
import { MIGRATION_MODES, type MigrationMode } from "./migration-mode.js";
import type { MigrationProgress } from "./report.js";

export const DEFAULT_BATCH_SIZE = 500;
export const MAX_BATCH_SIZE = 10_000;
export const DEFAULT_CONCURRENCY = 2;
export const MAX_CONCURRENCY = 64;
export const MAX_SHARDS = 1_024;

/**
 * The options of {@link migrate}. A bad one is a `VaultConfigError` naming it and its allowed values,
 * thrown before any row is read.
 */
export interface MigrateOptions {
  /**
   * `"encrypt"`: plaintext values become envelopes (and their blind indexes are filled).
   * `"decrypt"`: envelopes become their plaintext again. `"rekey"`: key blobs are re-wrapped under the
   * provider's current master key, ciphertext untouched. `"rotate"`: values are re-sealed under fresh
   * data keys and the field's current associated data. `"verify"`: every value is decrypted and every
   * blind index recomputed; nothing is written. `"index"`: missing blind indexes are filled.
   */
  readonly mode: MigrationMode;
  /** Models to migrate. Default: every model with encrypted fields (for `"index"`: with a blind index). */
  readonly models?: readonly string[];
  /** Rows read and written per batch transaction, 1 to 10,000. Default 500. */
  readonly batchSize?: number;
  /** Batches processed at once (their reads stay in key order), 1 to 64. Default 2. */
  readonly concurrency?: number;
  /** Read and compute everything, write nothing; the report says what would have been written. */
  readonly dryRun?: boolean;
  /**
   * `[i, n]`: only shard `i` of `n` (0 ≤ i < n ≤ 1,024). Rows are split by a function of the primary
   * key alone, so n runs with the same n and every i cover every row exactly once.
   */
  readonly shard?: readonly [number, number];
  /** A file where committed progress is recorded after every batch; removed when the run completes. */
  readonly checkpoint?: string;
  /** Continue the run recorded in `checkpoint` (which must exist and match mode, models and shard). */
  readonly resume?: boolean;
  /** Aborting stops the run after the batches in flight commit; the checkpoint then records them. */
  readonly signal?: AbortSignal;
  /** Called when a model starts and after each batch; an exception it throws stops the migration. */
  readonly onProgress?: (progress: MigrationProgress) => void;
}

export interface MigrateSettings {
  readonly mode: MigrationMode;
  readonly models: readonly string[] | undefined;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly dryRun: boolean;
  readonly shard: readonly [number, number] | undefined;
  readonly checkpoint: string | undefined;
  readonly resume: boolean;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: (progress: MigrationProgress) => void;
}

const KNOWN = new Set([
  "mode",
  "models",
  "batchSize",
  "concurrency",
  "dryRun",
  "shard",
  "checkpoint",
  "resume",
  "signal",
  "onProgress",
]);

export function validateMigrateOptions(options: MigrateOptions): MigrateSettings {
  if (typeof options !== "object" || options === null) {
    throw new VaultConfigError('migrate() takes an options object, e.g. { mode: "encrypt" }');
  }
  const mode = options.mode;
  if (!(MIGRATION_MODES as readonly unknown[]).includes(mode)) {
    throw new VaultConfigError(
      `options.mode must be one of ${MIGRATION_MODES.map((m) => `"${m}"`).join(", ")}`,
    );
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) {
      throw new VaultConfigError(`migrate(): unknown option "${name}" (known: ${[...KNOWN].join(", ")})`);
    }
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
  const batchSize = wholeNumber(options.batchSize, DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, "batchSize");
  const concurrency = wholeNumber(options.concurrency, DEFAULT_CONCURRENCY, MAX_CONCURRENCY, "concurrency");
  const dryRun = options.dryRun ?? false;
  if (typeof dryRun !== "boolean") throw new VaultConfigError("options.dryRun must be true or false");
  const shard = validShard(options.shard);
  const checkpoint = options.checkpoint;
  if (checkpoint !== undefined && (typeof checkpoint !== "string" || checkpoint === "")) {
    throw new VaultConfigError("options.checkpoint must be a file path");
  }
  const resume = options.resume ?? false;
  if (typeof resume !== "boolean") throw new VaultConfigError("options.resume must be true or false");
  if (resume && checkpoint === undefined) {
    throw new VaultConfigError("options.resume needs options.checkpoint, the file of the run to continue");
  }
  if (dryRun && (checkpoint !== undefined || resume)) {
    throw new VaultConfigError("a dry run writes nothing: it takes no checkpoint and cannot resume");
  }
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new VaultConfigError("options.signal must be an AbortSignal");
  }
  const onProgress = options.onProgress ?? (() => undefined);
  if (typeof onProgress !== "function") throw new VaultConfigError("options.onProgress must be a function");
  return { mode, models, batchSize, concurrency, dryRun, shard, checkpoint, resume, signal, onProgress };
}

function wholeNumber(value: unknown, fallback: number, max: number, name: string): number {
  const out = value ?? fallback;
  if (typeof out !== "number" || !Number.isInteger(out) || out < 1 || out > max) {
    throw new VaultConfigError(`options.${name} must be an integer from 1 to ${max}`);
  }
  return out;
}

function validShard(shard: unknown): readonly [number, number] | undefined {
  if (shard === undefined) return undefined;
  const [i, n] = Array.isArray(shard) ? (shard as unknown[]) : [];
  if (
    !Array.isArray(shard) ||
    shard.length !== 2 ||
    !Number.isInteger(i) ||
    !Number.isInteger(n) ||
    (n as number) < 1 ||
    (n as number) > MAX_SHARDS ||
    (i as number) < 0 ||
    (i as number) >= (n as number)
  ) {
    throw new VaultConfigError(
      `options.shard must be [i, n] with 0 <= i < n <= ${MAX_SHARDS}, e.g. [0, 4] for the first of four`,
    );
  }
  return [i as number, n as number];
}

/**
 * Pure: where `prisma-vault migrate` keeps its checkpoint when `--checkpoint` is not given. The name
 * says which run it belongs to (mode, models, shard), so runs of different modes or shards started in
 * the same directory never share a file, and the same command with `--resume` finds it again.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { MigrationMode } from "../migrate/migration-mode.js";

/** The folder, relative to the working directory, that holds default checkpoints. */
export const CHECKPOINT_DIR = ".prisma-vault";

// Past this, a list of model names is replaced by its hash so the file name stays well under 255 bytes.
const MAX_MODELS_IN_NAME = 80;

/**
 * The default checkpoint of a run, relative to the working directory. Models are sorted and
 * deduplicated (`--models B,A` is the same run as `--models A,B`).
 *
 * @example
 * defaultCheckpointPath({ mode: "encrypt", models: ["User", "Account"], shard: [1, 3] });
 * // ".prisma-vault/migrate-encrypt-Account+User-shard-1-of-3.json"
 */
export function defaultCheckpointPath(run: {
  readonly mode: MigrationMode;
  readonly models?: readonly string[] | undefined;
  readonly shard?: readonly [number, number] | undefined;
}): string {
  const parts = [`migrate-${run.mode}`];
  if (run.models && run.models.length > 0) {
    // The CLI accepts only identifiers; the replacement keeps any other name inside the folder.
    const models = [...new Set(run.models)]
      .sort()
      .join("+")
      .replace(/[^\w+]/g, "_");
    parts.push(
      models.length > MAX_MODELS_IN_NAME
        ? `models-${createHash("sha256").update(models).digest("hex").slice(0, 12)}`
        : models,
    );
  }
  if (run.shard) parts.push(`shard-${run.shard[0]}-of-${run.shard[1]}`);
  return join(CHECKPOINT_DIR, `${parts.join("-")}.json`);
}

/**
 * The checkpoint of a migration: a JSON file recording, per model, the primary key up to which every
 * row is committed, and which models are done. Written after every committed batch by an atomic
 * rename, so a kill -9 at any moment leaves the last committed state; removed when the run completes.
 * A checkpoint belongs to one mode, model set and shard: any other run refuses it.
 */
import { VaultConfigError } from "../errors.js";
import type { Row } from "../schema/options.js";
import type { MigrationMode } from "./migration-mode.js";

const VERSION = 1;

/**
 * node:fs and node:path, looked up when a checkpoint is used rather than imported: the root entry reaches
 * this module and must load where there is no file system (Workers).
 */
function fileSystem() {
  return { fs: process.getBuiltinModule("node:fs"), path: process.getBuiltinModule("node:path") };
}

/** What a checkpoint belongs to. */
export interface RunIdentity {
  readonly mode: MigrationMode;
  readonly models: readonly string[];
  readonly shard: readonly [number, number] | undefined;
}

interface ModelProgress {
  /** The last committed row's primary key (encoded), or null before the first batch. */
  after: Record<string, EncodedValue> | null;
  done: boolean;
}

type EncodedValue = string | number | boolean | { readonly $bigint: string } | { readonly $date: string };

interface CheckpointFile {
  version: number;
  mode: MigrationMode;
  models: string[];
  shard: [number, number] | null;
  progress: Record<string, ModelProgress>;
}

export class Checkpoint {
  readonly path: string;
  readonly #file: CheckpointFile;

  private constructor(path: string, file: CheckpointFile) {
    this.path = path;
    this.#file = file;
  }

  /**
   * Starts a new checkpoint at `path` (refusing to overwrite one, which records an unfinished run)
   * or, with `resume`, continues the one there, which must belong to `identity`.
   *
   * @example const checkpoint = Checkpoint.open(".prisma-vault/encrypt.json", { mode, models, shard }, resume);
   */
  static open(path: string, identity: RunIdentity, resume: boolean): Checkpoint {
    const exists = fileSystem().fs.existsSync(path);
    if (!resume) {
      if (exists) {
        throw new VaultConfigError(
          `a checkpoint of an unfinished migration is at ${path}: resume it (--resume, or resume: true), ` +
            "or delete the file to start over",
        );
      }
      const fresh: CheckpointFile = {
        version: VERSION,
        mode: identity.mode,
        models: [...identity.models],
        shard: identity.shard ? [identity.shard[0], identity.shard[1]] : null,
        progress: Object.fromEntries(identity.models.map((model) => [model, { after: null, done: false }])),
      };
      const checkpoint = new Checkpoint(path, fresh);
      checkpoint.#save();
      return checkpoint;
    }
    if (!exists) throw new VaultConfigError(`there is no checkpoint to resume at ${path}`);
    const file = parse(path);
    const recorded = describeRun(file.mode, file.models, file.shard ?? undefined);
    const wanted = describeRun(identity.mode, identity.models, identity.shard);
    if (recorded !== wanted) {
      throw new VaultConfigError(
        `the checkpoint at ${path} belongs to another run (${recorded}); this run is ${wanted}`,
      );
    }
    return new Checkpoint(path, file);
  }

  /** Where `model` resumes: after this key, or from the start; `"done"` when it finished. */
  resumePoint(model: string): Row | undefined | "done" {
    const progress = this.#file.progress[model];
    if (progress?.done) return "done";
    return progress?.after ? decodeKey(progress.after) : undefined;
  }

  /** Records that every row of `model` up to `key` is committed. */
  advance(model: string, key: Row): void {
    this.#progress(model).after = encodeKey(key);
    this.#save();
  }

  /** Records that `model` is done. */
  finish(model: string): void {
    this.#progress(model).done = true;
    this.#save();
  }

  /** The run completed: the checkpoint goes. */
  remove(): void {
    fileSystem().fs.rmSync(this.path, { force: true });
  }

  #progress(model: string): ModelProgress {
    const progress = this.#file.progress[model];
    // Precondition: the model is one of the run's.
    if (progress === undefined) throw new RangeError(`model ${model} is not part of this checkpoint`);
    return progress;
  }

  #save(): void {
    const { fs, path } = fileSystem();
    fs.mkdirSync(path.dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(this.#file, null, 2)}\n`);
    fs.renameSync(temporary, this.path);
  }
}

/** `encrypt of Account, User, shard 1/3`: how a run is named in messages. */
function describeRun(mode: string, models: readonly string[], shard: readonly [number, number] | undefined) {
  const shardText = shard ? `, shard ${shard[0]}/${shard[1]}` : "";
  return `${mode} of ${[...models].sort().join(", ")}${shardText}`;
}

function parse(path: string): CheckpointFile {
  let file: unknown;
  try {
    file = JSON.parse(fileSystem().fs.readFileSync(path, "utf8"));
  } catch (error) {
    throw new VaultConfigError(`the checkpoint at ${path} is not readable JSON`, { cause: error });
  }
  const f = file as Partial<CheckpointFile> | null;
  if (
    typeof f !== "object" ||
    f === null ||
    f.version !== VERSION ||
    typeof f.mode !== "string" ||
    !Array.isArray(f.models) ||
    typeof f.progress !== "object" ||
    f.progress === null ||
    f.models.some((model) => typeof f.progress?.[model] !== "object")
  ) {
    throw new VaultConfigError(
      `the checkpoint at ${path} is not a prisma-vault checkpoint (version ${VERSION})`,
    );
  }
  return f as CheckpointFile;
}

function encodeKey(key: Row): Record<string, EncodedValue> {
  const out: Record<string, EncodedValue> = {};
  for (const [field, value] of Object.entries(key)) {
    if (typeof value === "bigint") out[field] = { $bigint: value.toString() };
    else if (value instanceof Date) out[field] = { $date: value.toISOString() };
    else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      out[field] = value;
    // Precondition: key values are scalars Prisma can compare; a Bytes or Decimal key is refused earlier.
    else throw new VaultConfigError("this primary key type cannot be recorded in a checkpoint", { field });
  }
  return out;
}

function decodeKey(encoded: Record<string, EncodedValue>): Row {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(encoded)) {
    if (typeof value === "object" && value !== null && "$bigint" in value) out[field] = BigInt(value.$bigint);
    else if (typeof value === "object" && value !== null && "$date" in value)
      out[field] = new Date(value.$date);
    else out[field] = value;
  }
  return out;
}

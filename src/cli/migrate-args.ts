/**
 * Pure: the command line of `prisma-vault migrate`, parsed and checked before anything is loaded, so a
 * bad flag never opens a database connection; and the same command line written back, as an
 * interrupted run's way to continue.
 */
import { VaultConfigError } from "../errors.js";
import { MIGRATION_MODES, type MigrationMode } from "../migrate/migration-mode.js";
import { MAX_BATCH_SIZE, MAX_CONCURRENCY, MAX_SHARDS } from "../migrate/options.js";
import { parseFlags, unexpectedArgument, type FlagSpec } from "./command-args.js";

/** A `prisma-vault migrate` command line, checked. Numbers and lists are absent when not given. */
export interface MigrateCommand {
  readonly help: false;
  readonly mode: MigrationMode;
  readonly config: string;
  readonly models?: readonly string[];
  readonly batchSize?: number;
  readonly concurrency?: number;
  readonly shard?: readonly [number, number];
  readonly checkpoint?: string;
  readonly resume: boolean;
  readonly dryRun: boolean;
  readonly json: boolean;
}

/** What the arguments ask for: a run, or the help text (`--help` / `-h` anywhere wins). */
export type MigrateArgs = MigrateCommand | { readonly help: true };

// Numbers and shards say what they accept themselves ("-5" is out of range, not missing).
const FLAGS = {
  config: { type: "string", example: "--config vault.config.ts" },
  models: { type: "string", example: "--models User,Account" },
  "batch-size": {
    type: "string",
    example: `--batch-size 500 (1 to ${MAX_BATCH_SIZE})`,
    dashed: true,
  },
  concurrency: { type: "string", example: `--concurrency 2 (1 to ${MAX_CONCURRENCY})`, dashed: true },
  shard: { type: "string", example: "--shard 0/4", dashed: true },
  checkpoint: { type: "string", example: "--checkpoint migrate.json" },
  resume: { type: "boolean" },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
} as const satisfies Record<string, FlagSpec>;
type Flag = keyof typeof FLAGS;

// Prisma's model names; anything else cannot be a model and could not go into a file name.
const MODEL_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * The arguments after `migrate`, checked: a `VaultConfigError` names the flag and what it accepts.
 *
 * @example
 * parseMigrateArgs(["encrypt", "--config", "vault.config.ts", "--shard", "1/3"]);
 * // { help: false, mode: "encrypt", config: "vault.config.ts", shard: [1, 3], resume: false, … }
 */
export function parseMigrateArgs(args: readonly string[]): MigrateArgs {
  const parsed = parseFlags("migrate", args, FLAGS);
  if (parsed.help) return parsed;
  const { values, positionals } = parsed;
  const text = (flag: Flag) => values.get(flag) as string | undefined;
  const [mode, ...extra] = positionals;
  const modes = MIGRATION_MODES.join(", ");
  if (mode === undefined) throw new VaultConfigError(`migrate needs a mode, one of ${modes}`);
  if (!(MIGRATION_MODES as readonly string[]).includes(mode)) {
    throw new VaultConfigError(`unknown mode "${mode}": one of ${modes}`);
  }
  if (extra[0] !== undefined) throw unexpectedArgument("migrate", extra[0]);
  const config = text("config");
  if (config === undefined) {
    throw new VaultConfigError(
      "migrate needs --config <file>, a module exporting your Prisma client extended with vault()",
    );
  }
  const dryRun = values.has("dry-run");
  const resume = values.has("resume");
  const checkpoint = text("checkpoint");
  // Precondition: a dry run writes nothing, so it has no progress to record or continue.
  if (dryRun && (resume || checkpoint !== undefined)) {
    throw new VaultConfigError(
      `--dry-run writes nothing: it takes no ${resume ? "--resume" : "--checkpoint"}`,
    );
  }
  const models = text("models");
  const batchSize = text("batch-size");
  const concurrency = text("concurrency");
  const shard = text("shard");
  return {
    help: false,
    mode: mode as MigrationMode,
    config,
    ...(models !== undefined && { models: modelList(models) }),
    ...(batchSize !== undefined && { batchSize: whole("batch-size", batchSize, MAX_BATCH_SIZE) }),
    ...(concurrency !== undefined && { concurrency: whole("concurrency", concurrency, MAX_CONCURRENCY) }),
    ...(shard !== undefined && { shard: shardOf(shard) }),
    ...(checkpoint !== undefined && { checkpoint }),
    resume,
    dryRun,
    json: values.has("json"),
  };
}

/**
 * `command` written back as one line for a POSIX shell, with `--resume` or without it: the same
 * flags, so the same checkpoint. An interrupted run prints it as the way to continue.
 *
 * @example
 * commandLine({ ...command, mode: "encrypt", config: "vault.config.ts", batchSize: 100 }, true);
 * // "prisma-vault migrate encrypt --config vault.config.ts --batch-size 100 --resume"
 */
export function commandLine(command: MigrateCommand, resume: boolean): string {
  const words = ["prisma-vault", "migrate", command.mode, "--config", command.config];
  if (command.models) words.push("--models", command.models.join(","));
  if (command.batchSize !== undefined) words.push("--batch-size", String(command.batchSize));
  if (command.concurrency !== undefined) words.push("--concurrency", String(command.concurrency));
  if (command.shard) words.push("--shard", command.shard.join("/"));
  if (command.checkpoint !== undefined) words.push("--checkpoint", command.checkpoint);
  if (command.dryRun) words.push("--dry-run");
  if (command.json) words.push("--json");
  if (resume) words.push("--resume");
  return words.map(shellWord).join(" ");
}

function whole(flag: Flag, value: string, max: number): number {
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= max)) {
    throw new VaultConfigError(`--${flag} must be an integer from 1 to ${max} (got ${quoted(value)})`);
  }
  return n;
}

function shardOf(value: string): readonly [number, number] {
  const match = /^(\d{1,9})\/(\d{1,9})$/.exec(value);
  const [i, n] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  // Precondition: 0 <= i < n <= MAX_SHARDS, so shards 0/n … (n-1)/n cover every row once.
  if (!(n >= 1 && n <= MAX_SHARDS && i >= 0 && i < n)) {
    throw new VaultConfigError(
      `--shard must be i/n with 0 <= i < n <= ${MAX_SHARDS}, e.g. --shard 0/4 for the first of four (got ${quoted(value)})`,
    );
  }
  return [i, n];
}

function modelList(value: string): readonly string[] {
  const names = value.split(",").map((name) => name.trim());
  const bad = names.find((name) => !MODEL_NAME.test(name));
  if (bad !== undefined) {
    throw new VaultConfigError(
      `--models must be model names separated by commas, e.g. --models User,Account (got ${quoted(bad)})`,
    );
  }
  return names;
}

/** A flag's value as a message shows it: quoted, and cut when long (it is a flag, never a secret). */
function quoted(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function shellWord(word: string): string {
  return /^[\w./:=,+@%-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

#!/usr/bin/env node
/**
 * The `prisma-vault` command: `migrate`, `reseal-objects`, `keygen` and `key-server`, each with its own
 * `--help`. A command line is read in full before anything runs: a mistake in it exits 64 (a usage
 * error) and opens nothing. Errors print their code and message only, never a stack, a key or a value.
 */
import { isVaultError } from "../errors.js";
import { VERSION } from "../version.js";
import { EXIT_CODES, EXIT_CODES_TABLE } from "./exit-codes.js";
import { runGenerator } from "./generator.js";
import { KEY_SERVER_HELP, keyServerCommand, parseKeyServerArgs } from "./key-server.js";
import { KEYGEN_HELP, keygenCommand, parseKeygenArgs } from "./keygen.js";
import { migrateCommand } from "./migrate.js";
import { parseMigrateArgs } from "./migrate-args.js";
import { MIGRATE_HELP } from "./migrate-help.js";
import { parseResealObjectsArgs, RESEAL_OBJECTS_HELP, resealObjectsCommand } from "./reseal-objects.js";

const USAGE = `Usage: prisma-vault <command> [options]

Commands:
  migrate <mode> --config <file> [--models A,B] [--batch-size 500] [--concurrency 2] [--shard i/n]
          [--checkpoint <file>] [--resume] [--dry-run] [--json]
                                         migrate existing rows: encrypt, decrypt, rekey, rotate,
                                         verify or index; the config file exports your Prisma client
                                         extended with vault(); prisma-vault migrate --help says more
  reseal-objects --config <file> [--json]
                                         bind every Vault object value written by 0.2 to its
                                         name (once, after upgrading)
  keygen [--id k1]                       print a new master key as "id:<base64>" for PRISMA_VAULT_KEYS
  key-server [--config <file>] [--port 8787] [--host 127.0.0.1] [--token sk_...] [--faults]
             [--idempotency-ttl-ms 3600000] [--idempotency-keys 10000]
                                         serve WorkOS Vault's key API from PRISMA_VAULT_KEYS
                                         (token also from PRISMA_VAULT_KEY_SERVER_TOKEN); with
                                         --config (the same file as migrate's), the key API from
                                         that client's keys and, when it was made with
                                         vault({ objects: true }), WorkOS's object API on its
                                         database; --faults accepts POST /_faults (fault injection);
                                         Idempotency-Key answers are kept that long, that many
  help [<command>]                       show this text, or the command's (as <command> --help does)

Options:
  -h, --help                             show this text; after a command, that command's help
  -v, --version                          print the version

${EXIT_CODES_TABLE}
As a Prisma generator (run by \`prisma generate\`, which sets PRISMA_GENERATOR_INVOCATION=true):
  generator vault { provider = "prisma-vault"  output = "./generated/vault" }
`;

/** A command: its help text, and its arguments read into a run, or `undefined` when they ask for help. */
interface Command {
  readonly help: string;
  readonly read: (args: readonly string[]) => (() => Promise<number> | number) | undefined;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  migrate: command(MIGRATE_HELP, parseMigrateArgs, migrateCommand),
  "reseal-objects": command(RESEAL_OBJECTS_HELP, parseResealObjectsArgs, resealObjectsCommand),
  keygen: command(KEYGEN_HELP, parseKeygenArgs, keygenCommand),
  "key-server": command(KEY_SERVER_HELP, parseKeyServerArgs, keyServerCommand),
};

/**
 * Runs the command line `argv` (without the node and script paths) and returns the exit code; an error
 * that stops a command is thrown (exit 1).
 *
 * @example process.exitCode = await main(["keygen", "--id", "k2"]);
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  switch (name) {
    case undefined:
      process.stderr.write(USAGE);
      return EXIT_CODES.usage;
    case "--version":
    case "-v":
      process.stdout.write(`${VERSION}\n`);
      return EXIT_CODES.done;
    case "help":
    case "--help":
    case "-h": {
      const topic = name === "help" ? rest[0] : undefined;
      if (topic === undefined) {
        process.stdout.write(USAGE);
        return EXIT_CODES.done;
      }
      return main([topic, "--help"]);
    }
  }
  const chosen = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (chosen === undefined) {
    process.stderr.write(`prisma-vault: unknown command "${name}"\n\n${USAGE}`);
    return EXIT_CODES.usage;
  }
  let run: ReturnType<Command["read"]>;
  try {
    run = chosen.read(rest);
  } catch (error) {
    // Precondition: reading a command line only throws VaultConfigError for a mistake in it.
    if (!isVaultError(error, "VAULT_CONFIG")) throw error;
    process.stderr.write(errorLine(error));
    return EXIT_CODES.usage;
  }
  if (run === undefined) {
    process.stdout.write(chosen.help);
    return EXIT_CODES.done;
  }
  return run();
}

/** A command from its parts: `parse` checks the arguments (pure), `run` does the work. */
function command<Parsed extends { readonly help: false }>(
  help: string,
  parse: (args: readonly string[]) => Parsed | { readonly help: true },
  run: (parsed: Parsed) => Promise<number> | number,
): Command {
  return {
    help,
    read: (args) => {
      const parsed = parse(args);
      return parsed.help ? undefined : () => run(parsed);
    },
  };
}

/** How an error is printed: its code and message, never its stack. */
function errorLine(error: unknown): string {
  const code = isVaultError(error) ? `${error.code}: ` : "";
  const message = error instanceof Error ? error.message : String(error);
  return `prisma-vault: ${code}${message}\n`;
}

// Prisma runs generators with this variable set; the same bin then speaks the generator protocol.
const started =
  process.env["PRISMA_GENERATOR_INVOCATION"] === "true"
    ? runGenerator().then(() => EXIT_CODES.done)
    : main(process.argv.slice(2));
started.then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(errorLine(error));
    // At once: a request the error left behind (a key service that never answers, a socket kept
    // alive) must not hold the process open. stderr and stdout are synchronous on Linux and macOS.
    process.exit(EXIT_CODES.error);
  },
);

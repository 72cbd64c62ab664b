/**
 * `prisma-vault reseal-objects --config <file> [--json]`: runs `resealObjects()` on the Vault objects of
 * the client a config file exports (the same file as migrate's), the step after upgrading from 0.2.
 * Prints what it did; exit 0 when every version is bound, 2 when some open neither way (listed by
 * object and version id), 1 on error, 64 on a usage error.
 */
import { VaultConfigError } from "../errors.js";
import type { VaultObjects } from "../objects/vault-objects.js";
import { parseFlags, unexpectedArgument } from "./command-args.js";
import { loadClient } from "./config.js";
import { EXIT_CODES } from "./exit-codes.js";

/**
 * The text of `prisma-vault reseal-objects --help`.
 *
 * @example process.stdout.write(RESEAL_OBJECTS_HELP);
 */
export const RESEAL_OBJECTS_HELP = `Usage: prisma-vault reseal-objects --config <file> [--json]

Binds every Vault object value written by prisma-vault 0.2 to its object's name, in place: once, after
upgrading. The config file is the same as migrate's; its client must be made with
vault({ objects: true }). Prints how many versions it read and resealed, and lists by object and
version id those that open neither way (never a value).

Options:
  --config <file>   the config file (required)
  --json            print the report as JSON on stdout instead
  -h, --help        show this text

Exit codes: 0 done, 2 some versions open neither way, 1 an error, 64 a usage error (prisma-vault
--help has the table).
`;

/** A `prisma-vault reseal-objects` command line, checked. */
export interface ResealObjectsCommand {
  readonly help: false;
  readonly config: string;
  readonly json: boolean;
}

/**
 * The arguments after `reseal-objects`: a `VaultConfigError` names a bad flag or the missing --config.
 *
 * @example parseResealObjectsArgs(["--config", "vault.config.ts"]) // { help: false, config: "vault.config.ts", json: false }
 */
export function parseResealObjectsArgs(
  args: readonly string[],
): ResealObjectsCommand | { readonly help: true } {
  const parsed = parseFlags("reseal-objects", args, {
    config: { type: "string", example: "--config vault.config.ts" },
    json: { type: "boolean" },
  });
  if (parsed.help) return parsed;
  const [extra] = parsed.positionals;
  if (extra !== undefined) throw unexpectedArgument("reseal-objects", extra);
  const config = parsed.values.get("config");
  if (typeof config !== "string") throw new VaultConfigError("reseal-objects needs --config <file>");
  return { help: false, config, json: parsed.values.has("json") };
}

/**
 * Reseals, prints the report, and returns the exit code.
 *
 * @example process.exitCode = await resealObjectsCommand({ help: false, config: "vault.config.ts", json: false });
 */
export async function resealObjectsCommand(command: ResealObjectsCommand): Promise<number> {
  const client = (await loadClient(command.config)) as {
    $vault: { readonly objects: VaultObjects };
    $disconnect?: () => Promise<void>;
  };
  try {
    // Throws VAULT_CONFIG, naming the option, when the client was made without vault({ objects: true }).
    const report = await client.$vault.objects.resealObjects();
    if (command.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      process.stdout.write(
        `Vault objects: ${report.scanned} versions read, ${report.resealed} resealed, ${report.failedTotal} failed\n`,
      );
      for (const { id, versionId } of report.failed)
        process.stdout.write(`  failed: ${id} ${versionId} (opens neither bound nor as a 0.2 value)\n`);
    }
    return report.failedTotal === 0 ? EXIT_CODES.done : EXIT_CODES.attention;
  } finally {
    await client.$disconnect?.();
  }
}

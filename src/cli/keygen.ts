/**
 * `prisma-vault keygen [--id k1]`: prints a new random master key as `id:<base64>`, the form
 * `PRISMA_VAULT_KEYS` takes. Nothing is stored.
 */
import { LocalKeyProvider } from "../keys/local.js";
import { parseFlags, unexpectedArgument } from "./command-args.js";

/**
 * The text of `prisma-vault keygen --help`.
 *
 * @example process.stdout.write(KEYGEN_HELP);
 */
export const KEYGEN_HELP = `Usage: prisma-vault keygen [--id k1]

Prints a new random 256-bit master key as "<id>:<base64>", the form PRISMA_VAULT_KEYS takes (keys
separated by commas, the current one first: PRISMA_VAULT_KEYS="k2:<new>,k1:<old>"). Nothing is
stored: put the line in your secret manager.

Options:
  --id <id>    the key's id: 1-64 letters, digits, '.', '_' or '-' (default k1)
  -h, --help   show this text

Exit codes: 0 done, 64 a usage error (prisma-vault --help has the table).
`;

/** A `prisma-vault keygen` command line, checked, with the key it prints. */
export interface KeygenCommand {
  readonly help: false;
  readonly id: string;
  /** The new key, base64: made here so that a bad `--id` is refused as a usage error. */
  readonly key: string;
}

/**
 * The arguments after `keygen`: a `VaultConfigError` names a bad flag or id.
 *
 * @example parseKeygenArgs(["--id", "k2"]) // { help: false, id: "k2", key: "…base64…" }
 */
export function parseKeygenArgs(args: readonly string[]): KeygenCommand | { readonly help: true } {
  const parsed = parseFlags("keygen", args, { id: { type: "string", example: "--id k2" } });
  if (parsed.help) return parsed;
  const [extra] = parsed.positionals;
  if (extra !== undefined) throw unexpectedArgument("keygen", extra);
  const id = (parsed.values.get("id") as string | undefined) ?? "k1";
  const key = LocalKeyProvider.generateKey();
  new LocalKeyProvider({ keys: [{ id, key }] }); // validates the id
  return { help: false, id, key };
}

/**
 * Prints the key line.
 *
 * @example process.exitCode = keygenCommand(parseKeygenArgs(["--id", "k2"]) as KeygenCommand);
 */
export function keygenCommand(command: KeygenCommand): number {
  process.stdout.write(`${command.id}:${command.key}\n`);
  return 0;
}

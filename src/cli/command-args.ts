/**
 * Pure: the flags of one `prisma-vault` command, read the same way for every command, so each one
 * answers `--help` / `-h` and names an unknown option and the `--help` that lists the right ones. The
 * command checks the values themselves; every `VaultConfigError` thrown while parsing is a usage error
 * (exit 64).
 */
import { parseArgs } from "node:util";
import { VaultConfigError } from "../errors.js";

/** One flag of a command. */
export interface FlagSpec {
  /** A string flag takes a value; a boolean one takes none. */
  readonly type: "string" | "boolean";
  /** A string flag written with a value, for "needs a value, e.g. …". */
  readonly example?: string;
  /**
   * A value may start with "-": the command says why "-5" is wrong itself. Otherwise "--config --json"
   * is refused rather than taking "--json" as the file name.
   */
  readonly dashed?: boolean;
}

/** What a command line asks for: its help (`--help` / `-h` anywhere wins), or a run with these flags. */
export type CommandFlags<Flag extends string> =
  | { readonly help: true }
  | {
      readonly help: false;
      /** The flags given: a string flag's value, `true` for a boolean one. */
      readonly values: ReadonlyMap<Flag, string | true>;
      /** The arguments that are not flags, in order. */
      readonly positionals: readonly string[];
    };

/**
 * The arguments after `command`, read against `flags`: a flag given twice, a boolean with a value or a
 * string without one, or an unknown option throws `VaultConfigError` naming it.
 *
 * @example
 * parseFlags("keygen", ["--id", "k2"], { id: { type: "string", example: "--id k2" } });
 * // { help: false, values: Map { "id" => "k2" }, positionals: [] }
 */
export function parseFlags<Flag extends string>(
  command: string,
  args: readonly string[],
  flags: Readonly<Record<Flag, FlagSpec>>,
): CommandFlags<Flag> {
  const specs: Readonly<Record<string, FlagSpec>> = flags;
  // Not strict: node's own messages for unknown or valueless options are replaced by ours below.
  const { tokens } = parseArgs({
    args: [...args],
    options: {
      ...Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, { type: spec.type }])),
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  if (tokens.some((token) => token.kind === "option" && token.name === "help")) return { help: true };
  const values = new Map<Flag, string | true>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined;
    if (spec === undefined) {
      throw new VaultConfigError(`unknown option "${token.rawName}" ${helpHint(command)}`);
    }
    const flag = token.name as Flag;
    if (values.has(flag)) throw new VaultConfigError(`--${flag} is given twice`);
    if (spec.type === "boolean") {
      if (token.value !== undefined) throw new VaultConfigError(`--${flag} takes no value`);
      values.set(flag, true);
    } else {
      const dashed = !token.inlineValue && token.value?.startsWith("-") && spec.dashed !== true;
      if (token.value === undefined || dashed) {
        const example = spec.example === undefined ? "" : `, e.g. ${spec.example}`;
        throw new VaultConfigError(`--${flag} needs a value${example}`);
      }
      values.set(flag, token.value);
    }
  }
  return { help: false, values, positionals };
}

/**
 * The usage error for an argument the command takes no place for.
 *
 * @example throw unexpectedArgument("keygen", "k2"); // unexpected argument "k2" (prisma-vault keygen --help …)
 */
export function unexpectedArgument(command: string, word: string): VaultConfigError {
  return new VaultConfigError(`unexpected argument "${word}" ${helpHint(command)}`);
}

/**
 * The words a usage error ends with, pointing at the command's own help.
 *
 * @example helpHint("migrate") // "(prisma-vault migrate --help lists them)"
 */
export function helpHint(command: string): string {
  return `(prisma-vault ${command} --help lists them)`;
}

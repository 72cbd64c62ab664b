/**
 * `prisma-vault key-server`: WorkOS Vault's key API (and with `--config`, its object API) served
 * locally from `PRISMA_VAULT_KEYS`, for development and tests. Runs until SIGINT or SIGTERM.
 */
import { VaultConfigError } from "../errors.js";
import { KEY_SERVER_TOKEN_ENV, startKeyServer } from "../key-server/server.js";
import { IDEMPOTENCY_BOUNDS } from "../key-server/options.js";
import type { KeyProvider } from "../keys/provider.js";
import type { VaultObjects } from "../objects/vault-objects.js";
import { handleOf } from "../client/handle.js";
import { parseFlags, unexpectedArgument } from "./command-args.js";
import { loadClient } from "./config.js";

/**
 * The text of `prisma-vault key-server --help`.
 *
 * @example process.stdout.write(KEY_SERVER_HELP);
 */
export const KEY_SERVER_HELP = `Usage: prisma-vault key-server [--config <file>] [--port 8787] [--host 127.0.0.1] [options]

Serves WorkOS Vault's key API from the master keys in PRISMA_VAULT_KEYS, so that WorkOSKeyProvider
(or the WorkOS SDK) can run against it: for development and tests, not a KMS. With --config (the same
file as migrate's), the keys of that client and, when it was made with vault({ objects: true }),
WorkOS's object API on its database. Runs until SIGINT or SIGTERM.

Options:
  --config <file>              serve the keys (and Vault objects) of the client this file exports
  --port <n>                   the port, 0-65535; 0 picks a free one (default 8787)
  --host <host>                the address to listen on (default 127.0.0.1)
  --token <sk_...>             the bearer token clients must send (default
                               PRISMA_VAULT_KEY_SERVER_TOKEN; none: any sk_... token is accepted)
  --faults                     accept POST /_faults, to make requests fail or slow (fault injection)
  --idempotency-ttl-ms <n>     how long an Idempotency-Key's answer is kept, 1 to ${IDEMPOTENCY_BOUNDS.idempotencyTtlMs.max} ms
                               (default ${IDEMPOTENCY_BOUNDS.idempotencyTtlMs.fallback})
  --idempotency-keys <n>       how many answers are kept, 1 to ${IDEMPOTENCY_BOUNDS.idempotencyKeys.max} (default ${IDEMPOTENCY_BOUNDS.idempotencyKeys.fallback})
  -h, --help                   show this text

Exit codes: 0 stopped by SIGINT or SIGTERM, 1 an error, 64 a usage error (prisma-vault --help has
the table).
`;

/** A `prisma-vault key-server` command line, checked. */
export interface KeyServerCommand {
  readonly help: false;
  readonly port: number;
  readonly host: string;
  readonly token?: string;
  readonly faults: boolean;
  readonly config?: string;
  readonly idempotencyTtlMs?: number;
  readonly idempotencyKeys?: number;
}

const FLAGS = {
  config: { type: "string", example: "--config vault.config.ts" },
  port: { type: "string", example: "--port 8787", dashed: true },
  host: { type: "string", example: "--host 127.0.0.1" },
  token: { type: "string", example: "--token sk_test_local" },
  faults: { type: "boolean" },
  "idempotency-ttl-ms": { type: "string", example: "--idempotency-ttl-ms 600000", dashed: true },
  "idempotency-keys": { type: "string", example: "--idempotency-keys 1000", dashed: true },
} as const;

/**
 * The arguments after `key-server`: a `VaultConfigError` names a bad flag or value.
 *
 * @example parseKeyServerArgs(["--port", "0"]) // { help: false, port: 0, host: "127.0.0.1", faults: false }
 */
export function parseKeyServerArgs(args: readonly string[]): KeyServerCommand | { readonly help: true } {
  const parsed = parseFlags("key-server", args, FLAGS);
  if (parsed.help) return parsed;
  const [extra] = parsed.positionals;
  if (extra !== undefined) throw unexpectedArgument("key-server", extra);
  const text = (flag: keyof typeof FLAGS) => parsed.values.get(flag) as string | undefined;
  const port = Number(text("port") ?? "8787");
  if (!/^\d{1,5}$/.test(text("port") ?? "8787") || port > 65535)
    throw new VaultConfigError("--port must be 0-65535");
  const token = text("token");
  const config = text("config");
  const ttl = text("idempotency-ttl-ms");
  const kept = text("idempotency-keys");
  return {
    help: false,
    port,
    host: text("host") ?? "127.0.0.1",
    ...(token !== undefined && { token }),
    faults: parsed.values.has("faults"),
    ...(config !== undefined && { config }),
    ...(ttl !== undefined && { idempotencyTtlMs: bounded("idempotency-ttl-ms", ttl, "idempotencyTtlMs") }),
    ...(kept !== undefined && { idempotencyKeys: bounded("idempotency-keys", kept, "idempotencyKeys") }),
  };
}

/**
 * Serves until SIGINT or SIGTERM, then closes the server and the config's client.
 *
 * @example process.exitCode = await keyServerCommand({ help: false, port: 0, host: "127.0.0.1", faults: false });
 */
export async function keyServerCommand(command: KeyServerCommand): Promise<number> {
  const served = command.config === undefined ? undefined : await servedBy(command.config);
  const server = await startKeyServer({
    port: command.port,
    host: command.host,
    ...(command.token !== undefined && { token: command.token }),
    faults: command.faults,
    ...(command.idempotencyTtlMs !== undefined && { idempotencyTtlMs: command.idempotencyTtlMs }),
    ...(command.idempotencyKeys !== undefined && { idempotencyKeys: command.idempotencyKeys }),
    ...(served && { provider: served.provider }),
    ...(served?.objects && { objects: served.objects }),
  });
  const faults = command.faults ? "; fault injection on: POST /_faults" : "";
  const objects =
    served === undefined
      ? ""
      : served.objects
        ? "; Vault objects on: /vault/v1/kv"
        : "; Vault objects off: the config's client was made without vault({ objects: true })";
  process.stdout.write(
    `prisma-vault key server listening on ${server.url} (development only, not a KMS${faults}${objects})\n`,
  );
  if (command.faults && !(command.token ?? process.env[KEY_SERVER_TOKEN_ENV]))
    process.stderr.write(
      "prisma-vault: --faults without a token: any sk_… client can fail or slow requests\n",
    );
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  await server.close();
  await served?.disconnect();
  return 0;
}

/** A flag's value as a whole number within its option's bounds, else a usage error naming the flag. */
function bounded(flag: string, text: string, option: keyof typeof IDEMPOTENCY_BOUNDS): number {
  const { max, unit } = IDEMPOTENCY_BOUNDS[option];
  const n = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= max)) {
    throw new VaultConfigError(`--${flag} must be a whole number of ${unit}, 1-${max}`);
  }
  return n;
}

/** The key provider and (when on) the object store of the client a config file exports. */
async function servedBy(file: string): Promise<{
  provider: KeyProvider;
  objects: VaultObjects | undefined;
  disconnect: () => Promise<void>;
}> {
  const client = (await loadClient(file)) as {
    $vault: { readonly objects: VaultObjects };
    $disconnect?: () => Promise<void>;
  };
  let objects: VaultObjects | undefined;
  try {
    objects = client.$vault.objects;
  } catch {
    objects = undefined;
  }
  return {
    provider: handleOf(client).core.provider,
    objects,
    disconnect: async () => client.$disconnect?.(),
  };
}

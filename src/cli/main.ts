#!/usr/bin/env node
/**
 * The `prisma-vault` command: `migrate`, `reseal-objects`, `keygen` and `key-server`. Errors print their code and
 * message only, never a stack, a key or a value.
 */
import { parseArgs } from "node:util";
import { isVaultError, VaultConfigError } from "../errors.js";
import { LocalKeyProvider } from "../keys/local.js";
import { KEY_SERVER_TOKEN_ENV, startKeyServer } from "../key-server/server.js";
import type { KeyProvider } from "../keys/provider.js";
import type { VaultObjects } from "../objects/store.js";
import { handleOf } from "../prisma/handle.js";
import { loadClient } from "./config.js";
import { runGenerator } from "./generator.js";
import { migrateCommand } from "./migrate.js";
import { resealObjectsCommand } from "./reseal-objects.js";

const USAGE = `Usage: prisma-vault <command> [options]

Commands:
  migrate <mode> --config <file> [--models A,B] [--batch-size 500] [--concurrency 2] [--shard i/n]
          [--checkpoint <file>] [--resume] [--dry-run] [--json]
                                         migrate existing rows: encrypt, decrypt, rekey, rotate,
                                         verify or index; the config file exports your Prisma client
                                         extended with vault(). Exit 0 done, 2 some values need
                                         attention, 1 error, 130/143 stopped by SIGINT/SIGTERM
                                         (resumable); prisma-vault migrate --help says more
  reseal-objects --config <file> [--json]
                                         bind every Vault object value written by 0.2 to its
                                         name (once, after upgrading); exit 0 done, 2 some
                                         versions open neither way, 1 error
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
  help                                   show this text

As a Prisma generator (run by \`prisma generate\`, which sets PRISMA_GENERATOR_INVOCATION=true):
  generator vault { provider = "prisma-vault"  output = "./generated/vault" }
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "migrate":
      return migrateCommand(rest);
    case "keygen":
      return keygen(rest);
    case "reseal-objects":
      return resealObjectsCommand(rest);
    case "key-server":
      return keyServer(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`prisma-vault: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

function keygen(args: readonly string[]): number {
  const { values } = parseArgs({ args: [...args], options: { id: { type: "string", default: "k1" } } });
  const id = values.id ?? "k1";
  const key = LocalKeyProvider.generateKey();
  new LocalKeyProvider({ keys: [{ id, key }] }); // validates the id
  process.stdout.write(`${id}:${key}\n`);
  return 0;
}

async function keyServer(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      port: { type: "string", default: "8787" },
      host: { type: "string", default: "127.0.0.1" },
      token: { type: "string" },
      faults: { type: "boolean", default: false },
      config: { type: "string" },
      "idempotency-ttl-ms": { type: "string" },
      "idempotency-keys": { type: "string" },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new VaultConfigError("--port must be 0-65535");
  // Checked (whole numbers in range) by startKeyServer, before it binds, which names the option.
  const ttl = values["idempotency-ttl-ms"];
  const kept = values["idempotency-keys"];
  const served = values.config === undefined ? undefined : await servedBy(values.config);
  const server = await startKeyServer({
    port,
    host: values.host,
    ...(values.token !== undefined && { token: values.token }),
    faults: values.faults === true,
    ...(ttl !== undefined && { idempotencyTtlMs: wholeNumber(ttl) }),
    ...(kept !== undefined && { idempotencyKeys: wholeNumber(kept) }),
    ...(served && { provider: served.provider }),
    ...(served?.objects && { objects: served.objects }),
  });
  const faults = values.faults === true ? "; fault injection on: POST /_faults" : "";
  const objects =
    served === undefined
      ? ""
      : served.objects
        ? "; Vault objects on: /vault/v1/kv"
        : "; Vault objects off: the config's client was made without vault({ objects: true })";
  process.stdout.write(
    `prisma-vault key server listening on ${server.url} (development only, not a KMS${faults}${objects})\n`,
  );
  if (values.faults === true && !(values.token ?? process.env[KEY_SERVER_TOKEN_ENV]))
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

/** A flag's digits as a number; anything else NaN, which the option's check refuses. */
function wholeNumber(text: string): number {
  return /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
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
    provider: handleOf(client).cipher.keys.provider,
    objects,
    disconnect: async () => client.$disconnect?.(),
  };
}

// Prisma runs generators with this variable set; the same bin then speaks the generator protocol.
const run =
  process.env["PRISMA_GENERATOR_INVOCATION"] === "true"
    ? runGenerator().then(() => 0)
    : main(process.argv.slice(2));
run.then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const code = isVaultError(error) ? `${error.code}: ` : "";
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`prisma-vault: ${code}${message}\n`);
    // At once: a request the error left behind (a key service that never answers, a socket kept
    // alive) must not hold the process open. stderr and stdout are synchronous on Linux and macOS.
    process.exit(1);
  },
);

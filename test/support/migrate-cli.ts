/**
 * Test rig for `prisma-vault migrate` as a real child process: `node --import tsx src/cli/main.ts`
 * (one process, so a signal or a kill -9 reaches the CLI itself, not a wrapper), config files
 * written the way a user writes theirs, and SQLite files seeded with plaintext accounts, copied per
 * test and read back through a plain or a vault-extended client.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { vault } from "../../src/prisma/extension.js";
import type { GeneratedVaultSchema } from "../../src/schema/datamodel.js";
import { PrismaClient } from "../generated/sqlite/client/client.js";
import { afterAll, beforeAll } from "vitest";
import { openDatabase, type TestDatabase } from "./databases.js";
import { registerSecrets } from "./secrets.js";

const require = createRequire(import.meta.url);
const cli = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const tsxLoader = pathToFileURL(join(require.resolve("tsx/package.json"), "../dist/loader.mjs")).href;
const repo = (path: string) => new URL(`../../${path}`, import.meta.url).href;
const fileUrl = (name: string) => pathToFileURL(require.resolve(name)).href;

/** The master key and index secret of the rig's configs, passed to the CLI through its environment. */
export const masterKey = randomBytes(32).toString("base64");
export const indexSecret = randomBytes(32);
registerSecrets(Buffer.from(masterKey, "base64"), indexSecret);

const imports = `import { PrismaBetterSqlite3 } from "${fileUrl("@prisma/adapter-better-sqlite3")}";
import { PrismaClient } from "${repo("test/generated/sqlite/client/client.ts")}";
import { vaultSchema } from "${repo("test/generated/sqlite/vault/index.js")}";
import { LocalKeyProvider, vault } from "${repo("src/index.ts")}";
`;
const sqlite = "new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: process.env.DATABASE_URL }) })";

/**
 * Writes the config files into `dir`: `vault.config.ts` (a function returning the client, through
 * tsx), `vault.config.mjs` (the local key ring from PRISMA_VAULT_KEYS), `workos.config.mjs` (the
 * WorkOS SDK against the key server on PRISMA_VAULT_TEST_KEY_PORT, its timeout from
 * PRISMA_VAULT_TEST_TIMEOUT_MS), `marker.config.mjs` (creates
 * the file `loaded` when it is imported, so a test can tell whether the config was loaded) and
 * `not-a-client.mjs`.
 */
export function writeConfigs(dir: string): void {
  const local = `${sqlite}.$extends(vault({ keys: LocalKeyProvider.fromEnv(), schema: vaultSchema }))`;
  writeFileSync(join(dir, "vault.config.ts"), `${imports}\nexport default async () =>\n  ${local};\n`);
  writeFileSync(join(dir, "vault.config.mjs"), `${imports}\nexport const prisma = ${local};\n`);
  writeFileSync(
    join(dir, "workos.config.mjs"),
    `${imports}import { WorkOS } from "${fileUrl("@workos-inc/node")}";
import { WorkOSKeyProvider } from "${repo("src/keys/workos.ts")}";
const workos = new WorkOS("${TOKEN}", { apiHostname: "127.0.0.1", port: Number(process.env.PRISMA_VAULT_TEST_KEY_PORT), https: false });
const timeoutMs = Number(process.env.PRISMA_VAULT_TEST_TIMEOUT_MS ?? 10000);
export default ${sqlite}.$extends(vault({ keys: new WorkOSKeyProvider({ workos }), schema: vaultSchema, timeoutMs }));
`,
  );
  writeFileSync(
    join(dir, "marker.config.mjs"),
    `import { writeFileSync } from "node:fs";\nwriteFileSync("loaded", "");\n${imports}\nexport const prisma = ${local};\n`,
  );
  writeFileSync(join(dir, "not-a-client.mjs"), "export default { hello: 'world' };\n");
}

/**
 * Writes `objects.config.mjs` into `dir`: the local ring's client made with `vault({ objects: true })`,
 * for `prisma-vault key-server --config`.
 */
export function writeObjectsConfig(dir: string): void {
  const client = `${sqlite}.$extends(vault({ keys: LocalKeyProvider.fromEnv(), schema: vaultSchema, objects: true }))`;
  writeFileSync(join(dir, "objects.config.mjs"), `${imports}\nexport const prisma = ${client};\n`);
}

/** What {@link useCliRig} gives a suite, set in its beforeAll. */
export interface CliRig {
  /** The working directory, holding the config files. */
  readonly dir: () => string;
  /** The SQLite database the configs' copies come from. */
  readonly db: () => TestDatabase;
}

/**
 * Registers a CLI suite's set-up: a temporary working directory with the config files (and
 * `objects.config.mjs`), a SQLite database seeded with `rows` plaintext accounts over `tenants`, both
 * removed after the suite.
 */
export function useCliRig(name: string, rows = 0, tenants = 5): CliRig {
  let dir: string | undefined;
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `prisma-vault-cli-${name}-`));
    writeConfigs(dir);
    writeObjectsConfig(dir);
    const opened = await openDatabase("sqlite");
    if ("skip" in opened) throw new Error(opened.skip);
    db = opened;
    if (rows > 0) await seedPlaintext(db, rows, tenants);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return { dir: () => dir as string, db: () => db as TestDatabase };
}

/** The bearer token of workos.config.mjs. */
export const TOKEN = "sk_test_migrate_cli";

export interface CliOptions {
  /** The working directory (config files, default checkpoints). */
  readonly cwd: string;
  /** The SQLite file the config's client opens. */
  readonly database?: string;
  readonly env?: Readonly<Record<string, string>>;
}

function environment(options: CliOptions): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(options.database && { DATABASE_URL: `file:${options.database}` }),
    PRISMA_VAULT_KEYS: `k1:${masterKey}`,
    PRISMA_VAULT_INDEX_KEY: indexSecret.toString("base64"),
    ...options.env,
  };
}

/** Runs `prisma-vault ...args` to its end. */
export function runCli(args: readonly string[], options: CliOptions) {
  return spawnSync(process.execPath, ["--import", tsxLoader, cli, ...args], {
    encoding: "utf8",
    cwd: options.cwd,
    env: environment(options),
  });
}

/**
 * Runs `prisma-vault ...args` to its end without blocking this process's event loop: the form to use
 * when the CLI talks to a server running in the test (spawnSync would stall the server, and the CLI's
 * key requests would time out).
 */
export async function runCliAsync(args: readonly string[], options: CliOptions) {
  const run = startCli(args, options);
  const { code } = await run.exited;
  return { status: code, stdout: run.stdout(), stderr: run.stderr() };
}

/** A running `prisma-vault` process, its output so far, and its exit. */
export interface RunningCli {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `prisma-vault ...args` without waiting for it. */
export function startCli(args: readonly string[], options: CliOptions): RunningCli {
  const child = spawn(process.execPath, ["--import", tsxLoader, cli, ...args], {
    cwd: options.cwd,
    env: environment(options),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Polls `condition` every 10 ms until it holds; fails after `timeoutMs`, with `what` in the message. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Whether the checkpoint at `path` records a committed batch of `model` (the engine creates the file
 * when the run starts, and records each committed batch's last key in it).
 */
export function checkpointAdvanced(path: string, model: string): boolean {
  if (!existsSync(path)) return false;
  try {
    const file = JSON.parse(readFileSync(path, "utf8")) as { progress?: Record<string, { after?: unknown }> };
    return (file.progress?.[model]?.after ?? null) !== null;
  } catch {
    return false; // between the engine's write and rename nothing is torn, but be lenient anyway
  }
}

/** A plaintext account of the seed, by number. */
export function plainAccount(i: number, tenants: number) {
  return {
    organizationId: `org_${i % tenants}`,
    name: String(i),
    email: `user${i}@example.com`,
    phone: i % 4 === 0 ? null : `+1 555 ${String(i).padStart(7, "0")}`,
    handle: i % 5 === 0 ? "" : `@user-${i}-é`,
  };
}

/** Fills `db` with `count` plaintext accounts over `tenants` organizations: a table before `encrypt`. */
export async function seedPlaintext(db: TestDatabase, count: number, tenants = 5): Promise<void> {
  await db.plain.organization.createMany({
    data: Array.from({ length: tenants }, (_, i) => ({ id: `org_${i}`, name: `org ${i}` })),
  });
  const rows = Array.from({ length: count }, (_, i) => plainAccount(i, tenants));
  for (let i = 0; i < rows.length; i += 1000) {
    await db.plain.account.createMany({ data: rows.slice(i, i + 1000) });
  }
}

/** A copy of `db` in a new file of `dir`, for one test. */
export async function copyDatabase(db: TestDatabase, dir: string, name: string): Promise<string> {
  const file = join(dir, `${name}.db`);
  await db.plain.$executeRawUnsafe(`VACUUM INTO '${file}'`);
  return file;
}

/** A plain client (no extension) on the SQLite `file`; the caller disconnects it. */
export function sqliteClient(file: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
}

/** The accounts of the SQLite `file` as stored, by id. */
export async function storedAccounts(file: string) {
  const prisma = sqliteClient(file);
  try {
    return await prisma.account.findMany({ orderBy: { id: "asc" } });
  } finally {
    await prisma.$disconnect();
  }
}

/** The accounts of the SQLite `file` read through vault() with the rig's keys: decrypted. */
export async function decryptedAccounts(file: string, schema: GeneratedVaultSchema) {
  const plain = sqliteClient(file);
  const keys = new LocalKeyProvider({ keys: [{ id: "k1", key: masterKey }] });
  try {
    return await plain
      .$extends(vault({ keys, schema, indexSecret }))
      .account.findMany({ orderBy: { id: "asc" } });
  } finally {
    await plain.$disconnect();
  }
}

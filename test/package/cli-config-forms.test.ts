/**
 * `prisma-vault migrate` from the packed package, as a user runs it (`node_modules/.bin/prisma-vault`,
 * a child process), with each supported config form: `.ts` in an ESM project, `.ts` in a CommonJS
 * project (tsx compiles it to CJS, which loads the package's `index.cjs`: a second copy of every
 * class), `.mjs` and `.cjs`. Over a database holding a value of another tenant, a tampered value and a
 * leftover plaintext, every mode gives the report `migrate()` gives from code, the exit code that
 * report calls for, and never overwrites a value it could not open.
 *
 * Before the fix, the `.ts` config loaded through tsx's scoped import (a second module graph), the
 * CLI tested the config copy's outcomes with its own classes, and `decrypt` wrote failure objects over
 * the ciphertexts it could not open, reporting 0 failed and exiting 0.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { migrate } from "../../src/migrate/migrate.js";
import type { MigrationMode } from "../../src/migrate/migration-mode.js";
import { needsAttention, type MigrationReport } from "../../src/migrate/report.js";
import { vault } from "../../src/prisma/extension.js";
import type { GeneratedVaultSchema } from "../../src/schema/datamodel.js";
import { openDatabase, type TestDatabase } from "../support/databases.js";
import { copyDatabase, sqliteClient } from "../support/migrate-cli.js";
import { makeApp, packPackage, type AppFormat } from "../support/packed-app.js";
import { registerSecrets } from "../support/secrets.js";

const masterKey = randomBytes(32);
const indexSecret = randomBytes(32);
registerSecrets(masterKey, indexSecret);

const MODES: readonly MigrationMode[] = ["verify", "decrypt", "rotate", "encrypt", "rekey", "index"];

/** The config forms the README documents, each exporting the client as a user writes it. */
const FORMS: readonly { readonly form: string; readonly app: AppFormat; readonly file: string }[] = [
  { form: ".ts in an ESM project", app: "esm", file: "vault.config.ts" },
  { form: ".ts in a CommonJS project", app: "cjs", file: "vault.config.ts" },
  { form: ".mjs", app: "esm", file: "vault.config.mjs" },
  { form: ".cjs", app: "esm", file: "vault.config.cjs" },
];

const TS_CONFIG = `import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { LocalKeyProvider, vault } from "prisma-vault";
import { PrismaClient } from "./generated/prisma/client";
import { vaultSchema } from "./generated/vault";

const adapter = new PrismaBetterSqlite3({ url: process.env.DATABASE_URL! });
export default new PrismaClient({ adapter }).$extends(
  vault({ keys: LocalKeyProvider.fromEnv(), schema: vaultSchema }),
);
`;
const MJS_CONFIG = `import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { LocalKeyProvider, vault } from "prisma-vault";
import { PrismaClient } from "./generated/prisma/client.ts";
import { vaultSchema } from "./generated/vault/index.js";

const adapter = new PrismaBetterSqlite3({ url: process.env.DATABASE_URL });
export const prisma = new PrismaClient({ adapter }).$extends(
  vault({ keys: LocalKeyProvider.fromEnv(), schema: vaultSchema }),
);
`;
const CJS_CONFIG = `const { PrismaBetterSqlite3 } = require("@prisma/adapter-better-sqlite3");
const { LocalKeyProvider, vault } = require("prisma-vault");
const { PrismaClient } = require("./generated/prisma/client.ts");
const { vaultSchema } = require("./generated/vault/index.cjs");

module.exports = async () => {
  const adapter = new PrismaBetterSqlite3({ url: process.env.DATABASE_URL });
  return new PrismaClient({ adapter }).$extends(vault({ keys: LocalKeyProvider.fromEnv(), schema: vaultSchema }));
};
`;

/** Cells of the seeded database that do not open, as `Model.field#id`, with what they hold. */
type Cells = Map<string, unknown>;

let dir = "";
let apps: Record<AppFormat, string>;
let seeded: TestDatabase;
let schema: GeneratedVaultSchema;
let unopenable: Cells;
let copies = 0;
const apiReports = new Map<MigrationMode, MigrationReport>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "prisma-vault-cli-forms-"));
  const tarball = await packPackage(dir);
  const [esm, cjs] = await Promise.all([
    makeApp(join(dir, "esm"), "esm", tarball),
    makeApp(join(dir, "cjs"), "cjs", tarball),
  ]);
  apps = { esm, cjs };
  await Promise.all([
    writeFile(join(esm, "vault.config.ts"), TS_CONFIG),
    writeFile(join(cjs, "vault.config.ts"), TS_CONFIG),
    writeFile(join(esm, "vault.config.mjs"), MJS_CONFIG),
    writeFile(join(esm, "vault.config.cjs"), CJS_CONFIG),
  ]);
  const opened = await openDatabase("sqlite");
  if ("skip" in opened) throw new Error(opened.skip);
  seeded = opened;
  ({ vaultSchema: schema } = await import("../generated/sqlite/vault/index.js"));
  unopenable = await seedFailingValues(seeded);
  for (const mode of MODES) apiReports.set(mode, await apiReport(mode));
}, 240_000);

afterAll(async () => {
  await seeded?.close();
  if (dir !== "") await rm(dir, { recursive: true, force: true });
});

describe.each(FORMS)("prisma-vault migrate --config with $form", ({ app, file }) => {
  it.each(MODES)(
    "%s gives migrate()'s report and exit code, and overwrites no value it cannot open",
    async (mode) => {
      const database = await copyDatabase(seeded, dir, `cli-${copies++}`);
      const result = await cli(apps[app], ["migrate", mode, "--config", file, "--json"], database);
      const api = apiReports.get(mode) as MigrationReport;
      expect(result.stderr).not.toMatch(/prisma-vault: /); // no error line
      expect(comparable(JSON.parse(result.stdout) as MigrationReport)).toEqual(comparable(api));
      expect(result.status).toBe(needsAttention(api) ? 2 : 0);
      if (mode === "verify" || mode === "decrypt" || mode === "rotate") expect(result.status).toBe(2);
      expect(await cellsOf(database, unopenable)).toEqual(unopenable);
      expect(`${result.stdout}${result.stderr}`).not.toContain(PLAINTEXT_SSN);
    },
  );
});

const PLAINTEXT_SSN = "leftover-444-00-4444";

/**
 * Writes users and accounts of two tenants through vault(), then, as an attacker or an old app would:
 * a user's `ssn` and an account's `email` (blind-indexed) set to the other tenant's envelope, another
 * pair tampered (one ciphertext bit flipped), and one user's `ssn` left plaintext. Returns the
 * foreign and tampered cells with what they hold.
 */
async function seedFailingValues(db: TestDatabase): Promise<Cells> {
  const prisma = db.plain.$extends(vault({ keys: ring(), schema, indexSecret }));
  await db.plain.organization.createMany({
    data: [
      { id: "org_a", name: "a" },
      { id: "org_b", name: "b" },
    ],
  });
  const orgs = ["org_a", "org_b", "org_a", "org_a"];
  for (const [i, organizationId] of orgs.entries()) {
    const ssn = `ssn-${i}-${randomBytes(4).toString("hex")}`;
    const email = `person${i}@x.io`;
    registerSecrets(ssn, email);
    await prisma.user.create({ data: { id: i + 1, organizationId, email, ssn } });
    await prisma.account.create({ data: { id: i + 1, organizationId, email } });
  }
  const users = await db.raw<{ id: number; ssn: string }>("User");
  const accounts = await db.raw<{ id: number; email: string }>("Account");
  const foreignSsn = users[1]?.ssn as string; // org_b's
  const foreignEmail = accounts[1]?.email as string;
  const cells: Cells = new Map();
  const set = async (model: "User" | "Account", field: string, id: number, value: string) => {
    await db.plain.$executeRawUnsafe(`UPDATE "${model}" SET "${field}" = ? WHERE "id" = ?`, value, id);
    cells.set(`${model}.${field}#${id}`, value);
  };
  await set("User", "ssn", 1, foreignSsn);
  await set("User", "ssn", 3, tampered(users[2]?.ssn as string));
  await set("Account", "email", 1, foreignEmail);
  await set("Account", "email", 3, tampered(accounts[2]?.email as string));
  await db.plain.$executeRawUnsafe(`UPDATE "User" SET "ssn" = ? WHERE "id" = 4`, PLAINTEXT_SSN);
  return cells;
}

/** The envelope with the last bit of its ciphertext flipped: it parses, and fails authentication. */
function tampered(envelope: string): string {
  const bytes = Buffer.from(envelope, "base64");
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
  return bytes.toString("base64");
}

/** What `migrate()` reports from code, with the same keys, on a copy of the seeded database. */
async function apiReport(mode: MigrationMode): Promise<MigrationReport> {
  const database = await copyDatabase(seeded, dir, `api-${copies++}`);
  const plain = sqliteClient(database);
  try {
    return await migrate(plain.$extends(vault({ keys: ring(), schema, indexSecret })), { mode });
  } finally {
    await plain.$disconnect();
  }
}

/** The current values of `cells` in the SQLite file `database`. */
async function cellsOf(database: string, cells: Cells): Promise<Cells> {
  const prisma = sqliteClient(database);
  try {
    const now: Cells = new Map();
    for (const cell of cells.keys()) {
      const [, model, field, id] = /^(\w+)\.(\w+)#(\d+)$/.exec(cell) as RegExpExecArray;
      const rows = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(
        `SELECT "${field}" AS value FROM "${model}" WHERE "id" = ?`,
        Number(id),
      );
      now.set(cell, rows[0]?.["value"]);
    }
    return now;
  } finally {
    await prisma.$disconnect();
  }
}

/** A report without what differs from run to run (durations, the checkpoint's path). */
function comparable(report: MigrationReport): unknown {
  const varying = new Set(["durationMs", "checkpoint"]);
  return JSON.parse(JSON.stringify(report, (key, value: unknown) => (varying.has(key) ? undefined : value)));
}

function ring(): LocalKeyProvider {
  return new LocalKeyProvider({ keys: [{ id: "k1", key: masterKey }] });
}

/** Runs the app's `prisma-vault` bin, as `npx prisma-vault …` does, with the keys in its environment. */
function cli(cwd: string, args: readonly string[], database: string) {
  const child = spawn(join(cwd, "node_modules/.bin/prisma-vault"), args, {
    cwd,
    env: {
      ...process.env,
      DATABASE_URL: `file:${database}`,
      PRISMA_VAULT_KEYS: `k1:${masterKey.toString("base64")}`,
      PRISMA_VAULT_INDEX_KEY: indexSecret.toString("base64"),
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once("close", (status) => resolve({ status, stdout, stderr })),
  );
}

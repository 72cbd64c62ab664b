/**
 * `prisma-vault migrate index` as a process, against a SQLite file, with config files written to a
 * temporary folder the way a user writes theirs: the app's client extended with vault(), keys and
 * index secret from the environment.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlindIndex } from "../../src/crypto/blind-index.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { vault } from "../../src/prisma/extension.js";
import type { GeneratedVaultSchema } from "../../src/schema/datamodel.js";
import { PrismaClient } from "../generated/sqlite/client/client.js";
import { openDatabase, type TestDatabase } from "../support/databases.js";

const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
const cli = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const repo = (path: string) => new URL(`../../${path}`, import.meta.url).href;
const adapter = pathToFileURL(createRequire(import.meta.url).resolve("@prisma/adapter-better-sqlite3")).href;

const masterKey = randomBytes(32).toString("base64");
const indexSecret = randomBytes(32);
const emailIndex = new BlindIndex(indexSecret, { model: "Account", field: "email", normalize: "email" });

/** The body of a config file: the user's Prisma client, extended with vault() from the environment. */
const client = `new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: process.env.DATABASE_URL }) }).$extends(
  vault({ keys: LocalKeyProvider.fromEnv(), schema: vaultSchema }),
)`;
const imports = `import { PrismaBetterSqlite3 } from "${adapter}";
import { PrismaClient } from "${repo("test/generated/sqlite/client/client.ts")}";
import { vaultSchema } from "${repo("test/generated/sqlite/vault/index.js")}";
import { LocalKeyProvider, vault } from "${repo("src/index.ts")}";
`;

describe("prisma-vault migrate", () => {
  let dir: string;
  let db: TestDatabase;
  let seeded = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "prisma-vault-cli-"));
    const opened = await openDatabase("sqlite");
    if ("skip" in opened) throw new Error(opened.skip);
    db = opened;
    const { vaultSchema: schema } = (await import("../generated/sqlite/vault/index.js")) as {
      vaultSchema: GeneratedVaultSchema;
    };
    const keys = new LocalKeyProvider({ keys: [{ id: "k1", key: masterKey }] });
    await db.plain.organization.createMany({
      data: [
        { id: "org_a", name: "a" },
        { id: "org_b", name: "b" },
      ],
    });
    await db.plain.$extends(vault({ keys, schema, indexSecret })).account.createMany({
      data: [
        { organizationId: "org_a", name: "a1", email: "a1@x.io", phone: "+1 555 0100" },
        { organizationId: "org_a", name: "a2", email: "a2@x.io" },
        { organizationId: "org_b", name: "b1", email: "b1@x.io", handle: "b" },
      ],
    });
    await db.plain.account.updateMany({ data: { emailIndex: null, phoneIndex: null, handleIndex: null } });
    writeFileSync(join(dir, "vault.config.ts"), `${imports}\nexport default async () =>\n  ${client};\n`);
    writeFileSync(join(dir, "vault.config.mjs"), `${imports}\nexport const prisma = ${client};\n`);
    writeFileSync(join(dir, "not-a-client.mjs"), "export default { hello: 'world' };\n");
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of the seeded database for one test, in a file the CLI can open. */
  const copy = async () => {
    const file = join(dir, `copy-${seeded++}.db`);
    await db.plain.$executeRawUnsafe(`VACUUM INTO '${file}'`);
    return file;
  };
  const runCli = (args: readonly string[], file?: string) =>
    spawnSync(tsx, [cli, "migrate", ...args], {
      encoding: "utf8",
      cwd: dir,
      env: {
        ...process.env,
        ...(file && { DATABASE_URL: `file:${file}` }),
        PRISMA_VAULT_KEYS: `k1:${masterKey}`,
        PRISMA_VAULT_INDEX_KEY: indexSecret.toString("base64"),
      },
    });
  const accounts = async (file: string) => {
    const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
    try {
      return await prisma.account.findMany({ orderBy: { id: "asc" } });
    } finally {
      await prisma.$disconnect();
    }
  };

  it("index with a TypeScript config fills the indexes, prints the summary and exits 0", async () => {
    const file = await copy();
    const result = runCli(["index", "--config", "vault.config.ts", "--batch-size", "2"], file);
    expect(result.stderr).toMatch(/^Account: 3 rows scanned, 3 updated in [\d.]+ s\n$/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^model\s+scanned\s+updated\s+skipped\s+conflicts\s+failed\n/);
    expect(result.stdout).toMatch(/\nAccount\s+3\s+3\s+0\s+0\s+0\n/);
    expect(result.stdout).toMatch(/\ndone in [\d.]+ s\n$/);
    const rows = await accounts(file);
    expect(rows.map((row) => row.emailIndex)).toEqual(
      ["a1@x.io", "a2@x.io", "b1@x.io"].map((e) => emailIndex.compute(e)),
    );
    expect(rows.map((row) => row.handleIndex === null)).toEqual([true, true, false]);
  });

  it("--dry-run writes nothing and says so", async () => {
    const file = await copy();
    const result = runCli(
      ["index", "--config", "vault.config.mjs", "--dry-run", "--models", "Account"],
      file,
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/\nAccount\s+3\s+3\s+0\s+0\s+0\n/);
    expect(result.stdout).toMatch(/\ndry run in [\d.]+ s: nothing was written\n$/);
    expect((await accounts(file)).every((row) => row.emailIndex === null)).toBe(true);
  });

  it("a value that does not decrypt is listed by model, field and id, and exits 2", async () => {
    const file = await copy();
    const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
    const [a1, , b1] = await prisma.account.findMany({ orderBy: { id: "asc" } });
    await prisma.account.update({ where: { id: a1!.id }, data: { email: b1!.email } });
    await prisma.$disconnect();
    const result = runCli(["index", "--config", "vault.config.mjs"], file);
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/\nAccount\s+3\s+3\s+0\s+0\s+1\n/);
    expect(result.stdout).toContain(`failed: Account.email (id ${a1!.id}): VAULT_DECRYPT_FAILED\n`);
    expect(result.stdout).not.toContain(b1!.email);
  });

  it("without --config: exit 1 with VAULT_CONFIG and no stack", () => {
    const result = runCli(["index"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^prisma-vault: VAULT_CONFIG: migrate needs --config <file>/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses a mode of a later release, a bad --batch-size and a config without a client", () => {
    const later = runCli(["rekey", "--config", "vault.config.ts"]);
    expect(later.status).toBe(1);
    expect(later.stderr).toMatch(/^prisma-vault: VAULT_CONFIG: options\.mode "rekey" is not available/);
    const batch = runCli(["index", "--config", "vault.config.ts", "--batch-size", "0"]);
    expect(batch.stderr).toMatch(
      /^prisma-vault: VAULT_CONFIG: --batch-size must be an integer from 1 to 10000/,
    );
    const missing = runCli(["index", "--config", "nope.config.ts"]);
    expect(missing.stderr).toMatch(
      /^prisma-vault: VAULT_CONFIG: the config file nope\.config\.ts does not exist/,
    );
    const wrong = runCli(["index", "--config", "not-a-client.mjs"]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(
      /^prisma-vault: VAULT_CONFIG: not-a-client\.mjs must export a Prisma client/,
    );
    for (const result of [later, batch, missing, wrong]) expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

/**
 * `npm run bench`: what prisma-vault costs on the per-row path, as ratios against plain Prisma measured
 * in the same run, on SQLite (test/generated/sqlite). Account has three encrypted fields with blind
 * indexes (email global, phone per tenant, handle exact); PlainAccount is the same table in plaintext.
 *
 *   npm run bench [-- --rows 10000 --rounds 5] [--large]
 *
 * The migration cases (bench/migrations.ts) run first, so the peak RSS they report is theirs:
 * encrypt and rotate on SQLite and PostgreSQL at 20,000 rows, and at 200,000 too with --large.
 *
 * Each case runs `rounds` times after one warm-up; the table shows medians. Wall-clock figures on a
 * shared machine are noisy: compare ratios, and rerun before drawing conclusions.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { alignedTable } from "../src/cli/summary.js";
import { LocalKeyProvider, vault } from "../src/index.js";
import { PrismaClient } from "../test/generated/sqlite/client/client.js";
import { vaultSchema } from "../test/generated/sqlite/vault/index.js";
import { benchMigrations } from "./migrations.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "10000" },
    rounds: { type: "string", default: "5" },
    large: { type: "boolean", default: false },
  },
});
const ROWS = Number(values.rows);
const ROUNDS = Number(values.rounds);
const ORGS = Array.from({ length: 10 }, (_, i) => `org_${i}`);

const dir = mkdtempSync(join(tmpdir(), "prisma-vault-bench-"));
const base = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${join(dir, "bench.db")}` }) });
const keys = new LocalKeyProvider({ keys: [{ id: "bench", key: LocalKeyProvider.generateKey() }] });
const prisma = base.$extends(vault({ keys, schema: vaultSchema, indexSecret: randomBytes(32) }));

const row = (i: number) => ({
  organizationId: ORGS[i % ORGS.length] as string,
  name: `n${i}`,
  email: `user${i}@example.com`,
  phone: `+1555${String(i).padStart(7, "0")}`,
  handle: `h${i}`,
});
const rows = Array.from({ length: ROWS }, (_, i) => row(i));
const some = (count: number) => Array.from({ length: count }, (_, i) => (i * 7919) % ROWS);

interface Case {
  readonly name: string;
  readonly plain: () => Promise<unknown>;
  readonly vault: () => Promise<unknown>;
  /** Runs before each round of both sides (e.g. emptying the table a create fills). */
  readonly reset?: () => Promise<void>;
}

const cases: Case[] = [
  {
    name: `createMany ${ROWS} rows (3 encrypted + 3 indexed)`,
    reset: async () => {
      await base.$executeRawUnsafe(`DELETE FROM "Account"`);
      await base.$executeRawUnsafe(`DELETE FROM "PlainAccount"`);
    },
    plain: () => base.plainAccount.createMany({ data: rows }),
    vault: () => prisma.account.createMany({ data: rows }),
  },
  {
    name: `findMany ${ROWS} rows`,
    plain: () => base.plainAccount.findMany(),
    vault: () => prisma.account.findMany(),
  },
  {
    name: "500 × findFirst by email (log-in lookup)",
    plain: async () => {
      for (const i of some(500)) await base.plainAccount.findFirst({ where: { email: row(i).email } });
    },
    vault: async () => {
      for (const i of some(500)) await prisma.account.findFirst({ where: { email: row(i).email } });
    },
  },
  {
    name: "50 × findMany handle in 100 values",
    plain: async () => {
      for (let n = 0; n < 50; n++)
        await base.plainAccount.findMany({ where: { handle: { in: some(100).map((i) => `h${i + n}`) } } });
    },
    vault: async () => {
      for (let n = 0; n < 50; n++)
        await prisma.account.findMany({ where: { handle: { in: some(100).map((i) => `h${i + n}`) } } });
    },
  },
  {
    name: "200 × findFirst by tenant + phone (tenant-scoped index)",
    plain: async () => {
      for (const i of some(200)) {
        const { organizationId, phone } = row(i);
        await base.plainAccount.findFirst({ where: { organizationId, phone } });
      }
    },
    vault: async () => {
      for (const i of some(200)) {
        const { organizationId, phone } = row(i);
        await prisma.account.findFirst({ where: { organizationId, phone } });
      }
    },
  },
  {
    name: "200 × update by id, context given (seal + index)",
    plain: async () => {
      for (const i of some(200)) {
        const { organizationId } = row(i);
        await base.plainAccount.updateMany({
          where: { name: `n${i}` },
          data: { organizationId, handle: `u${i}` },
        });
      }
    },
    vault: async () => {
      for (const i of some(200)) {
        const { organizationId } = row(i);
        await prisma.account.updateMany({
          where: { name: `n${i}`, organizationId },
          data: { handle: `u${i}` },
        });
      }
    },
  },
];

await benchMigrations({ large: values.large === true });

try {
  await createTables();
  console.log(
    `prisma-vault bench: SQLite, ${ROWS} rows over ${ORGS.length} tenants, median of ${ROUNDS} rounds`,
  );
  const table: string[][] = [["case", "plain", "prisma-vault", "ratio"]];
  for (const c of cases) {
    const plain = await measure(c.plain, c.reset);
    const sealed = await measure(c.vault, c.reset);
    table.push([c.name, ms(plain), ms(sealed), `${(sealed / plain).toFixed(2)}×`]);
    // The read cases need data in both tables.
    if (c.reset) {
      await c.reset();
      await c.plain();
      await c.vault();
    }
  }
  for (const line of alignedTable(table)) console.log(line);
  const stats = prisma.$vault.stats();
  console.log(
    `key provider calls: ${stats.provider.createDataKey} createDataKey, ${stats.provider.decryptDataKey} decryptDataKey`,
  );
} finally {
  await base.$disconnect();
  rmSync(dir, { recursive: true, force: true });
}

async function measure(run: () => Promise<unknown>, reset?: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    await reset?.();
    const started = performance.now();
    await run();
    if (round > 0) times.push(performance.now() - started); // round 0 warms up
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
}

/** Account and PlainAccount as in test/support/databases.ts (no migrations offline). */
async function createTables(): Promise<void> {
  await base.$executeRawUnsafe(`CREATE TABLE "Organization" ("id" TEXT PRIMARY KEY, "name" TEXT NOT NULL)`);
  await base.$executeRawUnsafe(
    `CREATE TABLE "Account" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "organizationId" TEXT NOT NULL,
      "name" TEXT, "email" TEXT NOT NULL, "emailIndex" TEXT UNIQUE, "phone" TEXT, "phoneIndex" TEXT,
      "handle" TEXT, "handleIndex" TEXT)`,
  );
  await base.$executeRawUnsafe(
    `CREATE TABLE "PlainAccount" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "organizationId" TEXT NOT NULL,
      "name" TEXT, "email" TEXT NOT NULL UNIQUE, "phone" TEXT, "handle" TEXT)`,
  );
  // The lookups a real schema would index: the blind-index columns and their plaintext twins.
  for (const [table, column] of [
    ["Account", "phoneIndex"],
    ["Account", "handleIndex"],
    ["Account", "name"],
    ["PlainAccount", "phone"],
    ["PlainAccount", "handle"],
    ["PlainAccount", "name"],
  ]) {
    await base.$executeRawUnsafe(`CREATE INDEX "${table}_${column}" ON "${table}" ("${column}")`);
  }
  await base.organization.createMany({ data: ORGS.map((id) => ({ id, name: id })) });
}

/**
 * `npm run bench`: what prisma-vault costs on the per-row path, as ratios against plain Prisma measured
 * in the same run, on SQLite (test/generated/sqlite, Prisma 7). Account has three encrypted fields with
 * blind indexes (email global, phone per tenant, handle exact); PlainAccount is the same table in
 * plaintext. User (3 encrypted fields) and Post (1) serve the nested-include case, where plain Prisma
 * reads the same rows with their envelopes as text.
 *
 *   npm run bench [-- --rows 10000 --rounds 5] [--large] [--smoke] [--aead auto|node|native]
 *
 * The migration cases (bench/migrations.ts) run first, so the peak RSS they report is theirs:
 * encrypt and rotate on SQLite and PostgreSQL at 20,000 rows, and at 200,000 too with --large.
 * The Prisma 8 cases (bench/prisma8.ts) run last, at the same rows and rounds: findMany and createMany
 * on PostgreSQL through Prisma 8 plain, Prisma 8 with vaultMiddleware and Prisma 7 with vault(); they
 * are skipped, said so, where Prisma 8 cannot run (Node < 22.18, compat/prisma8 not installed).
 * --smoke runs everything at tiny sizes, only to prove the suite runs.
 *
 * Each case runs `rounds` times after one warm-up, plain and prisma-vault interleaved; the table shows
 * medians, the ratio to plain, prisma-vault's overhead per encrypted value in µs and as a multiple of
 * the raw node:crypto floor for the same values (bench/floor.ts), and its key-provider calls per round.
 * Results are also written to bench/results.json. Wall-clock figures on a shared machine are noisy:
 * compare ratios, and rerun before drawing conclusions.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { alignedTable } from "../src/cli/summary.js";
import { LocalKeyProvider, vault } from "../src/index.js";
import { PrismaClient } from "../test/generated/sqlite/client/client.js";
import { vaultSchema } from "../test/generated/sqlite/vault/index.js";
import { aeadFloor } from "./floor.js";
import { measureCalls, measurePair, ms, percentile, type Side } from "./measure.js";
import { benchMigrations } from "./migrations.js";
import { benchPrisma8 } from "./prisma8.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "10000" },
    rounds: { type: "string", default: "5" },
    large: { type: "boolean", default: false },
    smoke: { type: "boolean", default: false },
    aead: { type: "string", default: "auto" },
  },
});
const AEAD = values.aead as "auto" | "native" | "node";
const SMOKE = values.smoke === true;
const ROWS = SMOKE ? 200 : Number(values.rows);
const ROUNDS = SMOKE ? 1 : Number(values.rounds);
const USERS = SMOKE ? 20 : 1_000;
const POSTS_PER_USER = 10;
const LOOKUPS = SMOKE ? 50 : 1_000;
const TENANT_COUNTS = [1, 10, 1_000];
const ORGS = Array.from({ length: Math.max(...TENANT_COUNTS) }, (_, i) => `org_${i}`);

const migrations = await benchMigrations({ large: values.large === true, smoke: SMOKE });

const dir = mkdtempSync(join(tmpdir(), "prisma-vault-bench-"));
const url = `file:${join(dir, "bench.db")}`;
const newBase = () => new PrismaClient({ adapter: new PrismaBetterSqlite3({ url }) });
const base = newBase();
const keys = new LocalKeyProvider({ keys: [{ id: "bench", key: LocalKeyProvider.generateKey() }] });
const indexSecret = randomBytes(32);
const extend = (client: PrismaClient) =>
  client.$extends(vault({ keys, schema: vaultSchema, indexSecret, aead: AEAD }));
const prisma = extend(base);

const row = (i: number, tenants = 10) => ({
  organizationId: ORGS[i % tenants] as string,
  name: `n${i}`,
  email: `user${i}@example.com`,
  phone: `+1555${String(i).padStart(7, "0")}`,
  handle: `h${i}`,
});
const rows = Array.from({ length: ROWS }, (_, i) => row(i));
const some = (count: number) => Array.from({ length: count }, (_, i) => (i * 7919) % ROWS);

interface Case {
  readonly name: string;
  /** Encrypted values one round of the vault side seals or opens (for the per-value overhead). */
  readonly values: number;
  readonly kind: "seal" | "open";
  readonly plain: Side;
  readonly vault: Side;
  /** Runs after the case, so the read cases find both tables filled. */
  readonly after?: () => Promise<void>;
  /** Key-provider calls so far of clients other than `prisma` (a cold case's new clients). */
  readonly calls?: () => number;
}
let coldProviderCalls = 0;

const emptyAccounts = async () => {
  await base.$executeRawUnsafe(`DELETE FROM "Account"`);
  await base.$executeRawUnsafe(`DELETE FROM "PlainAccount"`);
};
/** The encrypted table's rows as stored (envelopes and blind indexes), for plain Prisma to write as text. */
let storedRows: Record<string, unknown>[] = [];
const fillAccounts = async () => {
  await emptyAccounts();
  await base.plainAccount.createMany({ data: rows });
  await prisma.account.createMany({ data: rows });
  storedRows = (await base.account.findMany()).map(({ id: _id, ...stored }) => stored);
};

const cases: Case[] = [
  ...TENANT_COUNTS.map((tenants): Case => ({
    name: `createMany ${ROWS} rows over ${tenants} tenant${tenants > 1 ? "s" : ""}`,
    values: ROWS * 3,
    kind: "seal",
    plain: { reset: emptyAccounts, run: () => base.plainAccount.createMany({ data: tenantRows(tenants) }) },
    vault: { reset: emptyAccounts, run: () => prisma.account.createMany({ data: tenantRows(tenants) }) },
    after: fillAccounts,
  })),
  {
    // What writing rows this wide costs Prisma and the database by themselves (the rows prisma-vault
    // wrote, given to plain Prisma as text), apart from sealing and indexing them.
    name: `createMany ${ROWS} rows over 10 tenants, against writing the envelopes as text`,
    values: ROWS * 3,
    kind: "seal",
    plain: { reset: emptyAccounts, run: () => base.account.createMany({ data: storedRows as never }) },
    vault: { reset: emptyAccounts, run: () => prisma.account.createMany({ data: tenantRows(10) }) },
    after: fillAccounts,
  },
  {
    name: `findMany ${ROWS} rows, warm`,
    values: ROWS * 3,
    kind: "open",
    plain: { run: () => base.plainAccount.findMany() },
    vault: { run: () => prisma.account.findMany() },
  },
  {
    // The same stored rows read by plain Prisma as text: what prisma-vault adds to reading them, apart
    // from what their size costs Prisma and the database (envelopes and blind indexes are wider).
    name: `findMany ${ROWS} rows, warm, against the envelopes read as text`,
    values: ROWS * 3,
    kind: "open",
    plain: { run: () => base.account.findMany() },
    vault: { run: () => prisma.account.findMany() },
  },
  {
    name: `findMany ${ROWS} rows, cold (new client)`,
    values: ROWS * 3,
    kind: "open",
    plain: { run: () => cold((c) => c.plainAccount.findMany()) },
    vault: {
      run: () =>
        cold(async (c) => {
          const extended = extend(c);
          await extended.account.findMany();
          const { provider } = extended.$vault.stats();
          coldProviderCalls += provider.createDataKey + provider.decryptDataKey;
        }),
    },
    calls: () => coldProviderCalls,
  },
  {
    name: `include: ${USERS} users × ${POSTS_PER_USER} posts`,
    values: USERS * 3 + USERS * POSTS_PER_USER,
    kind: "open",
    plain: { run: () => base.user.findMany({ include: { posts: true } }) },
    vault: { run: () => prisma.user.findMany({ include: { posts: true } }) },
  },
  {
    name: "500 × findFirst by email (log-in lookup)",
    values: 500 * 3,
    kind: "open",
    plain: {
      run: () => each(some(500), (i) => base.plainAccount.findFirst({ where: { email: row(i).email } })),
    },
    vault: {
      run: () => each(some(500), (i) => prisma.account.findFirst({ where: { email: row(i).email } })),
    },
  },
  {
    name: "50 × findMany handle in 100 values",
    values: 50 * 100 * 3,
    kind: "open",
    plain: {
      run: () =>
        each(range(50), (n) => base.plainAccount.findMany({ where: { handle: { in: handles(n) } } })),
    },
    vault: {
      run: () => each(range(50), (n) => prisma.account.findMany({ where: { handle: { in: handles(n) } } })),
    },
  },
  {
    name: "200 × findFirst by tenant + phone (tenant-scoped index)",
    values: 200 * 3,
    kind: "open",
    plain: { run: () => each(some(200), (i) => base.plainAccount.findFirst({ where: byPhone(i) })) },
    vault: { run: () => each(some(200), (i) => prisma.account.findFirst({ where: byPhone(i) })) },
  },
  {
    name: "200 × update by name + tenant (seal + index)",
    values: 200,
    kind: "seal",
    plain: {
      run: () =>
        each(some(200), (i) =>
          base.plainAccount.updateMany({
            where: { name: `n${i}`, organizationId: row(i).organizationId },
            data: { handle: `u${i}` },
          }),
        ),
    },
    vault: {
      run: () =>
        each(some(200), (i) =>
          prisma.account.updateMany({
            where: { name: `n${i}`, organizationId: row(i).organizationId },
            data: { handle: `u${i}` },
          }),
        ),
    },
  },
];

function tenantRows(tenants: number) {
  return Array.from({ length: ROWS }, (_, i) => row(i, tenants));
}
function handles(n: number) {
  return some(100).map((i) => `h${(i + n) % ROWS}`);
}
function byPhone(i: number) {
  const { organizationId, phone } = row(i);
  return { organizationId, phone };
}
function range(n: number) {
  return Array.from({ length: n }, (_, i) => i);
}
async function each<T>(items: readonly T[], run: (item: T) => Promise<unknown>): Promise<void> {
  for (const item of items) await run(item);
}
/** Runs `query` on a new client (connection and, for prisma-vault, an empty key cache), then closes it. */
async function cold(query: (client: PrismaClient) => Promise<unknown>): Promise<void> {
  const client = newBase();
  try {
    await query(client);
  } finally {
    await client.$disconnect();
  }
}

const results: Record<string, unknown>[] = [];
try {
  await createTables();
  await fillAccounts();
  await seedUsers();
  console.log(
    `\nprisma-vault bench: SQLite, Prisma 7, ${ROWS} rows over 10 tenants, median of ${ROUNDS} rounds, interleaved, aead ${prisma.$vault.stats().aead}`,
  );
  const floor = aeadFloor(
    rows.map((r) => r.email),
    ROUNDS,
  );
  const table: string[][] = [["case", "plain", "prisma-vault", "ratio", "µs/value", "× floor", "key calls"]];
  for (const c of cases) {
    const count = () => totalCalls() + (c.calls?.() ?? 0);
    const before = count();
    const timing = await measurePair(c.plain, c.vault, ROUNDS);
    const calls = (count() - before) / (ROUNDS + 1);
    const perValue = ((timing.vault - timing.plain) * 1000) / c.values;
    const floorRatio = perValue / floor[c.kind];
    table.push([
      c.name,
      ms(timing.plain),
      ms(timing.vault),
      ratio(timing.vault / timing.plain),
      perValue.toFixed(2),
      ratio(floorRatio),
      String(Math.round(calls)),
    ]);
    results.push({
      case: c.name,
      plainMs: timing.plain,
      vaultMs: timing.vault,
      ratio: timing.vault / timing.plain,
      perValueUs: perValue,
      floorRatio,
      keyCalls: calls,
    });
    await c.after?.();
  }
  const byId = (i: number) => ({ where: { id: (i % ROWS) + 1 } });
  const byOrg = (i: number) => ({ where: { id: ORGS[i % ORGS.length] as string } });
  const lookupCases = [
    ["findUnique by id", (i: number) => base.plainAccount.findUnique(byId(i))],
    ["findUnique by id, against the envelopes read as text", (i: number) => base.account.findUnique(byId(i))],
  ] as const;
  for (const [label, plainLookup] of lookupCases) {
    const lookups = await measureCalls(LOOKUPS, plainLookup, (i) => prisma.account.findUnique(byId(i)));
    addPercentiles(table, `${LOOKUPS} × ${label}`, lookups);
  }
  // A model without encrypted fields: its queries pass through the extension untouched.
  const inert = await measureCalls(
    LOOKUPS,
    (i) => base.organization.findUnique(byOrg(i)),
    (i) => prisma.organization.findUnique(byOrg(i)),
  );
  addPercentiles(table, `${LOOKUPS} × findUnique of a model without encrypted fields (Organization)`, inert);
  // A model from which no encrypted field can be reached: vault() does not hook it at all.
  const unrelated = await measureCalls(
    LOOKUPS,
    (i) => base.auditLog.findUnique({ where: { id: (i % LOOKUPS) + 1 } }),
    (i) => prisma.auditLog.findUnique({ where: { id: (i % LOOKUPS) + 1 } }),
  );
  addPercentiles(
    table,
    `${LOOKUPS} × findUnique of a model unrelated to encrypted ones (AuditLog)`,
    unrelated,
  );
  for (const line of alignedTable(table)) console.log(line);
  console.log(
    `raw AEAD floor (node:crypto, one key, ${ROWS} values): seal ${floor.seal.toFixed(2)} µs, open ${floor.open.toFixed(2)} µs per value`,
  );
  const prisma8 = await benchPrisma8({ rows: ROWS, rounds: ROUNDS, aead: AEAD });
  console.log(`machine: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, node ${process.version}`);
  if (!SMOKE) {
    const file = new URL("results.json", import.meta.url);
    const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version };
    const out = {
      date: new Date().toISOString(),
      machine,
      rows: ROWS,
      rounds: ROUNDS,
      aead: prisma.$vault.stats().aead,
      floor,
      cases: results,
      migrations,
      prisma8,
    };
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`written to bench/results.json`);
  }
} finally {
  await base.$disconnect();
  rmSync(dir, { recursive: true, force: true });
}

function addPercentiles(
  table: string[][],
  label: string,
  lookups: { plain: number[]; vault: number[] },
): void {
  for (const p of [50, 99]) {
    const plain = percentile(lookups.plain, p);
    const sealed = percentile(lookups.vault, p);
    const name = `${label}, p${p} per call`;
    table.push([name, ms(plain), ms(sealed), ratio(sealed / plain), "", "", ""]);
    results.push({ case: name, plainMs: plain, vaultMs: sealed, ratio: sealed / plain });
  }
}

function totalCalls(): number {
  const { provider } = prisma.$vault.stats();
  return provider.createDataKey + provider.decryptDataKey;
}
function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}

/** 1,000 users with 10 posts each, over 10 tenants, written through prisma-vault. */
async function seedUsers(): Promise<void> {
  await prisma.user.createMany({
    data: Array.from({ length: USERS }, (_, i) => ({
      organizationId: ORGS[i % 10] as string,
      email: `u${i}@example.com`,
      ssn: `123-45-${String(i).padStart(4, "0")}`,
      notes: `notes of user ${i}`,
    })),
  });
  const users = await base.user.findMany({ select: { id: true, organizationId: true } });
  await prisma.post.createMany({
    data: users.flatMap((u) =>
      Array.from({ length: POSTS_PER_USER }, (_, k) => ({
        organizationId: u.organizationId,
        authorId: u.id,
        title: `t${k}`,
        body: `post ${k} of user ${u.id}`,
      })),
    ),
  });
}

/** The tables of the cases, as in test/support/databases.ts (no migrations offline). */
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
  await base.$executeRawUnsafe(
    `CREATE TABLE "User" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "organizationId" TEXT NOT NULL,
      "name" TEXT, "email" TEXT NOT NULL, "ssn" TEXT, "notes" TEXT)`,
  );
  await base.$executeRawUnsafe(
    `CREATE TABLE "Post" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "organizationId" TEXT NOT NULL,
      "authorId" INTEGER NOT NULL, "title" TEXT NOT NULL, "body" TEXT)`,
  );
  await base.$executeRawUnsafe(
    `CREATE TABLE "AuditLog" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "action" TEXT NOT NULL, "subject" TEXT NOT NULL)`,
  );
  await base.auditLog.createMany({
    data: Array.from({ length: LOOKUPS }, (_, i) => ({ action: "read", subject: `s${i}` })),
  });
  // The lookups a real schema would index: the blind-index columns and their plaintext twins.
  for (const [table, column] of [
    ["Account", "phoneIndex"],
    ["Account", "handleIndex"],
    ["Account", "name"],
    ["PlainAccount", "phone"],
    ["PlainAccount", "handle"],
    ["PlainAccount", "name"],
    ["Post", "authorId"],
  ]) {
    await base.$executeRawUnsafe(`CREATE INDEX "${table}_${column}" ON "${table}" ("${column}")`);
  }
  await base.organization.createMany({ data: ORGS.map((id) => ({ id, name: id })) });
}

/**
 * Real databases for the extension tests. Each test file gets its own fresh database (SQLite file,
 * PostgreSQL or MariaDB database) with the test schema's tables, created by plain DDL because the
 * schema engine cannot be downloaded here.
 *
 * Where a server comes from: the URL in PRISMA_VAULT_TEST_POSTGRES_URL / PRISMA_VAULT_TEST_MARIADB_URL,
 * which global-setup.ts fills from the local server or a testcontainers container when unset. When
 * none answers, that database's tests are skipped with a message, or fail when
 * PRISMA_VAULT_REQUIRE_DATABASES=1 (CI).
 *
 * Target sqlite-prisma6 is SQLite through a Prisma 6.19 client and adapter from compat/prisma6, which has
 * its own node_modules (see compat/prisma6/README.md).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaMariaDb } from "@prisma/adapter-mariadb";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { GeneratedVaultSchema } from "../../src/schema/datamodel.js";
import type { PrismaClient } from "../generated/sqlite/client/client.js";
import { SERVERS } from "./global-setup.js";

export const TARGETS = ["sqlite", "postgres", "mariadb", "sqlite-prisma6"] as const;
export type Target = (typeof TARGETS)[number];
type Dialect = Exclude<Target, "sqlite-prisma6">;

/** compat/prisma6/index.js: the Prisma 6.19 client and SQLite adapter (a variable, so tsc leaves it alone). */
const PRISMA6: string = "../../compat/prisma6/index.js";

export interface TestDatabase {
  readonly target: Target;
  /** The database's connection URL (a `file:` URL on SQLite), e.g. for a child process. */
  readonly url: string;
  /** A plain Prisma client (no extension) on this database. */
  readonly plain: PrismaClient;
  /** A new client on this database, e.g. to extend with vault(). */
  client(options?: {
    omit?: Record<string, Record<string, boolean>>;
    log?: { emit: "event"; level: "query" }[];
  }): PrismaClient;
  /** Reads raw rows, bypassing Prisma's models: what the database really stores. */
  raw<T = Record<string, unknown>>(table: string, where?: string): Promise<T[]>;
  /** Empties every table. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** What {@link useTestDatabase} gives a suite; `database()` and `generated()` are set in its beforeAll. */
export interface TestDatabaseHooks {
  /** The open database (only called by tests, which are skipped when there is none). */
  readonly database: () => TestDatabase;
  /** The generator's `vaultSchema` for this target. */
  readonly generated: () => GeneratedVaultSchema;
  /** Whether the database opened. */
  readonly opened: () => boolean;
}

/**
 * Registers a suite's database hooks: a fresh database for `target` opened before its tests and
 * dropped after them, each test skipped with the reason when it is unavailable, and (unless
 * `reset: false`) every table emptied before each test.
 */
export function useTestDatabase(target: Target, options: { reset?: boolean } = {}): TestDatabaseHooks {
  let db: TestDatabase | undefined;
  let skip: string | undefined;
  let schema: GeneratedVaultSchema | undefined;
  beforeAll(async () => {
    const opened = await openDatabase(target);
    if ("skip" in opened) skip = opened.skip;
    else db = opened;
    ({ vaultSchema: schema } = (await import(`../generated/${target}/vault/index.js`)) as {
      vaultSchema: GeneratedVaultSchema;
    });
  }, 60_000);
  afterAll(() => db?.close());
  beforeEach(async (context) => {
    if (skip) {
      console.warn(`skipping ${target}: ${skip}`);
      context.skip();
    }
    if (options.reset !== false) await db?.reset();
  });
  return {
    database: () => db as TestDatabase,
    generated: () => schema as GeneratedVaultSchema,
    opened: () => db !== undefined,
  };
}

/** Opens a fresh database for `target`, or explains why it cannot. */
export async function openDatabase(target: Target): Promise<TestDatabase | { skip: string }> {
  if (target === "sqlite-prisma6") {
    const prisma6 = (await import(PRISMA6)) as {
      PrismaClient: new (options: object) => PrismaClient;
      PrismaBetterSQLite3: new (options: { url: string }) => object;
    };
    return openSqlite(target, prisma6.PrismaClient, (url) => new prisma6.PrismaBetterSQLite3({ url }));
  }
  const { PrismaClient } = (await import(`../generated/${target}/client/client.ts`)) as {
    PrismaClient: new (options: object) => PrismaClient;
  };
  if (target === "sqlite") {
    return openSqlite(target, PrismaClient, (url) => new PrismaBetterSqlite3({ url }));
  }
  const { env: envName, url: localUrl } = SERVERS[target];
  const adminUrl = process.env[envName] ?? localUrl;
  const makeAdapter = (url: string) =>
    target === "postgres" ? new PrismaPg({ connectionString: url }) : new PrismaMariaDb(url);
  const admin = new PrismaClient({ adapter: makeAdapter(adminUrl) });
  const name = `pv_${randomBytes(6).toString("hex")}`;
  try {
    await admin.$executeRawUnsafe(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.$disconnect().catch(() => undefined);
    const detail = [(error as { code?: unknown }).code, (error as Error).message.trim().split("\n").at(-1)]
      .filter(Boolean)
      .join(" ");
    return unavailable(
      `${target} at ${redact(adminUrl)} is not reachable (${detail || String(error)}); set ${envName}`,
    );
  }
  const url = withDatabase(adminUrl, name);
  return setUp(
    target,
    url,
    (options) => new PrismaClient({ adapter: makeAdapter(url), ...options }),
    async () => {
      await admin.$executeRawUnsafe(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
      await admin.$disconnect();
    },
  );
}

function openSqlite(
  target: Target,
  PrismaClient: new (options: object) => PrismaClient,
  adapter: (url: string) => object,
): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "prisma-vault-"));
  const url = `file:${join(dir, "test.db")}`;
  return setUp(
    target,
    url,
    (options) => new PrismaClient({ adapter: adapter(url), ...options }),
    () => rmSync(dir, { recursive: true, force: true }),
  );
}

async function setUp(
  target: Target,
  url: string,
  make: (options?: object) => PrismaClient,
  drop: () => unknown,
): Promise<TestDatabase> {
  const plain = make();
  for (const statement of ddl(target === "sqlite-prisma6" ? "sqlite" : target)) {
    await plain.$executeRawUnsafe(statement);
  }
  const clients: PrismaClient[] = [plain];
  const q = (name: string) => quote(target, name);
  return {
    target,
    url,
    plain,
    client(options) {
      const client = make(options);
      clients.push(client);
      return client;
    },
    async raw<T>(table: string, where?: string) {
      return plain.$queryRawUnsafe<T[]>(
        `SELECT * FROM ${q(table)}${where ? ` WHERE ${where}` : ""} ORDER BY ${q("id")}`,
      );
    },
    async reset() {
      for (const table of [
        "VaultObjectVersion",
        "VaultObject",
        "ledger_entries",
        "Voucher",
        "Ticket",
        "Session",
        "Memo",
        "Account",
        "PlainAccount",
        "Post",
        "Profile",
        "User",
        "AuditLog",
        "Organization",
      ]) {
        await plain.$executeRawUnsafe(`DELETE FROM ${q(table)}`);
      }
    },
    async close() {
      await Promise.all(clients.map((client) => client.$disconnect()));
      await drop();
    },
  };
}

/** The test schema's tables (test/prisma/schema.template.prisma), in each dialect. */
function ddl(target: Dialect): string[] {
  const q = (name: string) => quote(target, name);
  const auto = {
    sqlite: "INTEGER PRIMARY KEY AUTOINCREMENT",
    postgres: "SERIAL PRIMARY KEY",
    mariadb: "INT AUTO_INCREMENT PRIMARY KEY",
  }[target];
  const bigAuto = {
    sqlite: "INTEGER PRIMARY KEY AUTOINCREMENT",
    postgres: "BIGSERIAL PRIMARY KEY",
    mariadb: "BIGINT AUTO_INCREMENT PRIMARY KEY",
  }[target];
  const str = target === "mariadb" ? "VARCHAR(191)" : "TEXT";
  const text = "TEXT";
  const exact = target === "mariadb" ? "VARCHAR(191) COLLATE utf8mb4_bin" : "TEXT";
  const name = target === "mariadb" ? "VARCHAR(255)" : "TEXT";
  const long = target === "mariadb" ? "MEDIUMTEXT" : "TEXT";
  const time = { sqlite: "DATETIME", postgres: "TIMESTAMP(3)", mariadb: "DATETIME(3)" }[target];
  const tail = target === "mariadb" ? " DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci" : "";
  const table = (name: string, columns: string[]) =>
    `CREATE TABLE ${q(name)} (${columns.map((c) => c.replace(/\{(\w+)\}/g, (_m, n: string) => q(n))).join(", ")})${tail}`;
  return [
    table("Organization", [`{id} ${str} PRIMARY KEY`, `{name} ${str} NOT NULL`]),
    table("User", [
      `{id} ${auto}`,
      `{organizationId} ${str} NOT NULL`,
      `{name} ${str}`,
      `{email} ${text} NOT NULL`,
      `{ssn} ${text}`,
      `{notes} ${text}`,
    ]),
    table("Post", [
      `{id} ${auto}`,
      `{organizationId} ${str} NOT NULL`,
      `{authorId} INTEGER NOT NULL`,
      `{title} ${str} NOT NULL`,
      `{body} ${text}`,
    ]),
    table("Profile", [
      `{id} ${auto}`,
      `{organizationId} ${str} NOT NULL`,
      `{userId} INTEGER NOT NULL UNIQUE`,
      `{bio} ${text}`,
    ]),
    table("AuditLog", [`{id} ${auto}`, `{action} ${str} NOT NULL`, `{subject} ${str} NOT NULL`]),
    table("Account", [
      `{id} ${auto}`,
      `{organizationId} ${str} NOT NULL`,
      `{name} ${str}`,
      `{email} ${text} NOT NULL`,
      `{emailIndex} ${str} UNIQUE`,
      `{phone} ${text}`,
      `{phoneIndex} ${str}`,
      `{handle} ${text}`,
      `{handleIndex} ${str}`,
    ]),
    // The oracle compares exactly: MariaDB's default collation would fold case.
    table("PlainAccount", [
      `{id} ${auto}`,
      `{organizationId} ${str} NOT NULL`,
      `{name} ${str}`,
      `{email} ${exact} NOT NULL UNIQUE`,
      `{phone} ${exact}`,
      `{handle} ${exact}`,
    ]),
    table("Memo", [
      `{id} ${auto}`,
      `{organizationId} ${str} NOT NULL`,
      `{text} ${target === "sqlite" ? "TEXT" : "VARCHAR(600)"} NOT NULL`,
    ]),
    table("Session", [
      `{id} ${auto}`,
      `{label} ${str} NOT NULL`,
      `{accountId} INTEGER`,
      `{plainAccountId} INTEGER`,
    ]),
    // Ledger: @@map("ledger_entries"), seq @map("seq_no"), @@id([tenantId, seq]).
    table("ledger_entries", [
      `{tenantId} ${str} NOT NULL`,
      `{seq_no} INTEGER NOT NULL`,
      `{note} ${text}`,
      `PRIMARY KEY ({tenantId}, {seq_no})`,
    ]),
    // Voucher: code @map("voucher_code").
    table("Voucher", [
      `{voucher_code} ${str} PRIMARY KEY`,
      `{organizationId} ${str} NOT NULL`,
      `{secret} ${text}`,
    ]),
    // Ticket: BigInt @id @default(autoincrement()), as Prisma creates it (an INTEGER rowid on SQLite).
    table("Ticket", [`{id} ${bigAuto}`, `{label} ${str} NOT NULL`]),
    // Vault objects, as `prisma migrate` creates the README's models.
    table("VaultObject", [
      `{id} ${str} PRIMARY KEY`,
      `{name} ${name} NOT NULL`,
      `{liveName} ${name} UNIQUE`,
      `{context} ${text} NOT NULL`,
      `{keyId} ${str} NOT NULL`,
      `{versionId} ${str} NOT NULL`,
      `{value} ${long} NOT NULL`,
      `{createdAt} ${time} NOT NULL`,
      `{updatedAt} ${time} NOT NULL`,
      `{deletedAt} ${time}`,
    ]),
    `CREATE INDEX ${q("VaultObject_deletedAt_idx")} ON ${q("VaultObject")} (${q("deletedAt")})`,
    table("VaultObjectVersion", [
      `{id} ${str} PRIMARY KEY`,
      `{objectId} ${str} NOT NULL REFERENCES {VaultObject} ({id}) ON DELETE CASCADE`,
      `{keyId} ${str} NOT NULL`,
      `{value} ${long} NOT NULL`,
      `{createdAt} ${time} NOT NULL`,
    ]),
    `CREATE INDEX ${q("VaultObjectVersion_objectId_idx")} ON ${q("VaultObjectVersion")} (${q("objectId")})`,
  ];
}

/** An identifier quoted for the target's SQL dialect. */
function quote(target: Target, name: string): string {
  return target === "mariadb" ? `\`${name}\`` : `"${name}"`;
}

/** A database that cannot be used: skipped with `reason`, or an error under PRISMA_VAULT_REQUIRE_DATABASES=1 (CI). */
export function unavailable(reason: string): { skip: string } {
  if (process.env["PRISMA_VAULT_REQUIRE_DATABASES"] === "1") throw new Error(reason);
  return { skip: reason };
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

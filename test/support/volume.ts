/**
 * What the migration volume suites (test/migrate/volume-suite.ts) and the migration bench share:
 * plaintext Account rows over 20 tenants, a seeded random source, and a concurrent writer that keeps
 * updating random rows through an extended client while a migration runs.
 */
import { decodeEnvelope } from "../../src/format/envelope.js";

/** Tenants the rows are spread over (round robin). */
export const TENANTS = 20;

/** An Account row as written by the plain client, before any migration. */
export type PlainAccountRow = {
  readonly organizationId: string;
  readonly name: string;
  readonly email: string;
  readonly phone: string | null;
  readonly handle: string | null;
};

/** Account as stored: envelopes (or plaintext before `encrypt`) and blind-index columns. */
export type StoredAccount = PlainAccountRow & {
  readonly id: number;
  readonly emailIndex: string | null;
  readonly phoneIndex: string | null;
  readonly handleIndex: string | null;
};

/** The tenants' organization ids. */
export const organizations = (): string[] => Array.from({ length: TENANTS }, (_, i) => `org_${i}`);

/**
 * Handles whose bytes must come back exactly: the empty string, a decomposed and a precomposed é,
 * astral characters, trailing and leading blanks, quotes, a tab, and a long value.
 */
export const ODD_HANDLES = [
  "",
  "e\u0301",
  "\u00e9",
  "😀 𝄞",
  "trailing ",
  " leading",
  "'quote\"",
  "tab\there",
  "李小龍",
  "x".repeat(500),
] as const;

/**
 * Row `i` of the volume data: a unique email (non-ASCII in some), a phone on three rows of four, an
 * odd handle (see {@link ODD_HANDLES}) on every third row.
 */
export function plainAccount(i: number): PlainAccountRow {
  const domains = ["example.com", "exämple.org", "例子.cn", "x.io"];
  return {
    organizationId: `org_${i % TENANTS}`,
    name: `n${i}`,
    email: `user${i}.${i % 7 === 0 ? "björn" : "ana"}@${domains[i % domains.length] as string}`,
    phone: i % 4 === 3 ? null : `+1 555 ${String(i).padStart(7, "0")}`,
    handle: i % 3 === 0 ? (ODD_HANDLES[(i / 3) % ODD_HANDLES.length] as string) : `h${i}`,
  };
}

/** A plain Prisma client's raw statements, all the seeding needs. */
interface RawClient {
  $executeRawUnsafe(sql: string, ...values: unknown[]): PromiseLike<number>;
}

/** Database dialects of the suites (test/support/databases.ts targets). */
export type Dialect = "sqlite" | "postgres" | "mariadb";

/**
 * Writes the tenants (when `from` is 0) and `rows` plaintext accounts, row i = `row(i)` (default
 * {@link plainAccount}), with multi-row INSERTs through the plain client: Prisma's createMany sends
 * SQLite one statement a row, ten times slower, and seeding is not what these suites measure.
 */
export async function seedAccounts(
  plain: RawClient,
  dialect: Dialect,
  rows: number,
  options: { readonly from?: number; readonly row?: (i: number) => Record<string, string | null> } = {},
): Promise<void> {
  const from = options.from ?? 0;
  const row: (i: number) => Readonly<Record<string, string | null>> = options.row ?? plainAccount;
  const q = quoter(dialect);
  if (from === 0) {
    const ids = organizations();
    await plain.$executeRawUnsafe(
      `INSERT INTO ${q("Organization")} (${q("id")}, ${q("name")}) VALUES ${placeholders(dialect, ids.length, 2)}`,
      ...ids.flatMap((id) => [id, id]),
    );
  }
  // 500 rows of at most 6 values stay under every dialect's bound-parameter limit.
  for (let start = from; start < from + rows; start += 500) {
    const batch = Array.from({ length: Math.min(500, from + rows - start) }, (_, k) => row(start + k));
    const columns = Object.keys(batch[0] ?? {});
    await plain.$executeRawUnsafe(
      `INSERT INTO ${q("Account")} (${columns.map(q).join(", ")}) VALUES ${placeholders(dialect, batch.length, columns.length)}`,
      ...batch.flatMap((r) => columns.map((c) => r[c] ?? null)),
    );
  }
}

/**
 * Copies every row of table `from` into `to` (created by the copy, replacing one left from before), or
 * back into Account: a suite keeps a migrated state once and starts several tests from it.
 */
export async function copyRows(plain: RawClient, dialect: Dialect, from: string, to: string): Promise<void> {
  const q = quoter(dialect);
  if (to === "Account") {
    await plain.$executeRawUnsafe(`INSERT INTO ${q(to)} SELECT * FROM ${q(from)}`);
    return;
  }
  await plain.$executeRawUnsafe(`DROP TABLE IF EXISTS ${q(to)}`);
  await plain.$executeRawUnsafe(`CREATE TABLE ${q(to)} AS SELECT * FROM ${q(from)}`);
}

function quoter(dialect: Dialect): (name: string) => string {
  return dialect === "mariadb" ? (name) => `\`${name}\`` : (name) => `"${name}"`;
}

/** `(?, ?), (?, ?)` — or `($1, $2), ($3, $4)` on PostgreSQL. */
function placeholders(dialect: Dialect, rows: number, columns: number): string {
  let n = 0;
  const one = () => (dialect === "postgres" ? `$${++n}` : "?");
  return Array.from({ length: rows }, () => `(${Array.from({ length: columns }, one).join(", ")})`).join(
    ", ",
  );
}

/** A seeded pseudo-random source (mulberry32), so a failing run can be replayed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The key blob of an envelope (base64): which data key sealed it. */
export function blobOf(envelope: string): string {
  return Buffer.from(decodeEnvelope(envelope).encryptedKeys).toString("base64");
}

/** What the writer last wrote to a row. */
export interface Written {
  readonly email: string;
  readonly handle: string;
}

/** An extended client's `account.update`, all the writer needs. */
interface AccountUpdater {
  account: {
    update(args: { where: { id: number }; data: Written; select: { id: true } }): PromiseLike<unknown>;
  };
}

export interface WriterOptions {
  /** Updates in all. */
  readonly writes: number;
  /** Rows they go to, picked at random among `ids`; fewer than `writes`, so some rows get several. */
  readonly rows: number;
  /** Update chains running at once; each row belongs to one chain, so its last write is known. */
  readonly lanes?: number;
  readonly seed?: number;
  /** Whether the migration under test is still running (to count the writes that overlapped it). */
  readonly running?: () => boolean;
}

export interface WriterResult {
  /** The last values written, by row id. */
  readonly latest: ReadonlyMap<number, Written>;
  /** Writes that completed while `running()` said the migration ran. */
  readonly overlapping: number;
}

/**
 * Updates random rows through `client` (an application's extended client): each update a new email
 * (unique, as its blind index is) and a new non-ASCII handle, by id only, so prisma-vault reads the
 * row's context first, as an application's update would.
 */
export async function concurrentWriter(
  client: AccountUpdater,
  ids: readonly number[],
  options: WriterOptions,
): Promise<WriterResult> {
  const next = random(options.seed ?? 12);
  const lanes = options.lanes ?? 4;
  const pool = new Set<number>();
  while (pool.size < Math.min(options.rows, ids.length))
    pool.add(ids[Math.floor(next() * ids.length)] as number);
  const targets = [...pool];
  const plan = Array.from(
    { length: options.writes },
    () => targets[Math.floor(next() * targets.length)] as number,
  );
  const latest = new Map<number, Written>();
  let overlapping = 0;
  const lane = async (n: number) => {
    for (const [k, id] of plan.entries()) {
      if (id % lanes !== n) continue;
      const data = { email: `w${k}.${id}@writer.io`, handle: `wrote ${k} ü` };
      await client.account.update({ where: { id }, data, select: { id: true } });
      latest.set(id, data);
      if (options.running?.() === true) overlapping++;
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, n) => lane(n)));
  return { latest, overlapping };
}

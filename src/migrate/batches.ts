/**
 * The I/O of a migration: a model's rows read in primary-key pages, and a page's conditional
 * updates written in one batch transaction, both through the Prisma client under the extension
 * (it reads stored envelopes and writes exactly what it is given).
 */
import type { VaultHandle } from "../client/handle.js";
import type { ModelSchema } from "../schema/model-schema.js";
import type { Row } from "../schema/options.js";
import type { ConditionalUpdate } from "./conditional-update.js";
import { batchUpdates } from "./batch-update.js";
import { afterKey, keyOrder } from "./cursor.js";
import type { Shard } from "./shard.js";
import { shardKeys } from "./shard-pages.js";
import { sqlDialect, type SqlDialect } from "./sql.js";
import { pkEquals } from "../schema/rows.js";

/** Which rows to read and which fields of them; the primary key is always selected. */
export interface PageQuery {
  readonly where: Readonly<Record<string, unknown>>;
  readonly select: Readonly<Record<string, true>>;
  readonly batchSize: number;
  /** Start after this primary key (a resumed run); from the first row when absent. */
  readonly after?: Row | undefined;
  /** Only the rows of this shard (shard.ts), found by their keys in SQL first. */
  readonly shard?: Shard | undefined;
}

/**
 * The rows of `model` matching `query.where`, `batchSize` at a time in primary-key order. Each page
 * is read after the caller asks for it, starting after the last key of the one before, so rows
 * written meanwhile are neither read twice nor skipped.
 */
export async function* readPages(
  handle: VaultHandle,
  model: ModelSchema,
  query: PageQuery,
): AsyncGenerator<Row[], void, undefined> {
  const rows = handle.rows(model.name);
  const select = withKey(model, query.select);
  let last: Row | undefined = query.after;
  if (query.shard) {
    for (;;) {
      const keys = await shardKeys(handle, model, query.shard, last, query.batchSize);
      const page = await readRows(handle, model, query.select, keys, query.where);
      if (page.length > 0) yield page;
      if (keys.length < query.batchSize) return;
      last = keys.at(-1);
    }
  }
  for (;;) {
    const where = last ? { AND: [query.where, afterKey(model.primaryKey, last)] } : query.where;
    const page = await rows.findMany({
      where,
      select,
      orderBy: keyOrder(model.primaryKey),
      take: query.batchSize,
    });
    if (page.length > 0) yield page;
    if (page.length < query.batchSize) return;
    last = page.at(-1);
  }
}

/** The rows with these primary keys, as they are now (a row deleted meanwhile is absent). */
export function readRows(
  handle: VaultHandle,
  model: ModelSchema,
  select: Readonly<Record<string, true>>,
  keys: readonly Row[],
  where: Readonly<Record<string, unknown>> = {},
): Promise<Row[]> {
  if (keys.length === 0) return Promise.resolve([]);
  const byKey = keyIn(model, keys);
  return handle.rows(model.name).findMany({
    where: Object.keys(where).length > 0 ? { AND: [where, byKey] } : byKey,
    select: withKey(model, select),
    orderBy: keyOrder(model.primaryKey),
  });
}

/** `{ id: { in: [...] } }`, or an OR of each compound key. */
function keyIn(model: ModelSchema, keys: readonly Row[]): Record<string, unknown> {
  const [only] = model.primaryKey;
  if (model.primaryKey.length === 1 && only !== undefined)
    return { [only]: { in: keys.map((key) => key[only]) } };
  return { OR: keys.map((key) => pkEquals(model, key)) };
}

function withKey(model: ModelSchema, select: Readonly<Record<string, true>>): Record<string, true> {
  return { ...select, ...Object.fromEntries(model.primaryKey.map((field) => [field, true as const])) };
}

/** How many rows of `model` match `where`. */
export function countRows(
  handle: VaultHandle,
  model: ModelSchema,
  where: Readonly<Record<string, unknown>>,
): Promise<number> {
  return handle.rows(model.name).count({ where });
}

/**
 * Sends `updates` in one batch transaction and returns, for each, whether it changed its row (1) or
 * found it changed since it was read (0). A failing statement rolls the whole page back. Where the
 * dialect and key allow, rows go in a few batched SQL statements (batch-update.ts), else one Prisma
 * `updateMany` per row.
 */
export async function writeBatch(
  handle: VaultHandle,
  model: ModelSchema,
  updates: readonly ConditionalUpdate[],
): Promise<number[]> {
  if (updates.length === 0) return [];
  const dialect = batchedDialect(handle, model);
  if (dialect === undefined) {
    const rows = handle.rows(model.name);
    const results = await retryingDeadlocks(() =>
      handle.transaction(updates.map((update) => rows.updateMany(update))),
    );
    return results.map((result) => (result as { count: number }).count);
  }
  const statements = batchUpdates(dialect, model, updates);
  const counts = await retryingDeadlocks(() =>
    handle.transaction(statements.map((s) => handle.executeRaw(s.sql, s.params))),
  );
  const changed = counts.reduce<number>((sum, count) => sum + Number(count), 0);
  if (changed === updates.length) return updates.map(() => 1);
  // Some rows conflicted: a row holds what this page wrote exactly when its update applied.
  const fields = [...new Set(updates.flatMap((update) => Object.keys(update.data)))];
  const select = Object.fromEntries(fields.map((field) => [field, true as const]));
  const now = await readRows(
    handle,
    model,
    select,
    updates.map((update) => update.where),
  );
  const byKey = new Map(now.map((row) => [keyOf(model, row), row]));
  return updates.map((update) => {
    const row = byKey.get(keyOf(model, update.where));
    return row !== undefined && Object.entries(update.data).every(([field, value]) => row[field] === value)
      ? 1
      : 0;
  });
}

/**
 * How often a page's write is sent again after the database chose it as a deadlock's victim, or
 * SQLite's busy timeout ran out while another connection held the write lock.
 */
export const DEADLOCK_RETRIES = 5;

/**
 * Runs `write`, again after a deadlock (MySQL 1213, PostgreSQL 40P01/40001, Prisma P2034) or a
 * write lock SQLite waited for in vain (SQLITE_BUSY: an application's transactions in another
 * process, back to back, can keep it longer than the busy timeout): the whole transaction was rolled
 * back, and its conditional updates are safe to resend.
 */
async function retryingDeadlocks<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= DEADLOCK_RETRIES || !isDeadlock(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt + Math.random() * 10));
    }
  }
}

function isDeadlock(error: unknown): boolean {
  const { code, message, meta } = (error ?? {}) as { code?: unknown; message?: unknown; meta?: unknown };
  const cause = (meta as { driverAdapterError?: { cause?: { originalCode?: unknown } } } | undefined)
    ?.driverAdapterError?.cause;
  return (
    code === "P2034" ||
    (typeof cause?.originalCode === "string" && cause.originalCode.startsWith("SQLITE_BUSY")) ||
    (typeof message === "string" && /\b(1213|40P01|40001)\b|deadlock/i.test(message))
  );
}

/** The dialect to batch `model`'s writes in, or `undefined` for one `updateMany` per row. */
function batchedDialect(handle: VaultHandle, model: ModelSchema): SqlDialect | undefined {
  const dialect = sqlDialect(handle.provider);
  const keysBatch = model.primaryKey.every((field) =>
    BATCHED_KEY_TYPES.has(model.fieldTypes.get(field) ?? ""),
  );
  return keysBatch ? dialect : undefined;
}

/** Key types whose values compare the same as parameters in every dialect. */
const BATCHED_KEY_TYPES = new Set(["Int", "BigInt", "String"]);

function keyOf(model: ModelSchema, row: Row): string {
  return JSON.stringify(model.primaryKey.map((field) => String(row[field])));
}

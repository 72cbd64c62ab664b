/**
 * The I/O of a migration: a model's rows read in primary-key pages, and a page's conditional
 * updates written in one batch transaction, both through the Prisma client under the extension
 * (it reads stored envelopes and writes exactly what it is given).
 */
import type { VaultHandle } from "../prisma/handle.js";
import type { ModelSchema } from "../schema/model-schema.js";
import type { Row } from "../schema/options.js";
import type { ConditionalUpdate } from "./conditional-update.js";
import { afterKey, keyOrder } from "./cursor.js";
import { pkEquals } from "../schema/rows.js";

/** Which rows to read and which fields of them; the primary key is always selected. */
export interface PageQuery {
  readonly where: Readonly<Record<string, unknown>>;
  readonly select: Readonly<Record<string, true>>;
  readonly batchSize: number;
  /** Start after this primary key (a resumed run); from the first row when absent. */
  readonly after?: Row | undefined;
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
): Promise<Row[]> {
  if (keys.length === 0) return Promise.resolve([]);
  return handle.rows(model.name).findMany({
    where: { OR: keys.map((key) => pkEquals(model, key)) },
    select: withKey(model, select),
    orderBy: keyOrder(model.primaryKey),
  });
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
 * Sends `updates` in one batch transaction and returns how many rows each one changed (0: the row
 * changed since it was read). A failing update rolls the whole page back.
 */
export async function writeBatch(
  handle: VaultHandle,
  model: ModelSchema,
  updates: readonly ConditionalUpdate[],
): Promise<number[]> {
  if (updates.length === 0) return [];
  const rows = handle.rows(model.name);
  const results = await handle.transaction(updates.map((update) => rows.updateMany(update)));
  return results.map((result) => (result as { count: number }).count);
}

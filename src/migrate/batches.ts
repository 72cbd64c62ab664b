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

/** Which rows to read and which fields of them; the primary key is always selected. */
export interface PageQuery {
  readonly where: Readonly<Record<string, unknown>>;
  readonly select: Readonly<Record<string, true>>;
  readonly batchSize: number;
}

/**
 * The rows of `model` matching `query.where`, `batchSize` at a time in primary-key order. Each page
 * is read after the caller is done with the one before, starting after its last key.
 */
export async function* readPages(
  handle: VaultHandle,
  model: ModelSchema,
  query: PageQuery,
): AsyncGenerator<Row[], void, undefined> {
  const rows = handle.rows(model.name);
  const select = { ...query.select, ...Object.fromEntries(model.primaryKey.map((field) => [field, true])) };
  let last: Row | undefined;
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

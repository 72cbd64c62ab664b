/**
 * The I/O of a sharded read: one page of a shard's primary keys, by the raw query of shard.ts, with
 * the key values turned into what Prisma's `findMany` returns for their field types, so the engine can
 * go on with `findMany({ where: { id: { in: keys } } })` and compare keys as it always does.
 */
import type { VaultHandle } from "../client/handle.js";
import type { ModelSchema } from "../schema/model-schema.js";
import type { Row } from "../schema/options.js";
import { shardPageQuery, shardSupport, type Shard } from "./shard.js";

/**
 * The next `take` primary keys of shard `shard` of `model` after the key `after` (`undefined`: from
 * the start), in ascending key order: rows holding only the key fields. Fewer than `take` means the
 * shard has no more rows. A `VaultConfigError` when the model or the database cannot be sharded.
 *
 * @example
 * for (let after: Row | undefined; ; ) {
 *   const keys = await shardKeys(handle, model, [1, 3], after, 500);
 *   if (keys.length > 0) await migrateRows(keys); // findMany({ where: { OR: keys } }), …
 *   if (keys.length < 500) break;
 *   after = keys.at(-1);
 * }
 */
export async function shardKeys(
  handle: VaultHandle,
  model: ModelSchema,
  shard: Shard,
  after: Row | undefined,
  take: number,
): Promise<Row[]> {
  const dialect = shardSupport(model, handle.provider);
  const { sql, params } = shardPageQuery(dialect, model, shard, after, take);
  const rows = await handle.queryRaw(sql, params);
  return rows.map((row) => keyOf(model, row));
}

/**
 * A raw row's key as Prisma's `findMany` gives it. Raw queries type values by the column's declared
 * type, not the field: an `Int` on a SQLite `BIGINT` column comes back as a bigint; `BigInt` keys are
 * selected as text (shard.ts), so that none loses digits on the way.
 */
function keyOf(model: ModelSchema, row: Row): Row {
  return Object.fromEntries(
    model.primaryKey.map((field) => {
      const value = row[field];
      const type = model.fieldTypes.get(field);
      if (type === "Int" && typeof value !== "number") return [field, Number(value)];
      if (type === "BigInt" && typeof value !== "bigint") return [field, BigInt(value as number | string)];
      return [field, value];
    }),
  );
}

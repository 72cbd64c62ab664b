/**
 * Pure: shard `i` of `n` of a model's rows, as one SQL query per dialect. The shard of a row is a
 * function of its primary key alone, computed by the database, so n runs with the same n and every i
 * read every row exactly once and never each other's, and each run's query filters in the database
 * instead of reading the whole table. Prisma's `where` cannot say "modulo", hence raw SQL; this module
 * only builds it (src/migrate/shard-pages.ts runs it).
 *
 * The shard of a key field: an `Int` or `BigInt` value v is `((v % n) + n) % n` (never negative); a
 * `String` is the code of its last character `% n` (an empty string: 0); a compound key sums its
 * fields' shards, `% n`. Any other key type is refused before a row is read.
 */
import { VaultConfigError } from "../errors.js";
import type { ModelSchema } from "../schema/model-schema.js";
import type { Row } from "../schema/options.js";
import { MAX_SHARDS } from "./options.js";
import { quoteIdentifier, SQL_DIALECTS, type SqlDialect } from "./sql.js";

/** The SQL dialects a shard query is written in: those of sql.ts. */
export const SHARD_DIALECTS = SQL_DIALECTS;
export type ShardDialect = SqlDialect;

/** `[i, n]`: shard i of n, 0 <= i < n <= MAX_SHARDS. */
export type Shard = readonly [number, number];

/** What a shard query needs of a model. */
export type ShardModel = Pick<ModelSchema, "name" | "table" | "primaryKey" | "columns" | "fieldTypes">;

/** A query and its bound parameters, for `VaultHandle.queryRaw`. */
export interface ShardQuery {
  readonly sql: string;
  readonly params: readonly unknown[];
}

type KeyKind = "int" | "bigint" | "string";

/** The key types a shard is computed from, and how. */
const KEY_KINDS: ReadonlyMap<string, KeyKind> = new Map([
  ["Int", "int"],
  ["BigInt", "bigint"],
  ["String", "string"],
]);

const SHARD_TEXT = /^(\d{1,9})\/(\d{1,9})$/;

/**
 * `"i/n"` as `[i, n]`; a `VaultConfigError` saying the allowed form and range for anything else.
 *
 * @example parseShard("1/3") // [1, 3]
 */
export function parseShard(text: string): Shard {
  const match = typeof text === "string" ? SHARD_TEXT.exec(text) : null;
  const shard: Shard = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!isShard(shard)) {
    const shown = JSON.stringify(String(text).length > 40 ? `${String(text).slice(0, 40)}…` : String(text));
    throw new VaultConfigError(`${SHARD_RULE} (got ${shown})`);
  }
  return shard;
}

/**
 * The dialect of `provider` when `model` can be sharded there: a `VaultConfigError` naming the model
 * (and the key field) when the database is not one of {@link SHARD_DIALECTS}, the model has no primary
 * key, or a key field is not an `Int`, `BigInt` or `String`. The engine calls it before reading a row.
 *
 * @example shardSupport(schema.models.get("Ledger")!, handle.provider) // "postgresql"
 */
export function shardSupport(model: ShardModel, provider: string | undefined): ShardDialect {
  const where = { model: model.name };
  const dialect = SHARD_DIALECTS.find((name) => name === provider);
  if (dialect === undefined) {
    throw new VaultConfigError(
      provider === undefined
        ? "cannot shard: the data model does not say which database this is; pass the generator's vaultSchema"
        : `cannot shard on a ${provider} database; shards are written for ${SHARD_DIALECTS.join(", ")}`,
      where,
    );
  }
  keyParts(model);
  return dialect;
}

/**
 * The next `take` primary keys of shard `shard` of `model` after the key `after` (`undefined`: from
 * the start), in ascending key order, each column aliased back to its field name. Compound keys compare
 * as row values, `(a, b) > (?, ?)`, which SQLite (3.15 on), PostgreSQL and MySQL/MariaDB all support.
 * Key values are bound as parameters; identifiers are quoted for the dialect, and columns qualified by
 * their table so that no output alias (a field named like another column) stands in for a column.
 * `BigInt` keys are read as text: a raw query types values by the column's declared type, and SQLite's
 * adapter reads an `INTEGER` column (what Prisma creates for an autoincrement `BigInt`) as a number,
 * losing the digits beyond 2^53.
 *
 * Each shard's query still walks the whole key range (no index holds the shard), but only its own
 * rows leave the database.
 *
 * @example
 * shardPageQuery("postgresql", accountSchema, [1, 3], { id: 7 }, 500);
 * // { sql: 'SELECT "Account"."id" AS "id" FROM "Account" WHERE ((("Account"."id" % 3) + 3) % 3) = 1
 * //   AND "Account"."id" > $1 ORDER BY "Account"."id" ASC LIMIT 500', params: [7] }
 */
export function shardPageQuery(
  dialect: ShardDialect,
  model: ShardModel,
  shard: Shard,
  after: Row | undefined,
  take: number,
): ShardQuery {
  if (!isShard(shard)) throw new VaultConfigError(SHARD_RULE, { model: model.name });
  // Precondition: a page holds at least one row, so paging ends.
  if (!Number.isInteger(take) || take < 1) throw new RangeError("a shard page takes at least one row");
  const [i, n] = shard;
  const q = (name: string) => quoteIdentifier(dialect, name);
  const table = q(model.table);
  const keys = keyParts(model).map((key) => ({ ...key, sql: `${table}.${q(key.column)}` }));
  const columns = keys.map((key) => key.sql);
  const parts = keys.map((key) => `(${part(dialect, key.kind, key.sql, n)})`);
  const filters = [`${parts.length === 1 ? parts[0] : `(${parts.join(" + ")}) % ${n}`} = ${i}`];
  const params = after === undefined ? [] : keys.map((key) => cursorValue(after, key.field));
  if (params.length > 0) {
    const marks = params.map((_, at) => (dialect === "postgresql" ? `$${at + 1}` : "?"));
    filters.push(
      keys.length === 1 ? `${columns[0]} > ${marks[0]}` : `(${columns.join(", ")}) > (${marks.join(", ")})`,
    );
  }
  const text = dialect === "mysql" ? "CHAR" : "TEXT";
  const select = keys.map(
    (key) => `${key.kind === "bigint" ? `CAST(${key.sql} AS ${text})` : key.sql} AS ${q(key.field)}`,
  );
  const order = columns.map((column) => `${column} ASC`);
  return {
    sql:
      `SELECT ${select.join(", ")} FROM ${table} WHERE ${filters.join(" AND ")} ` +
      `ORDER BY ${order.join(", ")} LIMIT ${take}`,
    params,
  };
}

function cursorValue(after: Row, field: string): unknown {
  // Precondition: the cursor row holds every key field; a key part is never null.
  if (after[field] === undefined || after[field] === null) {
    throw new RangeError(`the cursor row has no value for key field "${field}"`);
  }
  return after[field];
}

const SHARD_RULE = `a shard is i/n with 0 <= i < n <= ${MAX_SHARDS}, e.g. 0/4 for the first of four`;

function isShard(shard: Shard): boolean {
  const [i, n] = shard;
  return Number.isInteger(i) && Number.isInteger(n) && n >= 1 && n <= MAX_SHARDS && i >= 0 && i < n;
}

/** The key fields with their columns and kinds; `VaultConfigError` for a key a shard cannot use. */
function keyParts(model: ShardModel): { field: string; column: string; kind: KeyKind }[] {
  if (model.primaryKey.length === 0) {
    throw new VaultConfigError("cannot shard a model without a primary key", { model: model.name });
  }
  return model.primaryKey.map((field) => {
    const type = model.fieldTypes.get(field);
    const kind = type === undefined ? undefined : KEY_KINDS.get(type);
    if (kind === undefined) {
      throw new VaultConfigError(
        `cannot shard by a ${type ?? "unknown"} primary key field; ` +
          "shards are computed from Int, BigInt and String keys",
        { model: model.name, field },
      );
    }
    return { field, column: model.columns.get(field) ?? field, kind };
  });
}

/**
 * One key field's shard, in [0, n). For strings the database computes the character code (SQLite's
 * unicode() and PostgreSQL's ascii() give the code point in a UTF-8 database, MySQL's ORD() the
 * character's bytes as one big-endian number); whatever it is, it is a function of the stored value.
 * Case- and accent-insensitive collations (MariaDB's defaults) do not change that: keys equal under the
 * collation cannot both be in a primary key, and each stored key has exactly one last character, so each
 * row has exactly one shard. Ordering and `>` use the column's collation in every shard's query alike.
 */
function part(dialect: ShardDialect, kind: KeyKind, column: string, n: number): string {
  if (kind !== "string") return `((${column} % ${n}) + ${n}) % ${n}`;
  // coalesce: SQLite's unicode('') is NULL; an empty key is shard 0 on every database.
  const code = {
    sqlite: `unicode(substr(${column}, -1))`,
    postgresql: `ascii(right(${column}, 1))`,
    mysql: `ORD(RIGHT(${column}, 1))`,
  }[dialect];
  return `coalesce(${code}, 0) % ${n}`;
}

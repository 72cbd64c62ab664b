/**
 * Pure: a page's conditional updates as a few SQL statements instead of one statement per row. Rows
 * that set and check the same fields share a statement, which joins the table with a values table v
 * of (key, values read, values to write) rows:
 *
 *   WITH v(k0, o0, n0) AS (VALUES (?, ?, ?), …) UPDATE "T" SET "c" = v.n0 FROM v
 *   WHERE "T"."id" = v.k0 AND "T"."c" IS v.o0                                        -- SQLite
 *   UPDATE "T" AS t SET "c" = v.n0 FROM (VALUES ($1::int4, $2::text, $3::text), …) AS v(k0, o0, n0)
 *   WHERE t."id" = v.k0 AND t."c" IS NOT DISTINCT FROM v.o0                          -- PostgreSQL
 *   UPDATE `T` AS t JOIN (SELECT ? AS k0, ? AS o0, ? AS n0 UNION ALL SELECT ?, ?, ?) AS v
 *   ON t.`id` = v.k0 SET t.`c` = v.n0 WHERE t.`c` <=> v.o0                           -- MySQL, MariaDB
 *
 * Each row is still written only while it holds the values that were read (the null-safe checks), so
 * a concurrent writer's value is never overwritten; the statement's count of rows changed tells
 * whether some row conflicted.
 */
import type { ModelSchema } from "../schema/model-schema.js";
import type { ConditionalUpdate } from "./conditional-update.js";
import { nullSafeEquals, quoteIdentifier, SqlParams, type SqlDialect } from "./sql.js";

/** Parameters per statement at most: below every dialect's limit (SQLite's is 32,766). */
export const MAX_PARAMS = 30_000;

/** What the batched form needs of a model. */
export type BatchModel = Pick<ModelSchema, "table" | "primaryKey" | "columns" | "fieldTypes">;

export interface BatchStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
  /** How many rows it writes when none conflicts. */
  readonly rows: number;
}

/**
 * The statements writing `updates` (each naming one row by its primary key, as built by
 * `conditionalUpdate`), in groups of rows that set and check the same fields.
 *
 * @example batchUpdates("sqlite", account, [{ where: { id: 7, email: "a@x.io" }, data: { email: "<envelope>" } }])
 */
export function batchUpdates(
  dialect: SqlDialect,
  model: BatchModel,
  updates: readonly ConditionalUpdate[],
): BatchStatement[] {
  const groups = new Map<string, ConditionalUpdate[]>();
  for (const update of updates) {
    const checked = Object.keys(update.where).filter((field) => !model.primaryKey.includes(field));
    const signature = JSON.stringify([Object.keys(update.data).sort(), checked.sort()]);
    let group = groups.get(signature);
    if (group === undefined) groups.set(signature, (group = []));
    group.push(update);
  }
  const statements: BatchStatement[] = [];
  for (const group of groups.values()) {
    const first = group[0] as ConditionalUpdate;
    const set = Object.keys(first.data);
    const checked = Object.keys(first.where).filter((field) => !model.primaryKey.includes(field));
    const perRow = model.primaryKey.length + checked.length + set.length;
    const size = Math.max(1, Math.floor(MAX_PARAMS / perRow));
    for (let start = 0; start < group.length; start += size) {
      statements.push(statement(dialect, model, group.slice(start, start + size), set, checked));
    }
  }
  return statements;
}

function statement(
  dialect: SqlDialect,
  model: BatchModel,
  rows: readonly ConditionalUpdate[],
  set: readonly string[],
  checked: readonly string[],
): BatchStatement {
  const params = new SqlParams(dialect);
  const q = (name: string) => quoteIdentifier(dialect, name);
  const column = (field: string) => q(model.columns.get(field) ?? field);
  const key = model.primaryKey;
  // The values table v: per row its key (k0…), the values it checks (o0…) and the values it sets (n0…).
  const names = [
    ...key.map((_, i) => `k${i}`),
    ...checked.map((_, i) => `o${i}`),
    ...set.map((_, i) => `n${i}`),
  ];
  const values = (row: ConditionalUpdate) => [
    ...key.map(
      (field, i) =>
        params.add(row.where[field]) + keyCast(dialect, model.fieldTypes?.get(key[i] ?? "") ?? ""),
    ),
    ...checked.map((field) => params.add(row.where[field] ?? null) + textCast(dialect)),
    ...set.map((field) => params.add(row.data[field] ?? null) + textCast(dialect)),
  ];
  const table = q(model.table);
  const target = dialect === "sqlite" ? table : "t";
  const joins = key.map((field, i) => `${target}.${column(field)} = v.k${i}`);
  const checks = checked.map((field, i) => nullSafeEquals(dialect, `${target}.${column(field)}`, `v.o${i}`));
  const assign = (prefix: string) => set.map((field, i) => `${prefix}${column(field)} = v.n${i}`).join(", ");
  let sql: string;
  if (dialect === "mysql") {
    const selects = rows.map((row, r) => {
      const cells = values(row);
      return `SELECT ${r === 0 ? cells.map((cell, i) => `${cell} AS ${names[i]}`).join(", ") : cells.join(", ")}`;
    });
    sql =
      `UPDATE ${table} AS t JOIN (${selects.join(" UNION ALL ")}) AS v ON ${joins.join(" AND ")} ` +
      `SET ${assign("t.")}${checks.length > 0 ? ` WHERE ${checks.join(" AND ")}` : ""}`;
  } else {
    const tuples = rows.map((row) => `(${values(row).join(", ")})`).join(", ");
    const where = [...joins, ...checks].join(" AND ");
    sql =
      dialect === "sqlite"
        ? `WITH v(${names.join(", ")}) AS (VALUES ${tuples}) UPDATE ${table} SET ${assign("")} FROM v WHERE ${where}`
        : `UPDATE ${table} AS t SET ${assign("")} FROM (VALUES ${tuples}) AS v(${names.join(", ")}) WHERE ${where}`;
  }
  return { sql, params: params.values, rows: rows.length };
}

/** PostgreSQL types a VALUES column by its first row: key parameters are cast to the key's type. */
function keyCast(dialect: SqlDialect, type: string): string {
  if (dialect !== "postgresql") return "";
  return type === "Int" ? "::int4" : type === "BigInt" ? "::int8" : "::text";
}

function textCast(dialect: SqlDialect): string {
  return dialect === "postgresql" ? "::text" : "";
}

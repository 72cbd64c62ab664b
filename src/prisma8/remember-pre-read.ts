/**
 * Recognises Prisma 8's pre-read (the `SELECT <primary key> … WHERE <the caller's where>` that `update()`
 * and `delete()` send first) and remembers, for each id it returns, the context fields its `WHERE`
 * pins (pre-read-contexts.ts). Any other query is left alone.
 */
import type { AnyQueryAst } from "./ast.js";
import { isColumnRef, tableScope, type AstNode } from "./encrypted-refs.js";
import { pinnedRow } from "./filters.js";
import type { PreReadContexts } from "./pre-read-contexts.js";
import type { VaultTable } from "./vault-tables.js";

/** When `ast` is a pre-read of a table with encrypted fields that pins its context, remembers `row`'s. */
export function rememberPreRead(
  row: Readonly<Record<string, unknown>>,
  ast: AnyQueryAst,
  tables: ReadonlyMap<string, VaultTable>,
  preReads: PreReadContexts,
): void {
  if (ast.kind !== "select") return;
  const from = ast.from as unknown as AstNode | undefined;
  if (from?.kind !== "table-source") return;
  const table = tables.get(from["name"] as string);
  if (table === undefined || ast.projection.length !== table.keyColumns.length) return;
  const alias = (from["alias"] as string | undefined) ?? table.table;
  const keys = ast.projection.map((item) => {
    const expr = item.expr as unknown;
    return isColumnRef(expr) && expr.table === alias && table.keyColumns.includes(expr.column)
      ? item.alias
      : undefined;
  });
  if (keys.some((k) => k === undefined)) return;
  const pinned = pinnedRow(table, alias, ast.where, tableScope(ast, tables));
  if (table.model.contextFields.some((f) => pinned[f] === undefined)) return;
  const byColumn = new Map(
    ast.projection.map((item) => [(item.expr as unknown as { column: string }).column, item.alias]),
  );
  preReads.remember(
    table.table,
    table.keyColumns.map((c) => row[byColumn.get(c) as string]),
    pinned,
  );
}

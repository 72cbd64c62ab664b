/**
 * Recognises Prisma 8's pre-read (the `SELECT <primary key> … WHERE <the caller's where>` that `update()`
 * and `delete()` send first) and remembers, for each id it returns, the context fields its `WHERE`
 * pins (pre-read-contexts.ts). Any other query is left alone. Whether a query is one is worked out once
 * per query, not once per row.
 */
import type { AnyQueryAst } from "./ast.js";
import { isColumnRef, tableScope, type AstNode } from "./encrypted-refs.js";
import { pinnedRow } from "./filters.js";
import type { PreReadContexts } from "./pre-read-contexts.js";
import type { Row } from "../schema/options.js";
import type { VaultTable } from "./vault-tables.js";

/** A pre-read: its table, the row keys holding the primary key (in key order), the fields it pins. */
interface PreRead {
  readonly table: VaultTable;
  readonly keyAliases: readonly string[];
  readonly pinned: Row;
}

const shapes = new WeakMap<object, PreRead | null>();

/** When `ast` is a pre-read of a table with encrypted fields that pins its context, remembers `row`'s. */
export function rememberPreRead(
  row: Readonly<Record<string, unknown>>,
  ast: AnyQueryAst,
  tables: ReadonlyMap<string, VaultTable>,
  preReads: PreReadContexts,
): void {
  let shape = shapes.get(ast);
  if (shape === undefined) shapes.set(ast, (shape = preReadOf(ast, tables)));
  if (shape === null) return;
  preReads.remember(
    shape.table.table,
    shape.keyAliases.map((alias) => row[alias]),
    shape.pinned,
  );
}

/** `ast` as a pre-read, or null: it selects exactly the primary key of one table and pins its context. */
function preReadOf(ast: AnyQueryAst, tables: ReadonlyMap<string, VaultTable>): PreRead | null {
  if (ast.kind !== "select") return null;
  const from = ast.from as unknown as AstNode | undefined;
  if (from?.kind !== "table-source") return null;
  const table = tables.get(from["name"] as string);
  if (table === undefined || ast.projection.length !== table.keyColumns.length) return null;
  const alias = (from["alias"] as string | undefined) ?? table.table;
  const aliasOf = new Map<string, string>();
  for (const item of ast.projection) {
    const expr = item.expr as unknown;
    if (!isColumnRef(expr) || expr.table !== alias || !table.keyColumns.includes(expr.column)) return null;
    aliasOf.set(expr.column, item.alias);
  }
  const pinned = pinnedRow(table, alias, ast.where, tableScope(ast, tables));
  if (table.model.contextFields.some((f) => pinned[f] === undefined)) return null;
  return { table, keyAliases: table.keyColumns.map((c) => aliasOf.get(c) as string), pinned };
}

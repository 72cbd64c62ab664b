/**
 * Where the encrypted values of a query's rows are: per key of a row, an encrypted field (carrying
 * its context or beside its context columns), or an included relation (a JSON array or object) with
 * a layout of its own. Read from the query as it was sent, so middleware that rewrote it after
 * prisma-vault are followed too. Pure, and computed once per query.
 */
import { VaultUnsupportedQueryError } from "../errors.js";
import type { EncryptedField } from "../schema/model-schema.js";
import type { AnyQueryAst, SelectAst } from "./ast.js";
import {
  encryptedRef,
  isColumnRef,
  tableScope,
  visit,
  type AstNode,
  type TableScope,
} from "./encrypted-refs.js";
import { CARRIER } from "./selects.js";
import type { VaultTable } from "./vault-tables.js";

/** One encrypted value of a row. */
export interface LayoutValue {
  /** The row's key holding it. */
  readonly key: string;
  readonly table: VaultTable;
  readonly field: EncryptedField;
  /** True when the value is `[context…, envelope]` (selects.ts), false when it is the envelope. */
  readonly carried: boolean;
}

/** The encrypted values of a row, and of the relations included in it. */
export interface RowLayout {
  readonly values: readonly LayoutValue[];
  readonly nested: readonly { readonly key: string; readonly layout: RowLayout }[];
}

const EMPTY: RowLayout = { values: [], nested: [] };

const layouts = new WeakMap<object, RowLayout>();

/** The layout of the rows `ast` returns (a select's projection, a write's `RETURNING`). */
export function layoutOf(ast: AnyQueryAst, tables: ReadonlyMap<string, VaultTable>): RowLayout {
  let layout = layouts.get(ast);
  if (layout === undefined) {
    const node = ast as unknown as AstNode;
    const items = (node.kind === "select" ? node["projection"] : node["returning"]) as AstNode[] | undefined;
    const from = node["from"] as AstNode | undefined;
    // A column of a derived table in FROM carries its context: selects.ts rewrote its query as nested.
    const derived = from?.kind === "derived-table-source" ? (from["alias"] as string) : undefined;
    layout = items === undefined ? EMPTY : levelOf(items, tableScope(ast, tables), derived);
    layouts.set(ast, layout);
  }
  return layout;
}

/** True when a row of `layout` holds nothing to open. */
export function isEmptyLayout(layout: RowLayout): boolean {
  return layout.values.length === 0 && layout.nested.length === 0;
}

function levelOf(items: readonly AstNode[], scope: TableScope, derived?: string): RowLayout {
  const values: LayoutValue[] = [];
  const nested: { key: string; layout: RowLayout }[] = [];
  for (const item of items) {
    const key = item["alias"] as string;
    const expr = item["expr"] as AstNode;
    const plain = encryptedRef(expr, scope);
    if (plain) {
      values.push({ key, table: plain.table, field: plain.field, carried: plain.ref.table === derived });
      continue;
    }
    if (expr.kind === "function-call" && expr["fn"] === CARRIER) {
      const args = expr["args"] as AstNode[];
      const carried = encryptedRef(args[args.length - 1], scope);
      if (carried) values.push({ key, table: carried.table, field: carried.field, carried: true });
      continue;
    }
    if (expr.kind === "subquery") {
      const layout = includedLayout(expr["query"] as SelectAst, scope);
      if (!isEmptyLayout(layout)) nested.push({ key, layout });
      else refuseUnplaced(expr, scope);
    }
  }
  return { values, nested };
}

/**
 * Fail closed: a sub-select that carries encrypted values (selects.ts wrapped them) where no layout
 * places them (an included relation nested one derived table deeper: `distinct()`, a `combine()`
 * branch) would return them still sealed.
 */
function refuseUnplaced(subquery: AstNode, scope: TableScope): void {
  visit(subquery, (node) => {
    if (node.kind !== "function-call" || node["fn"] !== CARRIER) return;
    const args = node["args"] as AstNode[];
    const found = encryptedRef(args[args.length - 1], scope);
    if (found) {
      throw new VaultUnsupportedQueryError("an included relation of this shape holds encrypted fields", {
        model: found.field.model,
        field: found.field.name,
      });
    }
  });
}

/**
 * The layout of an included relation: a sub-select over a derived table whose rows it aggregates as
 * JSON objects, each key the derived table's column of that name.
 */
function includedLayout(query: SelectAst, scope: TableScope): RowLayout {
  const from = query.from as unknown as AstNode | undefined;
  if (from?.kind !== "derived-table-source") return EMPTY;
  const alias = from["alias"] as string;
  const inner = levelOf((from["query"] as SelectAst).projection as unknown as AstNode[], scope);
  if (isEmptyLayout(inner)) return EMPTY;
  const values: LayoutValue[] = [];
  const nested: { key: string; layout: RowLayout }[] = [];
  visit(query.projection, (node) => {
    if (node.kind !== "json-object") return;
    for (const entry of node["entries"] as { key: string; value: AstNode }[]) {
      const column = entry.value["value"];
      if (!isColumnRef(column) || column.table !== alias) continue;
      for (const v of inner.values) if (v.key === column.column) values.push({ ...v, key: entry.key });
      for (const n of inner.nested)
        if (n.key === column.column) nested.push({ key: entry.key, layout: n.layout });
    }
  });
  // Fail closed: an included relation of a shape not understood would return its ciphertext as values.
  if (values.length === 0 && nested.length === 0) {
    const field = inner.values[0]?.field;
    throw new VaultUnsupportedQueryError("an included relation of this shape holds encrypted fields", {
      ...(field && { model: field.model, field: field.name }),
    });
  }
  return { values, nested };
}

/**
 * A `SELECT` (and any sub-select: included relations, derived tables, `EXISTS`) made safe to run over
 * ciphertext. Sorting, grouping, distinct values, joins and computed values over encrypted columns are
 * refused; filters go to the blind index (filters.ts); and each encrypted column a row returns
 * carries its row's key context beside it, so the row opens whatever else was selected: the column
 * becomes `json_build_array(<context columns as text>…, <column>)` under its own alias, and onRow
 * (open-rows.ts) puts the plaintext back in its place. At the top level, a projection that already
 * holds every context column is left as it is.
 */
import type { VaultCore } from "../core/vault-core.js";
import {
  CastExpr,
  ColumnRef,
  DerivedTableSource,
  FunctionCallExpr,
  ProjectionItem,
  SubqueryExpr,
} from "./ast.js";
import type { AnyExpression, SelectAst } from "./ast.js";
import {
  encryptedRef,
  overCiphertext,
  refuseEncrypted,
  type AstNode,
  type EncryptedRef,
  type TableScope,
} from "./encrypted-refs.js";
import { rewriteWhere } from "./filters.js";

/** The SQL function a carried column is wrapped in. */
export const CARRIER = "json_build_array";

/** What rewriting a select needs. */
export interface SelectEnv {
  readonly scope: TableScope;
  readonly core: VaultCore;
}

/**
 * `ast` rewritten to run over ciphertext; `nested` for a sub-select, whose columns always carry their
 * context (its rows reach the result as JSON, beside no context column of their own).
 */
export function rewriteSelect(ast: SelectAst, env: SelectEnv, nested: boolean): SelectAst {
  const { scope } = env;
  const sub = (query: SelectAst) => rewriteSelect(query, env, true);
  for (const item of ast.orderBy ?? []) refuseEncrypted(item, scope, "ordering by an encrypted field");
  for (const expr of ast.groupBy ?? []) refuseEncrypted(expr, scope, "grouping by an encrypted field");
  for (const expr of ast.distinctOn ?? []) refuseEncrypted(expr, scope, "distinct on an encrypted field");
  refuseEncrypted(ast.having, scope, "a having clause over an encrypted field");
  let out = ast;
  const from = ast.from as unknown as AstNode | undefined;
  if (from?.kind === "derived-table-source") {
    out = out.withFrom(DerivedTableSource.as(from["alias"] as string, sub(from["query"] as SelectAst)));
  }
  if (ast.joins !== undefined && ast.joins.length > 0) {
    for (const join of ast.joins)
      refuseEncrypted((join as unknown as AstNode)["on"], scope, "a join on an encrypted field");
    refuseEncrypted(
      ast.joins.filter((j) => (j.source as unknown as AstNode).kind === "derived-table-source"),
      scope,
      "a joined sub-select over an encrypted field",
    );
  }
  const where = rewriteWhere(ast.where, { scope, core: env.core, select: sub });
  if (where !== ast.where) out = out.withWhere(where);
  // The ORM aliases a derived table (distinct's ranked rows) as the table it reads: its encrypted
  // columns already carry their context (its query was rewritten as nested), so are not wrapped again.
  const derived = from?.kind === "derived-table-source" ? (from["alias"] as string) : undefined;
  const carry = nested || !holdsContext(ast, scope);
  const projection = ast.projection.map((item) => projected(item, env, carry, ast, derived));
  if (projection.some((item, i) => item !== ast.projection[i])) out = out.withProjection(projection);
  return out;
}

/**
 * A write's `RETURNING` items, rewritten as a select's projection: each encrypted column carries its
 * context unless the items hold every context column.
 */
export function rewriteReturning(
  items: readonly ProjectionItem[] | undefined,
  env: SelectEnv,
): readonly ProjectionItem[] | undefined {
  if (items === undefined) return undefined;
  const carry = !projectsContext(items, env.scope);
  const out = items.map((item) => {
    const found = encryptedRef(item.expr, env.scope);
    if (found) return carry ? ProjectionItem.of(item.alias, carrier(found), item.codec) : item;
    refuseEncrypted(item.expr, env.scope, "a value computed from an encrypted field");
    return item;
  });
  return out.some((item, i) => item !== items[i]) ? out : items;
}

/** `ast` (an insert, update or delete) with its `RETURNING` rewritten by {@link rewriteReturning}. */
export function withReturning<
  A extends {
    readonly returning: readonly ProjectionItem[] | undefined;
    withReturning(r: readonly ProjectionItem[] | undefined): A;
  },
>(ast: A, env: SelectEnv): A {
  const returning = rewriteReturning(ast.returning, env);
  return returning === ast.returning ? ast : ast.withReturning(returning);
}

/** One projected item, rewritten: an encrypted column carries its context, a sub-select is rewritten. */
function projected(
  item: ProjectionItem,
  env: SelectEnv,
  carry: boolean,
  ast: SelectAst,
  derived: string | undefined,
): ProjectionItem {
  const node = item.expr as unknown as AstNode;
  const found = encryptedRef(node, env.scope);
  if (found) {
    if (ast.distinct) throw overCiphertext(found, "distinct over an encrypted field");
    if (found.ref.table === derived) return item;
    return carry ? ProjectionItem.of(item.alias, carrier(found), item.codec) : item;
  }
  if (node.kind === "subquery") {
    return ProjectionItem.of(
      item.alias,
      SubqueryExpr.of(rewriteSelect(node["query"] as SelectAst, env, true)),
      item.codec,
    );
  }
  // COUNT(ssn) counts non-null values, which ciphertext answers alike.
  if (node.kind === "aggregate" && node["fn"] === "count") return item;
  refuseEncrypted(node, env.scope, "a value computed from an encrypted field");
  return item;
}

/** `json_build_array(<context columns as text>…, <column>)`: the column and its row's key context. */
export function carrier(found: EncryptedRef): AnyExpression {
  const alias = found.ref.table;
  const context = found.table.contextColumns.map((c) => CastExpr.as(ColumnRef.of(alias, c), "text"));
  return FunctionCallExpr.of(CARRIER, [...context, found.ref as unknown as AnyExpression]);
}

/** True when every table with encrypted columns in the projection has its context columns projected too. */
function holdsContext(ast: SelectAst, scope: TableScope): boolean {
  return projectsContext(ast.projection, scope);
}

function projectsContext(items: readonly ProjectionItem[], scope: TableScope): boolean {
  const projected = new Set<string>();
  for (const item of items) {
    const node = item.expr as unknown as AstNode;
    if (node.kind === "column-ref" && node["column"] === item.alias)
      projected.add(`${node["table"] as string}.${item.alias}`);
  }
  for (const item of items) {
    const found = encryptedRef(item.expr, scope);
    if (found && found.table.contextColumns.some((c) => !projected.has(`${found.ref.table}.${c}`)))
      return false;
  }
  return true;
}

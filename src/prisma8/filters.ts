/**
 * A query's `WHERE` over encrypted columns: equality, `in` and `notIn` on an indexed field become the
 * same test on its blind index; null checks pass; everything else that names ciphertext is refused
 * with `VAULT_UNSUPPORTED_QUERY` before anything is sent. And the key context a `WHERE` pins by
 * equality, which a tenant-scoped index and an update need.
 */
import type { KeyContext } from "../context/key-context.js";
import type { VaultCore } from "../core/vault-core.js";
import { VaultUnsupportedQueryError } from "../errors.js";
import { unsupportedQuery } from "../error-messages.js";
import type { Row } from "../schema/options.js";
import {
  AndExpr,
  BinaryExpr,
  ColumnRef,
  ExistsExpr,
  ListExpression,
  NotExpr,
  OrExpr,
  ParamRef,
} from "./ast.js";
import type { AnyExpression, SelectAst } from "./ast.js";
import {
  columnNamed,
  encryptedRef,
  overCiphertext,
  refuseEncrypted,
  type AstNode,
  type EncryptedRef,
  type TableScope,
} from "./encrypted-refs.js";
import { valueOf } from "./param-values.js";
import type { VaultTable } from "./vault-tables.js";

/** What rewriting a filter needs: the tables in scope, the core (for blind indexes), sub-selects' rewrite. */
export interface FilterEnv {
  readonly scope: TableScope;
  readonly core: VaultCore;
  /** Rewrites a sub-select (an `EXISTS`) as a whole. */
  readonly select: (ast: SelectAst) => SelectAst;
}

const INDEXED_OPS = new Set(["eq", "neq", "in", "notIn"]);

/**
 * `where` with every test on an encrypted field rewritten to its blind index, or refused.
 * `where` itself is the scope a tenant-scoped index takes its key context from.
 */
export function rewriteWhere(where: AnyExpression | undefined, env: FilterEnv): AnyExpression | undefined {
  if (where === undefined) return undefined;
  return rewrite(where, env, where);
}

function rewrite(expr: AnyExpression, env: FilterEnv, top: AnyExpression): AnyExpression {
  const node = expr as unknown as AstNode;
  switch (node.kind) {
    case "and":
      return AndExpr.of((node["exprs"] as AnyExpression[]).map((e) => rewrite(e, env, top)));
    case "or":
      return OrExpr.of((node["exprs"] as AnyExpression[]).map((e) => rewrite(e, env, top)));
    case "not":
      return new NotExpr(rewrite(node["expr"] as AnyExpression, env, top));
    case "null-check":
      // IS [NOT] NULL is answered alike over ciphertext: an envelope is null exactly when its value is.
      if (encryptedRef(node["expr"], env.scope)) return expr;
      break;
    case "exists":
      return new ExistsExpr(env.select(node["subquery"] as SelectAst), node["notExists"] === true);
    case "binary": {
      const found = encryptedRef(node["left"], env.scope);
      if (found) return indexed(found, node, env, top);
      break;
    }
  }
  refuseEncrypted(expr, env.scope, "this filter on an encrypted field");
  return expr;
}

/** `field op value` as the same test on the field's blind index. */
function indexed(found: EncryptedRef, node: AstNode, env: FilterEnv, top: AnyExpression): AnyExpression {
  const op = node["op"] as string;
  const index = found.field.index;
  if (!INDEXED_OPS.has(op)) throw overCiphertext(found, `${op} on an encrypted field`);
  if (index === undefined)
    throw overCiphertext(found, "a filter on an encrypted field without a blind index");
  const right = node["right"] as AstNode;
  const texts =
    right.kind === "list" ? (right["values"] as AstNode[]).map(textOf(found)) : [textOf(found)(right)];
  let context: KeyContext | undefined;
  if (index.blind.scope === "tenant") {
    context = pinnedContext(found.table, found.ref.table, top, env.scope);
    if (context === undefined) {
      const missing = found.table.model.contextFields;
      throw new VaultUnsupportedQueryError(unsupportedQuery.tenantIndexUnpinned(missing), {
        model: found.field.model,
        field: found.field.name,
      });
    }
  }
  const column = found.table.columnOf(index.column);
  const codec = found.table.codecs.get(column);
  const param = (text: string) =>
    ParamRef.of(env.core.blindIndex(index.blind, text, context as KeyContext), codec ? { codec } : {});
  const left = ColumnRef.of(found.ref.table, column);
  const value = right.kind === "list" ? ListExpression.of(texts.map(param)) : param(texts[0] as string);
  return new BinaryExpr(op as never, left, value);
}

/** The string a filter compares an encrypted field with; anything else is refused. */
function textOf(found: EncryptedRef): (node: AstNode) => string {
  return (node) => {
    const value = valueOf(node, found);
    if (typeof value !== "string")
      throw overCiphertext(found, "comparing an encrypted field with a non-string");
    return value;
  };
}

/**
 * The key context `where`'s top-level equalities pin the rows of `table` (as `alias`) to: every
 * context field compared with a value by `=` in a conjunction. `undefined` when one is missing.
 */
export function pinnedContext(
  table: VaultTable,
  alias: string,
  where: AnyExpression | undefined,
  scope: TableScope,
): KeyContext | undefined {
  const row = pinnedRow(table, alias, where, scope);
  if (table.model.contextFields.some((field) => row[field] === undefined)) return undefined;
  return table.model.contextOf(row);
}

/** The fields of `table` (as `alias`) that `where`'s top-level equalities give a value. */
export function pinnedRow(
  table: VaultTable,
  alias: string,
  where: AnyExpression | undefined,
  scope: TableScope,
): Row {
  const row: Record<string, unknown> = {};
  for (const term of conjuncts(where)) {
    if (term.kind !== "binary" || term["op"] !== "eq") continue;
    const column = columnNamed(term["left"], table, alias, scope);
    if (column === undefined) continue;
    const right = term["right"] as AstNode;
    if (right.kind !== "param-ref" && right.kind !== "literal") continue;
    const field = table.fieldOf.get(column);
    if (field !== undefined && right["value"] !== null && right["value"] !== undefined)
      row[field] = right["value"];
  }
  return row;
}

/** The terms `where` ANDs at its top level: its own, or itself alone; none without a where. */
export function conjuncts(where: AnyExpression | undefined): readonly AstNode[] {
  const node = where as unknown as AstNode | undefined;
  return node?.kind === "and" ? (node["exprs"] as AstNode[]) : node ? [node] : [];
}

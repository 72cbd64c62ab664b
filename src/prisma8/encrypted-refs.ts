/**
 * Which column references of a query name an encrypted column: the tables a query reads (by name and
 * alias, at any depth), and a deep search of any node for a reference to ciphertext. Pure.
 */
import { VaultUnsupportedQueryError } from "../errors.js";
import { unsupportedQuery } from "../error-messages.js";
import type { EncryptedField } from "../schema/model-schema.js";
import { ColumnRef } from "./ast.js";
import type { VaultTable } from "./vault-tables.js";

/** A node of Prisma 8's SQL AST, read by its `kind`. */
export interface AstNode {
  readonly kind?: string;
  readonly [key: string]: unknown;
}

/** A column reference: `"User"."ssn"`. */
export interface ColumnRefNode extends AstNode {
  readonly kind: "column-ref";
  readonly table: string;
  readonly column: string;
}

/** An encrypted column a reference names: its table and field. */
export interface EncryptedRef {
  readonly table: VaultTable;
  readonly field: EncryptedField;
  readonly ref: ColumnRefNode;
}

/** The tables a query names, by the name its column references use (an alias, else the table's name). */
export type TableScope = ReadonlyMap<string, VaultTable>;

/** Every table source under `ast` (sub-queries included) that holds encrypted columns, by alias or name. */
export function tableScope(ast: unknown, tables: ReadonlyMap<string, VaultTable>): TableScope {
  const scope = new Map<string, VaultTable>();
  visit(ast, (node) => {
    if (node.kind !== "table-source") return;
    const table = tables.get(node["name"] as string);
    if (table !== undefined) scope.set((node["alias"] as string | undefined) ?? table.table, table);
  });
  return scope;
}

/**
 * The encrypted column `node` is a reference to, when it is one: a column reference (`"User"."ssn"`),
 * or a bare identifier (`"ssn"`, what the SQL builder's `f.ssn` and `select("ssn")` give on a query
 * over one table), read as that column of the table in scope that has it.
 */
export function encryptedRef(node: unknown, scope: TableScope): EncryptedRef | undefined {
  if (isIdentifierRef(node)) return identifiedRef(node.name, scope);
  if (!isColumnRef(node)) return undefined;
  const table = scope.get(node.table);
  const field = table?.encrypted.get(node.column);
  return table && field ? { table, field, ref: node } : undefined;
}

/**
 * The encrypted column a bare identifier names. Over several tables that share the name it is the
 * first: the query is then refused or rewritten as for that column, never run over ciphertext
 * unchecked. The ref is made a column reference, so what is built on it (a blind-index test, a
 * carrier) names its table.
 */
function identifiedRef(name: string, scope: TableScope): EncryptedRef | undefined {
  for (const [alias, table] of scope) {
    const field = table.encrypted.get(name);
    if (field) return { table, field, ref: ColumnRef.of(alias, name) as unknown as ColumnRefNode };
  }
  return undefined;
}

/**
 * The column of `table` (read as `alias`) that `node` names: a column reference to it, or a bare
 * identifier naming one of its columns (SQL refuses a bare name two tables of a query share).
 */
export function columnNamed(
  node: unknown,
  table: VaultTable,
  alias: string,
  scope: TableScope,
): string | undefined {
  if (isColumnRef(node)) return node.table === alias && scope.get(alias) === table ? node.column : undefined;
  if (isIdentifierRef(node)) return table.fieldOf.has(node.name) ? node.name : undefined;
  return undefined;
}

function isIdentifierRef(node: unknown): node is AstNode & { readonly name: string } {
  return typeof node === "object" && node !== null && (node as AstNode).kind === "identifier-ref";
}

/** True when `node` is a column reference. */
export function isColumnRef(node: unknown): node is ColumnRefNode {
  return typeof node === "object" && node !== null && (node as AstNode).kind === "column-ref";
}

/** The first reference to an encrypted column anywhere under `node`. */
export function findEncryptedRef(node: unknown, scope: TableScope): EncryptedRef | undefined {
  let found: EncryptedRef | undefined;
  visit(node, (n) => {
    found ??= encryptedRef(n, scope);
  });
  return found;
}

/** Throws `VAULT_UNSUPPORTED_QUERY` (`what` cannot be answered over ciphertext) when `node` names ciphertext. */
export function refuseEncrypted(node: unknown, scope: TableScope, what: string): void {
  const found = findEncryptedRef(node, scope);
  if (found) throw overCiphertext(found, what);
}

/** The refusal of `what` over the encrypted field `found` names. */
export function overCiphertext(found: Pick<EncryptedRef, "field">, what: string): VaultUnsupportedQueryError {
  return new VaultUnsupportedQueryError(unsupportedQuery.overCiphertext(what), {
    model: found.field.model,
    field: found.field.name,
  });
}

/** Calls `see` on every AST node under `root` (objects with a `kind`), depth first. */
export function visit(root: unknown, see: (node: AstNode) => void): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    const kind = (node as AstNode).kind;
    if (typeof kind === "string") see(node as AstNode);
    // A parameter's value is the caller's data, never part of the query's shape.
    if (kind === "param-ref" || kind === "literal") continue;
    for (const [key, value] of Object.entries(node)) if (key !== "codec") stack.push(value);
  }
}

/**
 * An `UPDATE` (update, updateAll) that writes encrypted fields or the key context, sealed under the
 * context of the rows it changes, never a guessed one:
 * - the context its `WHERE` pins by equality (updateAll, or an update whose where names the tenant); or
 * - the context Prisma 8's pre-read pinned for the id it names (pre-read-contexts.ts), which is then
 *   added to the `WHERE`, so a row whose context moved meanwhile matches nothing (and is reported).
 * Otherwise `VAULT_CONTEXT_MISSING` before anything is written. An update that moves rows to another
 * context must write every encrypted field (each is sealed again under the new one), or is refused.
 */
import { canonicalize, type KeyContext } from "../context/key-context.js";
import type { VaultCore } from "../core/vault-core.js";
import { contextMissing } from "../error-messages.js";
import { VaultContextMissingError, VaultUnsupportedQueryError } from "../errors.js";
import { AndExpr, BinaryExpr, ColumnRef, ParamRef, type AnyExpression, type UpdateAst } from "./ast.js";
import { isColumnRef, type AstNode, type TableScope } from "./encrypted-refs.js";
import { conjuncts, pinnedRow } from "./filters.js";
import type { PreReadContexts } from "./pre-read-contexts.js";
import { sealUnits } from "./seal-writes.js";
import type { VaultTable } from "./vault-tables.js";
import { writtenRow } from "./write-values.js";

/** What sealing an update needs. */
export interface UpdateEnv {
  readonly core: VaultCore;
  readonly scope: TableScope;
  readonly preReads: PreReadContexts;
}

/** The sealed update, and whether its `WHERE` was narrowed to a remembered context (0 rows is then a move). */
export interface SealedUpdate {
  readonly ast: UpdateAst;
  readonly guarded: boolean;
}

/** `ast` with its encrypted values sealed (and its `WHERE` narrowed where a pre-read gave the context). */
export async function sealUpdate(ast: UpdateAst, table: VaultTable, env: UpdateEnv): Promise<SealedUpdate> {
  const written = writtenRow(table, ast.set);
  const model = table.model;
  const moves = table.contextColumns.some((c) => Object.hasOwn(ast.set, c));
  if (written.values.length === 0 && !moves) return { ast, guarded: false };
  const alias = ast.table.alias ?? ast.table.name;
  let where = ast.where;
  let guarded = false;
  let pinned = pinnedRow(table, alias, where, env.scope);
  if (!holdsContext(table, pinned)) {
    const key = keyNamed(table, alias, where);
    const remembered = key && env.preReads.take(table.table, key);
    if (remembered !== undefined) {
      pinned = remembered;
      where = AndExpr.of([...(where ? [where] : []), ...contextTests(table, alias, remembered)]);
      guarded = true;
    }
  }
  const old = holdsContext(table, pinned) ? model.contextOf(pinned) : undefined;
  const place = { model: model.name, field: written.values[0]?.field.name };
  let context: KeyContext | undefined = old;
  if (moves) {
    const row = { ...pinned, ...written.fields };
    context = holdsContext(table, row) ? model.contextOf(row) : undefined;
    const same = old !== undefined && context !== undefined && canonicalize(old) === canonicalize(context);
    if (!same && written.values.length < table.encrypted.size) {
      throw new VaultUnsupportedQueryError(
        "an update that changes the key context must also write every encrypted field, so each is sealed under the new context",
        place,
      );
    }
  }
  if (context === undefined) {
    throw new VaultContextMissingError(contextMissing.updateUnpinned(model.contextFields), place);
  }
  const [columns] = await sealUnits(env.core, [{ table, values: written.values, context, id: undefined }]);
  let out = ast.withSet({ ...ast.set, ...columns });
  if (where !== ast.where) out = out.withWhere(where);
  return { ast: out, guarded };
}

/** The primary key `where` names by equality alone (`id = 7`), in key order; `undefined` otherwise. */
function keyNamed(table: VaultTable, alias: string, where: AnyExpression | undefined): unknown[] | undefined {
  const values = new Map<string, unknown>();
  for (const term of conjuncts(where)) {
    const left = term["left"];
    const right = term["right"] as AstNode | undefined;
    if (term.kind !== "binary" || term["op"] !== "eq" || !isColumnRef(left) || left.table !== alias)
      return undefined;
    if (right?.kind !== "param-ref" && right?.kind !== "literal") return undefined;
    values.set(left.column, right["value"]);
  }
  if (table.keyColumns.length === 0 || values.size !== table.keyColumns.length) return undefined;
  if (table.keyColumns.some((c) => !values.has(c))) return undefined;
  return table.keyColumns.map((c) => values.get(c));
}

/** True when `row` gives every context field of `table`'s model. */
function holdsContext(table: VaultTable, row: Readonly<Record<string, unknown>>): boolean {
  return table.model.contextFields.every((f) => row[f] !== undefined && row[f] !== null);
}

/** `contextColumn = value` for each context field `pinned` gives, as parameters of the column's codec. */
function contextTests(
  table: VaultTable,
  alias: string,
  pinned: Readonly<Record<string, unknown>>,
): AnyExpression[] {
  return table.model.contextFields.map((field) => {
    const column = table.columnOf(field);
    const codec = table.codecs.get(column);
    return BinaryExpr.eq(ColumnRef.of(alias, column), ParamRef.of(pinned[field], codec ? { codec } : {}));
  });
}

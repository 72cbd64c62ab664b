/**
 * An `INSERT` (create, createAll, nested creates, upsert) with its encrypted values sealed under each
 * row's key context, read from the row itself. An upsert's `DO UPDATE` branch is sealed under the
 * inserted row's context only when its conflict target holds every context column, so the row it
 * updates is known to share that context; otherwise it is refused before anything is sent.
 */
import { VaultContextMissingError, VaultUnsupportedQueryError } from "../errors.js";
import { canonicalize, type KeyContext } from "../context/key-context.js";
import type { VaultCore } from "../core/vault-core.js";
import { InsertOnConflict, type InsertAst } from "./ast.js";
import type { AstNode } from "./encrypted-refs.js";
import { sealUnits, type SealUnit } from "./seal-writes.js";
import type { VaultTable } from "./vault-tables.js";
import { writtenRow } from "./write-values.js";

/** `ast` with every encrypted value sealed; `ast` itself when its table has none. */
export async function sealInsert(ast: InsertAst, table: VaultTable, core: VaultCore): Promise<InsertAst> {
  const rows = ast.rows.map((row) => writtenRow(table, row));
  const units: SealUnit[] = rows.map((written) => {
    const id = idOf(table, written.fields);
    const context =
      written.values.length === 0 ? ({} as KeyContext) : table.model.contextOf(written.fields, id);
    return { table, values: written.values, context, id };
  });
  const conflict = conflictUnit(
    ast,
    table,
    rows.map((r) => r.fields),
  );
  const sealed = await sealUnits(core, conflict ? [...units, conflict] : units);
  let out = ast.withRows(ast.rows.map((row, i) => ({ ...row, ...sealed[i] }) as typeof row));
  if (conflict && ast.onConflict) {
    const action = ast.onConflict.action as unknown as AstNode;
    const set = { ...(action["set"] as Record<string, never>), ...sealed[units.length] };
    out = out.withOnConflict(InsertOnConflict.on(ast.onConflict.columns).doUpdateSet(set));
  }
  return out;
}

/** The `DO UPDATE SET` branch as a unit to seal, when it writes encrypted values or the context. */
function conflictUnit(
  ast: InsertAst,
  table: VaultTable,
  rows: readonly Readonly<Record<string, unknown>>[],
): SealUnit | undefined {
  const action = ast.onConflict?.action as unknown as AstNode | undefined;
  if (action?.kind !== "do-update-set") return undefined;
  const set = action["set"] as Record<string, unknown>;
  const written = writtenRow(table, set);
  const movesContext = table.contextColumns.some((c) => Object.hasOwn(set, c));
  if (written.values.length === 0 && !movesContext) return undefined;
  const model = table.model;
  const place = { model: model.name, field: written.values[0]?.field.name };
  const target = new Set(ast.onConflict?.columns.map((c) => c.column));
  if (table.contextColumns.some((c) => !target.has(c))) {
    throw new VaultContextMissingError(
      "an upsert that updates an encrypted field or the key context needs a conflict target holding every key context field, so the row it updates is known to share the row's context",
      place,
    );
  }
  if (rows.length !== 1) {
    throw new VaultUnsupportedQueryError("an upsert of several rows that updates an encrypted field", place);
  }
  const row = rows[0] as Readonly<Record<string, unknown>>;
  const id = idOf(table, row);
  const inserted = model.contextOf(row, id);
  if (
    movesContext &&
    canonicalize(model.contextOf({ ...row, ...written.fields }, id)) !== canonicalize(inserted)
  ) {
    throw new VaultUnsupportedQueryError(
      "an upsert whose update moves the row to another key context",
      place,
    );
  }
  return { table, values: written.values, context: inserted, id };
}

/** The row's primary key, when the write gives it, for errors. */
export function idOf(table: VaultTable, fields: Readonly<Record<string, unknown>>): unknown {
  const key = table.model.primaryKey;
  if (key.length === 1) return fields[key[0] as string];
  if (key.length === 0 || key.some((k) => fields[k] === undefined)) return undefined;
  return Object.fromEntries(key.map((k) => [k, fields[k]]));
}

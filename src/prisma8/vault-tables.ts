/**
 * The schema as the SQL AST meets it: per table name, the model with encrypted fields that lives
 * there, which columns hold ciphertext, blind indexes and the key context, and each column's codec.
 * Pure data, built once when the middleware is made.
 */
import type { EncryptedField, ModelSchema, VaultSchema } from "../schema/model-schema.js";
import type { ContractTable } from "./contract-data-model.js";

/** A table holding encrypted columns, as the middleware reads and rewrites its queries. */
export interface VaultTable {
  readonly model: ModelSchema;
  readonly table: string;
  /** Each encrypted column's field. */
  readonly encrypted: ReadonlyMap<string, EncryptedField>;
  /** Each blind-index column's encrypted field. */
  readonly indexes: ReadonlyMap<string, EncryptedField>;
  /** The context fields' columns, in `model.contextFields` order. */
  readonly contextColumns: readonly string[];
  /** The primary key's columns, in `model.primaryKey` order. */
  readonly keyColumns: readonly string[];
  /** Each column's field name. */
  readonly fieldOf: ReadonlyMap<string, string>;
  /** A field's column. */
  columnOf(field: string): string;
  /** A column's codec, for the ParamRefs the middleware writes into it. */
  readonly codecs: ReadonlyMap<string, { readonly codecId: string }>;
}

/** The tables of `schema`'s models that have encrypted fields, by table name. */
export function vaultTables(
  schema: VaultSchema,
  tables: ReadonlyMap<string, ContractTable>,
): ReadonlyMap<string, VaultTable> {
  const out = new Map<string, VaultTable>();
  for (const model of schema.models.values()) {
    if (model.encrypted.size === 0) continue;
    const table = tables.get(model.name);
    if (table === undefined) continue;
    const columnOf = (field: string): string => model.columns.get(field) ?? field;
    out.set(table.table, {
      model,
      table: table.table,
      encrypted: new Map([...model.encrypted.values()].map((f) => [columnOf(f.name), f])),
      indexes: new Map([...model.indexColumns].map(([field, f]) => [columnOf(field), f])),
      contextColumns: model.contextFields.map(columnOf),
      keyColumns: model.primaryKey.map(columnOf),
      fieldOf: new Map([...model.columns].map(([field, column]) => [column, field])),
      columnOf,
      codecs: table.codecs,
    });
  }
  return out;
}

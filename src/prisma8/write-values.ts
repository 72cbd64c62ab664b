/**
 * The values a write gives a table's columns (an `INSERT` row, an `UPDATE`'s `SET`), read for
 * sealing: the plaintexts of encrypted columns, the key context fields, and the refusals of what
 * cannot be sealed (a blind-index column given by hand, a value that is no string).
 */
import { VaultUnsupportedQueryError } from "../errors.js";
import { unsupportedQuery } from "../error-messages.js";
import type { EncryptedField } from "../schema/model-schema.js";
import type { AstNode } from "./encrypted-refs.js";
import { valueOf } from "./param-values.js";
import type { VaultTable } from "./vault-tables.js";

/** One encrypted column a write sets: to a plaintext, or to null. */
export interface WrittenValue {
  readonly column: string;
  readonly field: EncryptedField;
  /** The plaintext to seal, or null. */
  readonly text: string | null;
  /** The node it replaces (its `name` and `codec` are kept). */
  readonly node: AstNode;
}

/** What a write gives a table: its encrypted values and the fields (context, key) it sets by value. */
export interface WrittenRow {
  readonly values: readonly WrittenValue[];
  /** Fields given a value, by field name: the key context and primary key are read from here. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The encrypted values and field values `columns` (column → node) give `table`. */
export function writtenRow(table: VaultTable, columns: Readonly<Record<string, unknown>>): WrittenRow {
  const values: WrittenValue[] = [];
  const fields: Record<string, unknown> = {};
  for (const [column, raw] of Object.entries(columns)) {
    const node = raw as AstNode;
    const indexed = table.indexes.get(column);
    if (indexed) {
      throw new VaultUnsupportedQueryError(
        `the blind-index column "${column}" is written by prisma-vault; write ${indexed.name} instead`,
        { model: indexed.model, field: indexed.name },
      );
    }
    const field = table.encrypted.get(column);
    if (field === undefined) {
      const name = table.fieldOf.get(column);
      const value = node.kind === "param-ref" || node.kind === "literal" ? node["value"] : undefined;
      if (name !== undefined && value !== undefined) fields[name] = value;
      continue;
    }
    if (node.kind === "default-value") continue;
    const value = valueOf(node, { field });
    if (value !== null && typeof value !== "string") {
      throw new VaultUnsupportedQueryError(unsupportedQuery.notAString, {
        model: field.model,
        field: field.name,
      });
    }
    values.push({ column, field, text: value, node });
  }
  return { values, fields };
}

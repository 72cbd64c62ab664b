/**
 * Seals the encrypted values of writes in one batch: each value under its row's key context, its
 * envelope checked to fit the column, and its blind index computed. Gives the new nodes; the caller
 * builds the new query from them.
 */
import { checkedToFit } from "../core/checked-to-fit.js";
import type { VaultCore } from "../core/vault-core.js";
import type { KeyContext } from "../context/key-context.js";
import { fieldRefs } from "../schema/field-ref.js";
import { ParamRef, type AnyExpression } from "./ast.js";
import type { VaultTable } from "./vault-tables.js";
import type { WrittenValue } from "./write-values.js";

/** A row's encrypted values and where they go. */
export interface SealUnit {
  readonly table: VaultTable;
  readonly values: readonly WrittenValue[];
  readonly context: KeyContext;
  readonly id: unknown;
}

/** Per unit, the columns to set: each encrypted column to its envelope (or null), its index beside it. */
export async function sealUnits(
  core: VaultCore,
  units: readonly SealUnit[],
): Promise<Record<string, AnyExpression>[]> {
  const refFor = fieldRefs();
  const items = units.flatMap((u) =>
    u.values.flatMap((v) =>
      v.text === null ? [] : [{ text: v.text, ref: refFor(v.field, u.context, u.id) }],
    ),
  );
  const sealing = items.length === 0 ? [] : core.sealAll(items);
  const envelopes = sealing instanceof Promise ? await sealing : sealing;
  let next = 0;
  return units.map((unit) => {
    const columns: Record<string, AnyExpression> = {};
    for (const value of unit.values) {
      const options = paramOptions(value.node);
      const index = value.field.index;
      const indexColumn = index && unit.table.columnOf(index.column);
      if (value.text === null) {
        columns[value.column] = ParamRef.of(null, options);
        if (indexColumn) columns[indexColumn] = ParamRef.of(null, codecOf(unit.table, indexColumn));
        continue;
      }
      const envelope = checkedToFit(core, value.field, envelopes[next++] as string, unit.id);
      columns[value.column] = ParamRef.of(envelope, options);
      if (index && indexColumn) {
        const digest = core.blindIndex(index.blind, value.text, unit.context);
        columns[indexColumn] = ParamRef.of(digest, {
          name: indexColumn,
          ...codecOf(unit.table, indexColumn),
        });
      }
    }
    return columns;
  });
}

function paramOptions(node: Readonly<Record<string, unknown>>): {
  name?: string;
  codec?: { codecId: string };
} {
  const name = node["name"] as string | undefined;
  const codec = node["codec"] as { codecId: string } | undefined;
  return { ...(name !== undefined && { name }), ...(codec !== undefined && { codec }) };
}

function codecOf(table: VaultTable, column: string): { codec?: { codecId: string } } {
  const codec = table.codecs.get(column);
  return codec ? { codec } : {};
}

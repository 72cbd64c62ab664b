/**
 * Pure: the queries the extension adds. Reads that reach a nested row from the top-level row of a
 * write (a `select` along a locator, and the rows it returns), and the conditions that pin an update
 * to the context it was sealed for.
 */
import type { ModelSchema, VaultSchema } from "../schema/model-schema.js";
import type { Loose } from "./plan/args.js";
import type { Locator } from "./plan/write.js";

/** A `select` that reaches `columns` of the row at `locator`. */
export function selectAlong(
  schema: VaultSchema,
  top: ModelSchema,
  locator: Locator,
  columns: readonly string[],
): Loose {
  const leaf: Loose = Object.fromEntries(columns.map((c) => [c, true]));
  let select = leaf;
  const models: ModelSchema[] = [top];
  for (const step of locator) {
    const target = schema.models.get(models.at(-1)?.relations.get(step.relation)?.target ?? "");
    if (target) models.push(target);
  }
  for (let i = locator.length - 1; i >= 0; i--) {
    const step = locator[i] as Locator[number];
    const relation = models[i]?.relations.get(step.relation);
    const nested: Loose = { select };
    if (step.where && relation?.isList !== false) nested["where"] = step.where;
    select = { [step.relation]: nested };
  }
  return select;
}

export function rowsAlong(row: unknown, locator: Locator): Loose[] {
  let rows: unknown[] = row ? [row] : [];
  for (const step of locator) {
    rows = rows.flatMap((r) => {
      const next = (r as Loose)[step.relation];
      return Array.isArray(next) ? (next as unknown[]) : next ? [next] : [];
    });
  }
  return rows as Loose[];
}

export function andWhere(where: Loose, extra: Loose): Loose {
  const and = where["AND"] === undefined ? [] : Array.isArray(where["AND"]) ? where["AND"] : [where["AND"]];
  return { ...where, AND: [...(and as unknown[]), extra] };
}

export function contextEquals(model: ModelSchema, row: Loose): Loose {
  return Object.fromEntries(model.contextFields.map((f) => [f, row[f]]));
}

/** `{ field: storedValue }` for each of `fields` (an envelope compared whole, or null). */
export function storedEquals(fields: readonly { readonly name: string }[], row: Loose): Loose {
  return Object.fromEntries(fields.map((field) => [field.name, row[field.name] ?? null]));
}

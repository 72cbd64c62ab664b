/**
 * Pure: the queries the extension adds. Reads that reach a nested row from the top-level row of a
 * write (a `select` along a locator, and the rows it returns), and the conditions that pin an update
 * to the context it was sealed for.
 */
import type { ModelSchema, VaultSchema } from "../schema/model-schema.js";
import type { PrismaObject } from "../client/prisma-object.js";
import type { Locator } from "./plan/write.js";

/** A `select` that reaches `columns` of the row at `locator`. */
export function selectAlong(
  schema: VaultSchema,
  top: ModelSchema,
  locator: Locator,
  columns: readonly string[],
): PrismaObject {
  const leaf: PrismaObject = Object.fromEntries(columns.map((c) => [c, true]));
  let select = leaf;
  const models: ModelSchema[] = [top];
  for (const step of locator) {
    const target = schema.models.get(models.at(-1)?.relations.get(step.relation)?.target ?? "");
    if (target) models.push(target);
  }
  for (let i = locator.length - 1; i >= 0; i--) {
    const step = locator[i] as Locator[number];
    const relation = models[i]?.relations.get(step.relation);
    const nested: PrismaObject = { select };
    if (step.where && relation?.isList !== false) nested["where"] = step.where;
    select = { [step.relation]: nested };
  }
  return select;
}

export function rowsAlong(row: unknown, locator: Locator): PrismaObject[] {
  let rows: unknown[] = row ? [row] : [];
  for (const step of locator) {
    rows = rows.flatMap((r) => {
      const next = (r as PrismaObject)[step.relation];
      return Array.isArray(next) ? (next as unknown[]) : next ? [next] : [];
    });
  }
  return rows as PrismaObject[];
}

export function andWhere(where: PrismaObject, extra: PrismaObject): PrismaObject {
  const and = where["AND"] === undefined ? [] : Array.isArray(where["AND"]) ? where["AND"] : [where["AND"]];
  return { ...where, AND: [...(and as unknown[]), extra] };
}

export function contextEquals(model: ModelSchema, row: PrismaObject): PrismaObject {
  return Object.fromEntries(model.contextFields.map((f) => [f, row[f]]));
}

/** `{ field: storedValue }` for each of `fields` (an envelope compared whole, or null). */
export function storedEquals(fields: readonly { readonly name: string }[], row: PrismaObject): PrismaObject {
  return Object.fromEntries(fields.map((field) => [field.name, row[field.name] ?? null]));
}

/**
 * Pure: the reads the extension adds to reach a nested row of a write from its top-level row, along the
 * row's {@link Locator} (the relations from the top-level row down to it): the `select` that reaches
 * it, and the rows that select returns.
 */
import type { ModelSchema, VaultSchema } from "../schema/model-schema.js";
import type { PrismaObject } from "../client/prisma-object.js";
import type { Locator } from "./plan/write.js";

/**
 * A `select` that reaches `columns` of the row at `locator`.
 *
 * @example selectAlong(schema, user, [{ relation: "posts" }], ["tenantId"]) // { posts: { select: { tenantId: true } } }
 */
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

/**
 * The rows at `locator` in `row`, the result of a read with {@link selectAlong}'s select.
 *
 * @example rowsAlong({ id: 1, posts: [{ id: 7 }] }, [{ relation: "posts" }]) // [{ id: 7 }]
 */
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

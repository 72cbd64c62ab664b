/**
 * Pure: the conditions that pin an update to what the reads before it found: the context its values
 * were sealed for, and the stored values it re-seals, AND-ed to its `where`.
 */
import type { ModelSchema } from "../schema/model-schema.js";
import type { PrismaObject } from "../client/prisma-object.js";

/**
 * `where` with `extra` AND-ed to it, its own `AND` kept.
 *
 * @example andWhere({ id: 1 }, { organizationId: "o1" }) // { id: 1, AND: [{ organizationId: "o1" }] }
 */
export function andWhere(where: PrismaObject, extra: PrismaObject): PrismaObject {
  const and = where["AND"] === undefined ? [] : Array.isArray(where["AND"]) ? where["AND"] : [where["AND"]];
  return { ...where, AND: [...(and as unknown[]), extra] };
}

/**
 * `{ contextField: value }` for each of `model`'s context fields in `row`: the context a write was sealed for.
 *
 * @example contextEquals(user, { id: 1, organizationId: "o1" }) // { organizationId: "o1" }
 */
export function contextEquals(model: ModelSchema, row: PrismaObject): PrismaObject {
  return Object.fromEntries(model.contextFields.map((f) => [f, row[f]]));
}

/**
 * `{ field: storedValue }` for each of `fields` (an envelope compared whole, or null).
 *
 * @example storedEquals([{ name: "ssn" }], row) // { ssn: "AAAA…" }
 */
export function storedEquals(fields: readonly { readonly name: string }[], row: PrismaObject): PrismaObject {
  return Object.fromEntries(fields.map((field) => [field.name, row[field.name] ?? null]));
}

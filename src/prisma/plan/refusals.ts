/**
 * Pure: the parts of a query that no index can answer over ciphertext: sorting, grouping, `distinct`
 * and aggregating by an encrypted field. Each would silently sort or aggregate random bytes, so it is
 * refused with `VAULT_UNSUPPORTED_QUERY` naming model and field.
 */
import { unsupportedQuery } from "../../error-messages.js";
import { VaultUnsupportedQueryError } from "../../errors.js";
import type { ModelSchema, VaultSchema } from "../../schema/model-schema.js";
import { list } from "./args.js";
import { type PrismaObject, isObject } from "../../client/prisma-object.js";
import { orderSteps } from "./grammar.js";

/** Refuses an `orderBy` object on `model`, or on a related model, that sorts by an encrypted field. */
export function checkOrderBy(schema: VaultSchema, model: ModelSchema, order: PrismaObject): void {
  for (const step of orderSteps(schema, model, order)) {
    if (step.role === "relation") {
      checkOrderBy(schema, step.model, step.order);
      continue;
    }
    const { key, value } = step;
    if (model.encrypted.has(key)) refuse(model, key, "orderBy on an encrypted field");
    // groupBy sorts by aggregates: `orderBy: { _max: { email: "asc" } }`.
    if ((key === "_min" || key === "_max" || key === "_avg" || key === "_sum") && isObject(value)) {
      for (const field of Object.keys(value)) refuseIfEncrypted(model, field, `orderBy ${key}`);
    }
    if (key === "_relevance" && isObject(value)) {
      for (const field of list(value["fields"])) refuseIfEncrypted(model, field, "orderBy _relevance");
    }
  }
}

/** Refuses `_min`, `_max`, `_avg` and `_sum` of an encrypted field (aggregate, groupBy). */
export function checkAggregates(model: ModelSchema, args: PrismaObject): void {
  for (const op of ["_min", "_max", "_avg", "_sum"] as const) {
    const fields = args[op];
    if (!isObject(fields)) continue;
    for (const [field, on] of Object.entries(fields))
      if (on) refuseIfEncrypted(model, field, `${op} aggregate`);
  }
}

/** Refuses a groupBy `having` on an encrypted field, at any depth of AND / OR / NOT. */
export function checkHaving(model: ModelSchema, having: PrismaObject): void {
  for (const [key, value] of Object.entries(having)) {
    if (key === "AND" || key === "OR" || key === "NOT") {
      for (const item of list(value)) if (isObject(item)) checkHaving(model, item);
    } else if (model.encrypted.has(key)) {
      refuse(model, key, "having on an encrypted field");
    }
  }
}

/** Refuses `field` (a `distinct` or `by` entry, an aggregate's key) when it is encrypted. */
export function refuseIfEncrypted(model: ModelSchema, field: unknown, what: string): void {
  if (typeof field === "string" && model.encrypted.has(field))
    refuse(model, field, `${what} on an encrypted field`);
}

export function refuse(model: ModelSchema, field: string, what: string): never {
  throw new VaultUnsupportedQueryError(unsupportedQuery.overCiphertext(what), { model: model.name, field });
}

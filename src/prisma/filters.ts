/**
 * Pure: refuses queries that cannot be answered over ciphertext. A filter, sort, `distinct`, `cursor`,
 * `groupBy` key or aggregate over an encrypted field would silently match, sort or aggregate random
 * bytes; prisma-vault throws `VAULT_UNSUPPORTED_QUERY` naming the model and field instead.
 * Null checks (`field: null`, `{ equals: null }`, `{ not: null }`) are answered correctly and allowed.
 */
import { VaultError } from "../errors.js";
import type { ModelSchema, VaultSchema } from "../schema.js";
import { type Loose, isObject, list } from "./args.js";

const NESTED_WRITES = [
  "create",
  "createMany",
  "connectOrCreate",
  "connect",
  "update",
  "updateMany",
  "upsert",
  "delete",
  "deleteMany",
  "disconnect",
  "set",
] as const;

/**
 * Throws `VAULT_UNSUPPORTED_QUERY` when `args` of `operation` on `model` filter, sort, group or
 * aggregate by an encrypted field anywhere, including nested selections and nested writes.
 *
 * @example checkQuery(schema, "User", "findMany", { orderBy: { email: "asc" } }) // throws
 */
export function checkQuery(schema: VaultSchema, model: string, operation: string, args: unknown): void {
  const m = schema.models.get(model);
  if (!m || !isObject(args)) return;
  checkReadArgs(schema, m, args);
  if (operation === "groupBy") {
    for (const field of list(args["by"])) refuseIfEncrypted(m, field, "groupBy");
    checkAggregates(m, args);
    if (isObject(args["having"])) checkHaving(m, args["having"]);
  }
  if (operation === "aggregate") checkAggregates(m, args);
  for (const key of ["data", "create", "update"] as const) {
    for (const data of list(args[key])) if (isObject(data)) checkWriteData(schema, m, data);
  }
}

function checkReadArgs(schema: VaultSchema, model: ModelSchema, args: Loose): void {
  if (isObject(args["where"])) checkWhere(schema, model, args["where"]);
  for (const order of list(args["orderBy"])) if (isObject(order)) checkOrderBy(schema, model, order);
  for (const field of list(args["distinct"])) refuseIfEncrypted(model, field, "distinct");
  if (isObject(args["cursor"])) checkWhere(schema, model, args["cursor"], "cursor");
  for (const key of ["select", "include"] as const) {
    const selection = args[key];
    if (!isObject(selection)) continue;
    for (const [name, value] of Object.entries(selection)) {
      // `_count: { select: { posts: { where } } }` counts filtered relations.
      if (name === "_count" && isObject(value) && isObject(value["select"])) {
        checkReadArgs(schema, model, { select: value["select"] });
        continue;
      }
      const relation = model.relations.get(name);
      const target = relation && schema.models.get(relation.target);
      if (target && isObject(value)) checkReadArgs(schema, target, value);
    }
  }
}

/** `where` (or `cursor`) of `model`: any filter on an encrypted field except a null check. */
function checkWhere(schema: VaultSchema, model: ModelSchema, where: Loose, what = "a filter"): void {
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined) continue; // Prisma ignores undefined filters
    if (key === "AND" || key === "OR" || key === "NOT") {
      for (const item of list(value)) if (isObject(item)) checkWhere(schema, model, item, what);
      continue;
    }
    if (model.encrypted.has(key)) {
      if (!isNullCheck(value))
        refuse(model, key, `${what} on an encrypted field (only null checks are possible)`);
      continue;
    }
    const relation = model.relations.get(key);
    if (relation) {
      const target = schema.models.get(relation.target);
      if (!target || !isObject(value)) continue;
      const filters = ["some", "every", "none", "is", "isNot"].filter((op) => op in value);
      if (filters.length === 0) checkWhere(schema, target, value, what);
      for (const op of filters) if (isObject(value[op])) checkWhere(schema, target, value[op], what);
      continue;
    }
    // Compound unique inputs (`organizationId_email: { ... }`) name their fields inside.
    if (!model.scalars.has(key) && isObject(value)) {
      for (const inner of Object.keys(value)) {
        if (model.encrypted.has(inner)) refuse(model, inner, `${what} on an encrypted field`);
      }
    }
  }
}

function isNullCheck(value: unknown): boolean {
  if (value === null) return true;
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => (key === "equals" || key === "not") && value[key] === null);
}

function checkOrderBy(schema: VaultSchema, model: ModelSchema, order: Loose): void {
  for (const [key, value] of Object.entries(order)) {
    if (model.encrypted.has(key)) refuse(model, key, "orderBy on an encrypted field");
    // groupBy sorts by aggregates: `orderBy: { _max: { email: "asc" } }`.
    if ((key === "_min" || key === "_max" || key === "_avg" || key === "_sum") && isObject(value)) {
      for (const field of Object.keys(value)) refuseIfEncrypted(model, field, `orderBy ${key}`);
    }
    if (key === "_relevance" && isObject(value)) {
      for (const field of list(value["fields"])) refuseIfEncrypted(model, field, "orderBy _relevance");
    }
    const relation = model.relations.get(key);
    const target = relation && schema.models.get(relation.target);
    if (target && isObject(value)) checkOrderBy(schema, target, value);
  }
}

function checkAggregates(model: ModelSchema, args: Loose): void {
  for (const op of ["_min", "_max", "_avg", "_sum"] as const) {
    const fields = args[op];
    if (!isObject(fields)) continue;
    for (const [field, on] of Object.entries(fields))
      if (on) refuseIfEncrypted(model, field, `${op} aggregate`);
  }
}

function checkHaving(model: ModelSchema, having: Loose): void {
  for (const [key, value] of Object.entries(having)) {
    if (key === "AND" || key === "OR" || key === "NOT") {
      for (const item of list(value)) if (isObject(item)) checkHaving(model, item);
    } else if (model.encrypted.has(key)) {
      refuse(model, key, "having on an encrypted field");
    }
  }
}

/** Nested writes carry `where` filters (update, upsert, connect, delete, …) of their own models. */
function checkWriteData(schema: VaultSchema, model: ModelSchema, data: Loose): void {
  for (const [key, value] of Object.entries(data)) {
    const relation = model.relations.get(key);
    const target = relation && schema.models.get(relation.target);
    if (!target || !isObject(value)) continue;
    for (const op of NESTED_WRITES) {
      for (const item of list(value[op])) {
        if (!isObject(item)) continue;
        if (
          op === "connect" ||
          op === "disconnect" ||
          op === "set" ||
          op === "delete" ||
          op === "deleteMany"
        ) {
          checkWhere(schema, target, item);
          continue;
        }
        if (isObject(item["where"])) checkWhere(schema, target, item["where"]);
        const inner = op === "create" ? [item] : [item["data"], item["create"], item["update"]];
        for (const nested of inner.flatMap(list))
          if (isObject(nested)) checkWriteData(schema, target, nested);
        if (op === "update" && !("data" in item)) checkWriteData(schema, target, item);
      }
    }
  }
}

function refuseIfEncrypted(model: ModelSchema, field: unknown, what: string): void {
  if (typeof field === "string" && model.encrypted.has(field))
    refuse(model, field, `${what} on an encrypted field`);
}

function refuse(model: ModelSchema, field: string, what: string): never {
  throw new VaultError("VAULT_UNSUPPORTED_QUERY", `${what} cannot be answered over ciphertext`, {
    model: model.name,
    field,
  });
}

/**
 * Pure: what one row's data in a write says and must satisfy: its plain values and primary key, the
 * context fields it gives through relations, and the preconditions the write planner refuses it on.
 */
import { unsupportedQuery } from "../../error-messages.js";
import { VaultUnsupportedQueryError } from "../../errors.js";
import type { EncryptedField, ModelSchema, Relation } from "../../schema/model-schema.js";
import { type PrismaObject, isObject } from "../../client/prisma-object.js";
import { unknownArgument } from "./grammar.js";

/** The primary key `row` gives by plain values (not filters), for error messages; else `undefined`. */
export function knownId(model: ModelSchema, row: PrismaObject): unknown {
  const values = model.primaryKey.map((key) => scalarValue(row[key]));
  if (values.length === 0 || values.some((value) => value === undefined)) return undefined;
  return values.length === 1
    ? values[0]
    : Object.fromEntries(model.primaryKey.map((key, i) => [key, values[i]]));
}

/**
 * The context fields a top-level `where` pins by equality (`field: value` or `{ equals: value }`
 * alone, at its top level): every row the write reaches holds those values, or it reaches no row.
 * Anything else (`mode`, `not`, `in`, relation filters, `AND`/`OR`) pins nothing.
 *
 * @example pinnedContext(account, { id: 7, organizationId: "org_a" }) // { organizationId: "org_a" }
 */
export function pinnedContext(model: ModelSchema, where: PrismaObject): PrismaObject {
  const pinned: PrismaObject = {};
  for (const field of model.contextFields) {
    const filter = where[field];
    const value =
      isObject(filter) && Object.keys(filter).length === 1 && "equals" in filter ? filter["equals"] : filter;
    if (typeof value === "string" || typeof value === "number" || typeof value === "bigint")
      pinned[field] = value;
  }
  return pinned;
}

/** A plain value or `{ set: value }`; `undefined` when absent or not a scalar value. */
export function scalarValue(value: unknown): unknown {
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") return value;
  if (isObject(value) && Object.keys(value).length === 1 && "set" in value) return scalarValue(value["set"]);
  return undefined;
}

/** A context field that is a foreign key, given through `connect`, `create` or `connectOrCreate.where`. */
export function fromRelations(model: ModelSchema, data: PrismaObject, field: string): unknown {
  for (const relation of model.relations.values()) {
    const index = relation.fromFields.indexOf(field);
    const column = relation.toFields[index];
    const ops = data[relation.name];
    if (index < 0 || column === undefined || !isObject(ops)) continue;
    const candidates = [
      ops["connect"],
      ops["create"],
      isObject(ops["connectOrCreate"]) ? ops["connectOrCreate"]["where"] : undefined,
    ];
    for (const candidate of candidates) {
      if (isObject(candidate)) {
        const value = scalarValue(candidate[column]);
        if (value !== undefined) return value;
      }
    }
  }
  return undefined;
}

/** The child's relation that holds the foreign key to `parent` (the other side of parent.relation). */
export function backRelation(
  child: ModelSchema,
  parent: { readonly model: ModelSchema; readonly relation: Relation },
): Relation | undefined {
  for (const relation of child.relations.values()) {
    if (
      relation.target === parent.model.name &&
      relation.relationName === parent.relation.relationName &&
      relation.fromFields.length > 0
    ) {
      return relation;
    }
  }
  return undefined;
}

/**
 * Precondition: every key of a row's data is a field of its model. Prisma's validation error for an
 * unknown key (a misspelled relation, say) echoes the argument, plaintext included, so it never gets there.
 */
export function checkDataKeys(model: ModelSchema, data: PrismaObject): void {
  for (const key of Object.keys(data)) {
    if (!model.scalars.has(key) && !model.relations.has(key)) throw unknownArgument(model, key);
  }
}

/** Nested writes that may set the foreign key of the row being written. */
const LINKING_WRITES = ["connect", "connectOrCreate", "create", "disconnect", "upsert"] as const;

/**
 * Precondition: a write through a relation on a model with encrypted fields knows which columns the
 * relation sets, since one may be a key context field. When the data model does not say (no generator
 * schema, no readable inline schema), such a write is refused before anything is sent: committed
 * unseen, a tenant change would leave values sealed for the old tenant, undecryptable.
 */
export function refuseUnknownRelationKeys(model: ModelSchema, data: PrismaObject): void {
  for (const relation of model.relations.values()) {
    const ops = data[relation.name];
    if (relation.keysKnown || !isObject(ops)) continue;
    const op = LINKING_WRITES.find((name) => ops[name] !== undefined);
    if (op === undefined) continue;
    throw unknownKeys(model, relation, `cannot tell which columns "${relation.name}.${op}" sets`);
  }
}

export function unknownKeys(
  model: ModelSchema,
  relation: Relation,
  what: string,
): VaultUnsupportedQueryError {
  return new VaultUnsupportedQueryError(unsupportedQuery.relationKeysUnknown(what), {
    model: model.name,
    field: relation.name,
  });
}

export function notAString(model: ModelSchema, field: EncryptedField): VaultUnsupportedQueryError {
  return new VaultUnsupportedQueryError(unsupportedQuery.notAString, {
    model: model.name,
    field: field.name,
  });
}

/**
 * Pure: walks the `data` of a write (top level and nested relation writes) and lists every encrypted
 * value to seal, with what is known of its row's key context and, where the data does not carry it,
 * which stored row to read it from. The arguments are copied first; the extension writes envelopes
 * into the copy, so the caller's objects are never changed.
 */
import { VaultConfigError } from "../../errors.js";
import type { EncryptedField, ModelSchema, Relation, VaultSchema } from "../../schema/model-schema.js";
import type { Row } from "../../schema/options.js";
import { cloneArgs, list } from "./args.js";
import { type PrismaObject, isObject } from "../../client/prisma-object.js";
import { nestedWrites } from "./grammar.js";
import {
  backRelation,
  checkDataKeys,
  fromRelations,
  knownId,
  notAString,
  pinnedContext,
  refuseUnknownRelationKeys,
  scalarValue,
  unknownKeys,
} from "./row-data.js";

export { unknownArgument } from "./grammar.js";

/** A plaintext to seal; the envelope goes to `holder[key]`, its blind index (if any) to `row[column]`. */
export interface PendingValue {
  readonly field: EncryptedField;
  readonly value: string;
  readonly holder: PrismaObject;
  readonly key: string;
  /** The data of the row being written. */
  readonly row: PrismaObject;
}

/** How to find a stored row from the top-level row of the write: relation steps with their filters. */
export type Locator = readonly { readonly relation: string; readonly where?: PrismaObject }[];

/** "Context field `field` is column `column` of the row at `locator`." */
export interface ContextNeed {
  readonly field: string;
  readonly locator: Locator;
  readonly column: string;
}

/** The encrypted values of one row being written. */
export interface WriteUnit {
  readonly model: ModelSchema;
  readonly kind: "create" | "update";
  readonly data: PrismaObject;
  readonly values: PendingValue[];
  /** Context fields whose values the arguments give. */
  readonly known: Row;
  /** Context fields that must be read from the database. */
  readonly needs: readonly ContextNeed[];
  /** The data sets one of the model's context fields. */
  readonly setsContext: boolean;
  /** Where this row is, for update units (the top-level row is `[]`). */
  readonly locator: Locator | undefined;
  /** The row's primary key when the arguments give it (for error messages), else `undefined`. */
  readonly id: unknown;
  /** For the update branch of an upsert: the create branch, whose context applies when no row exists. */
  fallback?: WriteUnit;
}

export interface WritePlan {
  readonly args: PrismaObject;
  readonly units: readonly WriteUnit[];
}

/**
 * Lists the values to encrypt in a write on `model`.
 *
 * @example planWrite(schema, "User", "create", { data: { organizationId: "o", ssn: "1" } }).units[0].values
 */
export function planWrite(schema: VaultSchema, model: string, operation: string, args: unknown): WritePlan {
  const copy = cloneArgs(args) as PrismaObject;
  const m = schema.models.get(model);
  const units: WriteUnit[] = [];
  if (!m || !isObject(copy)) return { args: copy, units };
  const walker = new Walker(schema, units, isObject(copy["where"]) ? copy["where"] : {});
  switch (operation) {
    case "create":
      if (isObject(copy["data"])) walker.create(m, copy["data"], undefined);
      break;
    case "createMany":
    case "createManyAndReturn":
      for (const row of list(copy["data"])) if (isObject(row)) walker.create(m, row, undefined);
      break;
    case "update":
    case "updateMany":
    case "updateManyAndReturn":
      if (isObject(copy["data"])) walker.update(m, copy["data"], []);
      break;
    case "upsert":
      walker.upsert(m, copy["create"], copy["update"], [], undefined);
      break;
  }
  return { args: copy, units };
}

/** The parent of a nested create: whose row the child's foreign keys point to. */
interface Parent {
  readonly model: ModelSchema;
  readonly relation: Relation;
  /** The parent's known column values (its create data), or where to read them. */
  readonly row: Row;
  readonly locator: Locator | undefined;
}

class Walker {
  constructor(
    private readonly schema: VaultSchema,
    private readonly units: WriteUnit[],
    /** The top-level `where`: it names the row of the top-level update. */
    private readonly where: PrismaObject,
  ) {}

  create(model: ModelSchema, data: PrismaObject, parent: Parent | undefined): void {
    checkDataKeys(model, data);
    const known: Record<string, unknown> = {};
    const needs: ContextNeed[] = [];
    for (const field of model.contextFields) {
      const value = scalarValue(data[field]) ?? fromRelations(model, data, field) ?? undefined;
      if (value !== undefined) {
        known[field] = value;
        continue;
      }
      const back = parent && backRelation(model, parent);
      const index = back ? back.fromFields.indexOf(field) : -1;
      const column = back?.toFields[index];
      if (parent && column !== undefined) {
        const fromParent = scalarValue(parent.row[column]);
        if (fromParent !== undefined) known[field] = fromParent;
        else if (parent.locator) needs.push({ field, locator: parent.locator, column });
      } else if (parent && model.encrypted.size > 0) {
        const unknown = [...model.relations.values()].find(
          (r) => r.target === parent.model.name && !r.keysKnown,
        );
        if (unknown)
          throw unknownKeys(model, unknown, `cannot tell whether "${field}" comes from the parent row`);
      }
    }
    this.add(model, "create", data, known, needs, undefined);
    this.relations(model, data, { row: data, locator: undefined });
  }

  update(model: ModelSchema, data: PrismaObject, locator: Locator): void {
    checkDataKeys(model, data);
    const known: Record<string, unknown> = {};
    const needs: ContextNeed[] = [];
    // The top-level row's context fields that `where` pins need no read, and setting one of them to
    // the pinned value moves nothing.
    const pinned = locator.length === 0 ? pinnedContext(model, this.where) : {};
    for (const field of model.contextFields) {
      const value = scalarValue(data[field]) ?? fromRelations(model, data, field) ?? pinned[field];
      if (value !== undefined) known[field] = value;
      else needs.push({ field, locator, column: field });
    }
    this.add(model, "update", data, known, needs, locator, pinned);
    this.relations(model, data, { row: {}, locator });
  }

  upsert(
    model: ModelSchema,
    create: unknown,
    update: unknown,
    locator: Locator,
    parent: Parent | undefined,
  ): void {
    if (isObject(create)) this.create(model, create, parent);
    if (isObject(update)) this.update(model, update, locator);
    // Link the two branches' own units (not units of rows nested inside them).
    const created = this.units.find((unit) => unit.data === create && unit.kind === "create");
    const updated = this.units.find((unit) => unit.data === update && unit.kind === "update");
    if (created && updated) updated.fallback = created;
  }

  private add(
    model: ModelSchema,
    kind: WriteUnit["kind"],
    data: PrismaObject,
    known: Row,
    needs: ContextNeed[],
    locator: Locator | undefined,
    pinned: PrismaObject = {},
  ): void {
    const values: PendingValue[] = [];
    for (const [column, field] of model.indexColumns) {
      if (data[column] !== undefined) {
        throw new VaultConfigError(
          `"${column}" is the blind index of ${field.name} and is written by prisma-vault; write ${field.name} instead`,
          { model: model.name, field: column },
        );
      }
    }
    for (const field of model.encrypted.values()) {
      const raw = data[field.name];
      if (raw === undefined) continue;
      const set = isObject(raw) && Object.keys(raw).length === 1 && "set" in raw ? raw["set"] : raw;
      if (typeof set === "string") {
        values.push({
          field,
          value: set,
          holder: set === raw ? data : (raw as PrismaObject),
          key: set === raw ? field.name : "set",
          row: data,
        });
      } else if (set !== null) throw notAString(model, field);
      // Writing null clears the index with the value.
      else if (field.index) data[field.index.column] = null;
    }
    if (model.encrypted.size > 0) refuseUnknownRelationKeys(model, data);
    const samePinned = (field: string) =>
      pinned[field] !== undefined &&
      (scalarValue(data[field]) ?? fromRelations(model, data, field)) === pinned[field];
    const setsContext =
      model.contextFields.some((field) => data[field] !== undefined && !samePinned(field)) ||
      [...model.relations.values()].some(
        (r) =>
          data[r.name] !== undefined &&
          r.fromFields.some((f) => model.contextFields.includes(f) && !samePinned(f)),
      );
    if (values.length > 0 || (setsContext && model.encrypted.size > 0)) {
      this.units.push({
        model,
        kind,
        data,
        values,
        known,
        needs: values.length ? needs : [],
        setsContext,
        locator,
        id: knownId(model, locator?.length === 0 ? { ...this.where, ...data } : data),
      });
    }
  }

  private relations(
    model: ModelSchema,
    data: PrismaObject,
    self: { row: Row; locator: Locator | undefined },
  ): void {
    for (const step of nestedWrites(this.schema, model, data, true)) {
      const parent: Parent = { model, relation: step.relation, row: self.row, locator: self.locator };
      const name = step.relation.name;
      const locator = (): Locator | undefined =>
        self.locator && [
          ...self.locator,
          step.where ? { relation: name, where: step.where } : { relation: name },
        ];
      switch (step.op) {
        case "create":
        case "createMany":
        case "connectOrCreate":
          if (step.create) this.create(step.model, step.create, parent);
          break;
        case "update":
        case "updateMany":
          if (step.update) this.nestedUpdate(step.model, step.update, locator());
          break;
        case "upsert": {
          // Under a parent that is being created, neither branch is planned; Prisma rejects the upsert.
          const at = locator();
          if (at) this.upsert(step.model, step.create, step.update, at, parent);
          break;
        }
        // connect, disconnect, set, delete and deleteMany carry filters only.
      }
    }
  }

  private nestedUpdate(model: ModelSchema, data: PrismaObject, locator: Locator | undefined): void {
    // Under a parent that is being created, nothing can be updated; Prisma rejects it.
    if (!locator) return;
    this.update(model, data, locator);
  }
}

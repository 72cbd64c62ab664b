/**
 * Pure: the filters of a query over encrypted fields. Equality on a field with a blind index
 * (`field: v`, `equals`, `in`, `notIn`, `not`) is rewritten to its index column, wherever Prisma takes
 * a filter. Anything that cannot be answered over ciphertext (other filters, sorts, `distinct`,
 * `groupBy` keys, aggregates) would silently match, sort or aggregate random bytes; it is refused
 * with `VAULT_UNSUPPORTED_QUERY` naming model and field. Null checks (`field: null`,
 * `{ equals: null }`, `{ not: null }`) are answered correctly and kept as they are.
 */
import type { KeyContext } from "../../context/key-context.js";
import { unsupportedQuery } from "../../error-messages.js";
import { VaultUnsupportedQueryError } from "../../errors.js";
import type { EncryptedField, ModelSchema, VaultSchema } from "../../schema/model-schema.js";
import type { Row } from "../../schema/options.js";
import { type Path, list, objects } from "./args.js";
import { type PrismaObject, isObject } from "../../client/prisma-object.js";
import { filterSteps, nestedWrites, partAt, selectedRelations } from "./grammar.js";
import { indexFilter, isNullCheck } from "./index-filter.js";
import { applyIndexRewrites, type IndexRewrite } from "./index-rewrites.js";
import { checkAggregates, checkHaving, checkOrderBy, refuse, refuseIfEncrypted } from "./refusals.js";

/**
 * The arguments to send for `args` of `operation` on `model`: the same object when no filter needs
 * rewriting, else a copy whose equality filters on indexed fields target their index columns.
 * Throws `VAULT_UNSUPPORTED_QUERY` when the query filters, sorts, groups or aggregates by an encrypted
 * field in a way the index cannot answer, anywhere, including nested selections and nested writes.
 *
 * @example rewriteQuery(schema, "User", "findMany", { where: { email: "a@x.io" } }) // { where: { emailIndex: "…" } }
 * @example rewriteQuery(schema, "User", "findMany", { orderBy: { email: "asc" } }) // throws
 */
export function rewriteQuery(schema: VaultSchema, model: string, operation: string, args: unknown): unknown {
  const m = schema.models.get(model);
  if (!m || !isObject(args)) return args;
  return applyIndexRewrites(args, planFilters(schema, m, operation, args));
}

/**
 * Checks every filter, sort, grouping and aggregate of a query in one pass and returns the rewrites of
 * its filters on indexed fields, their values still plaintext; throws what cannot be answered.
 *
 * @example planFilters(schema, account, "findMany", { where: { email: "a@x.io" } }) // [{ at: ["where"], field: email, onIndex: "a@x.io" }]
 */
export function planFilters(
  schema: VaultSchema,
  model: ModelSchema,
  operation: string,
  args: PrismaObject,
): IndexRewrite[] {
  const plan = new FilterPlan(schema);
  plan.readArgs(model, args, []);
  if (operation === "groupBy") {
    for (const field of list(args["by"])) refuseIfEncrypted(model, field, "groupBy");
    checkAggregates(model, args);
    if (isObject(args["having"])) checkHaving(model, args["having"]);
  }
  if (operation === "aggregate") checkAggregates(model, args);
  for (const key of ["data", "create", "update"] as const) {
    for (const [data, at] of objects(args[key], [key])) plan.writeData(model, data, at);
  }
  return plan.rewrites;
}

/** The rewrites found so far; each method reads one part of the arguments at `at`. */
class FilterPlan {
  readonly rewrites: IndexRewrite[] = [];

  constructor(private readonly schema: VaultSchema) {}

  readArgs(model: ModelSchema, args: PrismaObject, at: Path): void {
    if (isObject(args["where"])) this.where(model, args["where"], {}, [...at, "where"]);
    for (const order of list(args["orderBy"])) if (isObject(order)) checkOrderBy(this.schema, model, order);
    for (const field of list(args["distinct"])) refuseIfEncrypted(model, field, "distinct");
    if (isObject(args["cursor"])) this.where(model, args["cursor"], {}, [...at, "cursor"], "cursor");
    for (const key of ["select", "include"] as const) {
      const selection = args[key];
      if (!isObject(selection)) continue;
      for (const step of selectedRelations(this.schema, model, selection, [...at, key]))
        if (isObject(step.value)) this.readArgs(step.model, step.args, step.at);
    }
  }

  /**
   * `where` (or `cursor`) of `model`. `pinned` holds the context fields that enclosing conjunctions
   * fix by equality: under them, a tenant-scoped index compares exactly.
   */
  where(model: ModelSchema, where: PrismaObject, pinned: Row, at: Path, what = "a filter"): void {
    const here = { ...pinned, ...pinnedBy(model, where) };
    for (const step of filterSteps(this.schema, model, where)) {
      if (step.role === "logic") this.where(model, step.where, here, [...at, ...step.at], what);
      else if (step.role === "relation") this.where(step.model, step.where, {}, [...at, ...step.at], what);
      else this.condition(model, step.key, step.value, here, at, what);
    }
  }

  /** Nested writes carry `where` filters (update, upsert, connect, delete, …) of their own models. */
  writeData(model: ModelSchema, data: PrismaObject, at: Path): void {
    for (const step of nestedWrites(this.schema, model, data)) {
      if (step.where) this.where(step.model, step.where, {}, [...at, ...partAt(step, "where")]);
      if (step.create) this.writeData(step.model, step.create, [...at, ...partAt(step, "create")]);
      if (step.update) this.writeData(step.model, step.update, [...at, ...partAt(step, "update")]);
    }
  }

  /** One condition of the `where` at `at`: on an encrypted field, or a compound unique input. */
  private condition(
    model: ModelSchema,
    key: string,
    value: unknown,
    pinned: Row,
    at: Path,
    what: string,
  ): void {
    const field = model.encrypted.get(key);
    if (field) {
      if (isNullCheck(value)) return;
      if (!field.index) {
        refuse(
          model,
          key,
          `${what} on an encrypted field without a blind index (only null checks are possible)`,
        );
      }
      const index = field.index;
      let context: KeyContext | undefined; // resolved once per filter, only if a value needs it
      const split = indexFilter(model, field, index, value, (compared) => {
        if (typeof compared !== "string")
          refuse(model, field.name, "comparing an encrypted field with a non-string");
        if (index.blind.scope === "tenant") context ??= tenantOf(model, field, pinned);
        return compared;
      });
      this.rewrites.push({ at, field, index, ...split, context });
      return;
    }
    // Compound unique inputs (`organizationId_email: { ... }`) name their fields inside.
    if (!model.scalars.has(key) && isObject(value)) {
      for (const inner of Object.keys(value)) {
        if (model.encrypted.has(inner)) refuse(model, inner, `${what} on an encrypted field`);
      }
    }
  }
}

/** The context fields `where` fixes by equality at its top level and in its `AND`s. */
function pinnedBy(model: ModelSchema, where: PrismaObject): Row {
  const out: Record<string, unknown> = {};
  for (const field of model.contextFields) {
    const value = where[field];
    const equal =
      isObject(value) && Object.keys(value).every((k) => k === "equals") ? value["equals"] : value;
    if (typeof equal === "string" || typeof equal === "number" || typeof equal === "bigint")
      out[field] = equal;
  }
  for (const item of list(where["AND"])) if (isObject(item)) Object.assign(out, pinnedBy(model, item));
  return out;
}

/** The key context a tenant-scoped index is computed under: the one the enclosing filter pins. */
function tenantOf(model: ModelSchema, field: EncryptedField, pinned: Row): KeyContext {
  const missing = model.contextFields.filter((name) => pinned[name] === undefined || pinned[name] === null);
  if (missing.length > 0) {
    throw new VaultUnsupportedQueryError(unsupportedQuery.tenantIndexUnpinned(missing), {
      model: model.name,
      field: field.name,
    });
  }
  return model.contextOf(pinned);
}

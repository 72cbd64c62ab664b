/**
 * Pure: the filters of a query over encrypted fields. Equality on a field with a blind index
 * (`field: v`, `equals`, `in`, `notIn`, `not`) is rewritten to its index column, wherever Prisma takes
 * a filter. Anything that cannot be answered over ciphertext (other filters, sorts, `distinct`,
 * `groupBy` keys, aggregates) would silently match, sort or aggregate random bytes; it is refused
 * with `VAULT_UNSUPPORTED_QUERY` naming model and field. Null checks (`field: null`,
 * `{ equals: null }`, `{ not: null }`) are answered correctly and kept as they are.
 */
import type { KeyContext } from "../../context.js";
import { VaultError } from "../../errors.js";
import type { EncryptedField, FieldIndex, ModelSchema, VaultSchema } from "../../schema/model-schema.js";
import type { Row } from "../../schema/options.js";
import { type Loose, NESTED_WRITES, cloneArgs, isObject, list } from "./args.js";

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
  // First pass checks and finds rewrites without touching `args`; only then is a copy made and rewritten.
  const found = { rewrites: 0 };
  walkQuery(new Walk(schema, undefined, found), m, operation, args);
  if (found.rewrites === 0) return args;
  const copy = cloneArgs(args) as Loose;
  walkQuery(new Walk(schema, copy, found), m, operation, copy);
  return copy;
}

function walkQuery(walk: Walk, model: ModelSchema, operation: string, args: Loose): void {
  walk.readArgs(model, args);
  if (operation === "groupBy") {
    for (const field of list(args["by"])) refuseIfEncrypted(model, field, "groupBy");
    checkAggregates(model, args);
    if (isObject(args["having"])) checkHaving(model, args["having"]);
  }
  if (operation === "aggregate") checkAggregates(model, args);
  for (const key of ["data", "create", "update"] as const) {
    for (const data of list(args[key])) if (isObject(data)) walk.writeData(model, data);
  }
}

/** One pass over a query; `copy` is set on the rewriting pass, which changes filters in place. */
class Walk {
  constructor(
    readonly schema: VaultSchema,
    readonly copy: Loose | undefined,
    readonly found: { rewrites: number },
  ) {}

  readArgs(model: ModelSchema, args: Loose): void {
    if (isObject(args["where"])) this.where(model, args["where"], {});
    for (const order of list(args["orderBy"])) if (isObject(order)) checkOrderBy(this.schema, model, order);
    for (const field of list(args["distinct"])) refuseIfEncrypted(model, field, "distinct");
    if (isObject(args["cursor"])) this.where(model, args["cursor"], {}, "cursor");
    for (const key of ["select", "include"] as const) {
      const selection = args[key];
      if (!isObject(selection)) continue;
      for (const [name, value] of Object.entries(selection)) {
        // `_count: { select: { posts: { where } } }` counts filtered relations.
        if (name === "_count" && isObject(value) && isObject(value["select"])) {
          this.readArgs(model, { select: value["select"] });
          continue;
        }
        const relation = model.relations.get(name);
        const target = relation && this.schema.models.get(relation.target);
        if (target && isObject(value)) this.readArgs(target, value);
      }
    }
  }

  /**
   * `where` (or `cursor`) of `model`. `pinned` holds the context fields that enclosing conjunctions
   * fix by equality: under them, a tenant-scoped index compares exactly.
   */
  where(model: ModelSchema, where: Loose, pinned: Row, what = "a filter"): void {
    const here = { ...pinned, ...pinnedBy(model, where) };
    for (const [key, value] of Object.entries(where)) {
      if (value === undefined) continue; // Prisma ignores undefined filters
      if (key === "AND" || key === "OR" || key === "NOT") {
        for (const item of list(value)) if (isObject(item)) this.where(model, item, here, what);
        continue;
      }
      const field = model.encrypted.get(key);
      if (field) {
        if (isNullCheck(value)) continue;
        if (!field.index) {
          refuse(
            model,
            key,
            `${what} on an encrypted field without a blind index (only null checks are possible)`,
          );
        }
        let tenant: KeyContext | undefined; // resolved once per filter, only if the index needs it
        const rewritten = indexFilter(
          model,
          field,
          field.index,
          value,
          () => (tenant ??= tenantOf(model, field, here)),
          this.copy === undefined,
        );
        this.found.rewrites++;
        if (this.copy) moveToIndex(where, field, field.index, rewritten);
        continue;
      }
      const relation = model.relations.get(key);
      if (relation) {
        const target = this.schema.models.get(relation.target);
        if (!target || !isObject(value)) continue;
        const filters = ["some", "every", "none", "is", "isNot"].filter((op) => op in value);
        if (filters.length === 0) this.where(target, value, {}, what);
        for (const op of filters) if (isObject(value[op])) this.where(target, value[op], {}, what);
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

  /** Nested writes carry `where` filters (update, upsert, connect, delete, …) of their own models. */
  writeData(model: ModelSchema, data: Loose): void {
    for (const [key, value] of Object.entries(data)) {
      const relation = model.relations.get(key);
      const target = relation && this.schema.models.get(relation.target);
      if (!target || !isObject(value)) continue;
      for (const op of NESTED_WRITES) {
        for (const item of list(value[op])) {
          if (!isObject(item)) continue;
          if (WHERE_ONLY.has(op)) {
            this.where(target, item, {});
            continue;
          }
          if (isObject(item["where"])) this.where(target, item["where"], {});
          const inner = op === "create" ? [item] : [item["data"], item["create"], item["update"]];
          for (const nested of inner.flatMap(list)) if (isObject(nested)) this.writeData(target, nested);
          if (op === "update" && !("data" in item)) this.writeData(target, item);
        }
      }
    }
  }
}

const WHERE_ONLY: ReadonlySet<string> = new Set(["connect", "disconnect", "set", "delete", "deleteMany"]);

/** The context fields `where` fixes by equality at its top level and in its `AND`s. */
function pinnedBy(model: ModelSchema, where: Loose): Row {
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
    throw new VaultError(
      "VAULT_UNSUPPORTED_QUERY",
      `a tenant-scoped blind index needs the key context pinned by equality beside the filter; add ${missing.join(", ")} to the same where`,
      { model: model.name, field: field.name },
    );
  }
  return model.contextOf(pinned);
}

/** A filter split between the encrypted field (null checks) and its index column (values). */
interface Split {
  readonly onField?: unknown;
  readonly onIndex?: unknown;
}

/**
 * Rewrites one filter on an indexed field: values become their indexes, null checks stay on the field.
 * Precondition: the filter only compares for equality (a scalar, equals, in, notIn, not).
 */
function indexFilter(
  model: ModelSchema,
  field: EncryptedField,
  index: FieldIndex,
  filter: unknown,
  tenant: () => KeyContext,
  dry: boolean,
): Split {
  const compute = (value: unknown): string => {
    if (typeof value !== "string")
      refuse(model, field.name, "comparing an encrypted field with a non-string");
    const context = index.blind.scope === "tenant" ? tenant() : undefined;
    // The checking pass validates only; the HMACs are computed once, by the rewriting pass.
    return dry ? "" : index.blind.compute(value, context);
  };
  if (filter === null) return { onField: null };
  if (!isObject(filter)) return { onIndex: compute(filter) };
  const onField: Loose = {};
  const onIndex: Loose = {};
  for (const [op, arg] of Object.entries(filter)) {
    if (arg === undefined) continue;
    if (op === "mode") {
      // Case folding is exact only when the normalizer folds case itself.
      if (arg === "insensitive" && !index.blind.foldsCase) {
        refuse(
          model,
          field.name,
          'mode: "insensitive" on an index whose normalizer does not fold case (use normalize: "lowercase" or "email")',
        );
      }
      continue;
    }
    if ((op === "equals" || op === "not") && arg === null) onField[op] = null;
    else if (op === "equals") onIndex[op] = compute(arg);
    else if (op === "in" || op === "notIn") {
      if (!Array.isArray(arg))
        refuse(model, field.name, `${op} on an encrypted field takes a list of strings`);
      onIndex[op] = arg.map(compute);
    } else if (op === "not") {
      // NOT of a filter cannot be split between two columns: it falls wholly on the field (a null
      // check, `not: { equals: null }`) or wholly on the index.
      const inner = indexFilter(model, field, index, arg, tenant, dry);
      if (inner.onField !== undefined && inner.onIndex !== undefined) {
        refuse(model, field.name, "not combining a null check with values");
      }
      if (inner.onIndex !== undefined) onIndex[op] = inner.onIndex;
      else onField[op] = inner.onField;
    } else refuse(model, field.name, `${op} on an encrypted field`);
  }
  return {
    ...(Object.keys(onField).length ? { onField } : {}),
    ...(Object.keys(onIndex).length ? { onIndex } : {}),
    // `{}` and `{ mode }` alone match every row: keep them as they are.
    ...(Object.keys(onField).length + Object.keys(onIndex).length === 0 ? { onField: {} } : {}),
  };
}

/** Replaces the field's filter in `where` by its split; the index filter joins an `AND` if the column is taken. */
function moveToIndex(where: Loose, field: EncryptedField, index: FieldIndex, split: Split): void {
  delete where[field.name];
  if (split.onField !== undefined) where[field.name] = split.onField;
  if (split.onIndex === undefined) return;
  if (where[index.column] === undefined) where[index.column] = split.onIndex;
  else where["AND"] = [...list(where["AND"]), { [index.column]: split.onIndex }];
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

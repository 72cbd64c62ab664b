/**
 * Pure: what a query returns and what prisma-vault must do to it. Given a model and a query's
 * `select` / `include` / `omit`, it returns the arguments to send (with missing context fields added)
 * and the shape of the result: which fields to decrypt and which added fields to strip, per relation.
 */
import type { EncryptedField, ModelSchema, VaultSchema } from "../../schema/model-schema.js";
import { modelProperty } from "../../schema/model-property.js";
import { isObject, type PrismaObject } from "../../client/prisma-object.js";
import { selectedRelations } from "./grammar.js";

/** The result of one model in a query: what to decrypt, what to remove, and where to recurse. */
export interface ResultShape {
  readonly model: ModelSchema;
  /** Encrypted fields that the result holds. */
  readonly decrypt: readonly EncryptedField[];
  /** Fields added only to read the context; removed before the caller sees the row. */
  readonly strip: readonly string[];
  readonly relations: ReadonlyMap<string, ResultShape>;
}

/** Client-wide `omit`, keyed by model property name (`user`). */
export type GlobalOmit = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/**
 * Plans the selection of a query on `model`. Returns new arguments (the input is not changed) and the
 * result shape, or `undefined` when nothing in the result is encrypted.
 *
 * @example planSelection(schema, "User", { select: { email: true } }, {})
 * // args: { select: { email: true, organizationId: true } }, shape: decrypt [email], strip [organizationId]
 */
export function planSelection(
  schema: VaultSchema,
  model: string,
  args: PrismaObject | undefined,
  omit: GlobalOmit,
): { args: PrismaObject | undefined; shape: ResultShape | undefined } {
  const m = schema.models.get(model);
  if (!m) return { args, shape: undefined };
  const planned = plan(schema, m, args ?? {}, omit);
  return { args: planned.shape ? planned.args : args, shape: planned.shape };
}

/** Follows a fluent-API data path (`["select", "posts"]`) to the shape of what the query resolves to. */
export function shapeAt(
  shape: ResultShape | undefined,
  dataPath: readonly string[],
): ResultShape | undefined {
  let current = shape;
  for (const relation of relationsOf(dataPath)) current = current?.relations.get(relation);
  return current;
}

/** The relation names of a fluent data path: `["select", "posts", "include", "author"]` -> posts, author. */
export function relationsOf(dataPath: readonly string[]): string[] {
  return dataPath.filter((step) => step !== "select" && step !== "include");
}

function plan(
  schema: VaultSchema,
  model: ModelSchema,
  args: PrismaObject,
  omit: GlobalOmit,
): { args: PrismaObject; shape: ResultShape | undefined } {
  const out: PrismaObject = { ...args };
  const select = objectOrUndefined(args["select"]);
  const include = objectOrUndefined(args["include"]);
  const argOmit = objectOrUndefined(args["omit"]) ?? {};
  const modelOmit = omit[modelProperty(model.name)] ?? {};

  const returned = new Set<string>();
  if (select) {
    for (const [key, value] of Object.entries(select)) if (value && model.scalars.has(key)) returned.add(key);
  } else {
    for (const key of model.scalars) {
      const omitted = argOmit[key] ?? modelOmit[key];
      if (!omitted) returned.add(key);
    }
  }

  const relations = new Map<string, ResultShape>();
  const nestedSource = select ?? include;
  if (nestedSource) {
    const nestedOut: PrismaObject = { ...nestedSource };
    for (const step of selectedRelations(schema, model, nestedSource)) {
      if (step.role === "count") continue; // counts are numbers: nothing to decrypt
      const nested = plan(schema, step.model, step.args, omit);
      if (nested.shape) {
        const key = step.relation.name;
        relations.set(key, nested.shape);
        nestedOut[key] = step.value === true && Object.keys(nested.args).length === 0 ? true : nested.args;
      }
    }
    out[select ? "select" : "include"] = nestedOut;
  }

  const decrypt = [...model.encrypted.values()].filter((field) => returned.has(field.name));
  const strip: string[] = [];
  if (decrypt.length > 0) {
    for (const field of model.contextFields) {
      if (returned.has(field)) continue;
      strip.push(field);
      if (select) out["select"] = { ...(out["select"] as PrismaObject), [field]: true };
      else out["omit"] = { ...(objectOrUndefined(out["omit"]) ?? {}), [field]: false };
    }
  }
  if (decrypt.length === 0 && relations.size === 0) return { args, shape: undefined };
  return { args: out, shape: { model, decrypt, strip, relations } };
}

function objectOrUndefined(value: unknown): PrismaObject | undefined {
  return isObject(value) ? value : undefined;
}

/**
 * Every use of a Prisma internal, each behind one feature-detected function with its own test
 * (test/client/internals.test.ts). When a Prisma upgrade moves one of them, that test breaks and the
 * function degrades as documented here; nothing else in prisma-vault touches Prisma's private parts.
 * Measured on Prisma 6.19 and 7.10 (see PRISMA-NOTES.md).
 */
import type { DataModel, DataModelField, DataModelModel } from "../schema/datamodel.js";
import type { PrismaObject } from "./prisma-object.js";
import { parseInlineSchema } from "../schema/inline-schema.js";

/**
 * The client's runtime data model (`client._runtimeDataModel`): field names, kinds, types, relation
 * targets and the `@map` / `@@map` names of columns and tables (`dbName`, per field only where mapped,
 * per model `null` where not, in 6.19 and 7.10), without documentation or relation keys. `undefined`
 * when Prisma stops exposing it.
 *
 * @example runtimeDataModel(prisma)?.models["Ledger"]?.dbName // "ledger_entries"
 */
export function runtimeDataModel(client: unknown): DataModel | undefined {
  const models = (client as { _runtimeDataModel?: { models?: unknown } } | null)?._runtimeDataModel?.models;
  if (typeof models !== "object" || models === null) return undefined;
  const out: Record<string, DataModelModel> = {};
  for (const [name, model] of Object.entries(models as Record<string, PrismaObject>)) {
    const fields = model["fields"];
    if (!Array.isArray(fields)) return undefined;
    out[name] = {
      name,
      ...(typeof model["dbName"] === "string" ? { dbName: model["dbName"] } : {}),
      fields: (fields as PrismaObject[]).map((field) => ({
        name: String(field["name"]),
        kind: String(field["kind"]) as DataModelField["kind"],
        type: String(field["type"]),
        ...(typeof field["relationName"] === "string" ? { relationName: field["relationName"] } : {}),
        ...(typeof field["dbName"] === "string" ? { dbName: field["dbName"] } : {}),
      })),
    };
  }
  return { models: out };
}

/**
 * The data model read from the schema text the generated client embeds (`client._engineConfig.inlineSchema`),
 * with `provider` from `client._engineConfig.activeProvider`: relation keys, list and id flags, native types
 * and documentation without the prisma-vault generator. `undefined` when Prisma stops embedding the text or
 * the text is not one parseInlineSchema understands.
 *
 * @example
 * inlineSchemaDataModel(new PrismaClient({ adapter }))?.models["User"]?.fields; // with relationFromFields
 */
export function inlineSchemaDataModel(client: unknown): DataModel | undefined {
  const config = (client as { _engineConfig?: { inlineSchema?: unknown; activeProvider?: unknown } } | null)
    ?._engineConfig;
  if (typeof config?.inlineSchema !== "string") return undefined;
  const parsed = parseInlineSchema(config.inlineSchema);
  const provider = config.activeProvider;
  return parsed && typeof provider === "string" ? { ...parsed, provider } : parsed;
}

/**
 * The client-wide `omit` given to `new PrismaClient({ omit })` (`client._globalOmit`), keyed by
 * model property name (`user`). It is invisible in a query's `args`. `{}` when not found.
 */
export function globalOmit(client: unknown): Readonly<Record<string, Readonly<Record<string, unknown>>>> {
  const omit = (client as { _globalOmit?: unknown } | null)?._globalOmit;
  return typeof omit === "object" && omit !== null ? (omit as Record<string, Record<string, unknown>>) : {};
}

/**
 * Whether the client can open an interactive transaction (`$transaction(fn)`). Prisma refuses one on
 * Cloudflare D1 (`client._engineConfig.adapter.adapterName`, the check Prisma makes itself).
 */
export function interactiveTransactions(client: unknown): boolean {
  const config = (client as { _engineConfig?: { adapter?: { adapterName?: unknown } } } | null)
    ?._engineConfig;
  return config?.adapter?.adapterName !== "@prisma/adapter-d1";
}

/** The transaction a query runs in, from the hook's `__internalParams.transaction`. */
export type TransactionInfo = { readonly kind: "itx" | "batch"; readonly raw: unknown } | undefined;

/**
 * Which transaction, if any, the intercepted query belongs to. `undefined` outside transactions
 * (and when Prisma stops passing `__internalParams`, in which case extra reads run outside it).
 */
export function transactionOf(hookParams: unknown): TransactionInfo {
  const transaction = internalParams(hookParams)?.["transaction"] as PrismaObject | undefined;
  const kind = transaction?.["kind"];
  return kind === "itx" || kind === "batch" ? { kind, raw: transaction } : undefined;
}

/**
 * The fluent-API path of a query (`prisma.user.findUnique(...).posts()` arrives as `User.findUnique`
 * with data path `["select", "posts"]` and resolves to the posts). `[]` for ordinary queries.
 */
export function dataPathOf(hookParams: unknown): readonly string[] {
  const path = internalParams(hookParams)?.["dataPath"];
  return Array.isArray(path) && path.every((step) => typeof step === "string") ? path : [];
}

/**
 * A client bound to the caller's interactive transaction (`client._createItxClient`), so extra reads
 * see its uncommitted rows and do not wait on its locks. Prisma 6 takes one argument, 7 three.
 * `undefined` when it cannot be made; callers then refuse the operation rather than read outside.
 */
export function itxClient(client: unknown, transaction: TransactionInfo): unknown {
  if (transaction?.kind !== "itx") return undefined;
  const create = (client as { _createItxClient?: unknown } | null)?._createItxClient;
  if (typeof create !== "function") return undefined;
  const raw = transaction.raw as PrismaObject;
  return (create as (...args: unknown[]) => unknown).call(client, raw, raw["id"], undefined);
}

function internalParams(hookParams: unknown): PrismaObject | undefined {
  const params = (hookParams as { __internalParams?: unknown } | null)?.__internalParams;
  return typeof params === "object" && params !== null ? (params as PrismaObject) : undefined;
}

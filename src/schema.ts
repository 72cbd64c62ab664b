/**
 * The validated configuration of the extension: which fields of which models are encrypted, how each
 * model's key context is derived from a row, and the relation graph the traversals walk. Built from the
 * `models` map, the generator's annotations, or both, against the data model; every problem is a
 * `VaultConfigError` naming model and field, thrown before any query runs.
 */
import { MAX_CONTEXT_PAIRS, validateContext, type KeyContext } from "./context.js";
import { VaultConfigError, VaultError } from "./errors.js";
import type { DataModel, DataModelField, DataModelModel } from "./prisma/datamodel.js";

/** A row's fields, as far as they are known. */
export type Row = Readonly<Record<string, unknown>>;

/**
 * How a model's key context comes from its rows: field names (`["organizationId"]`), context keys
 * mapped to fields (`{ organization_id: "organizationId" }`), or a function of the fields it declares.
 */
export type ContextOption =
  | readonly string[]
  | Readonly<Record<string, string>>
  | { readonly fields: readonly string[]; readonly derive: (row: Row) => KeyContext };

/** Options of one encrypted field. */
export interface FieldOptions {
  /** `"none"` seals without associated data (values written by other tools). Default: bound to model, field, context. */
  readonly aad?: "default" | "none";
  /** Keep the associated data of a renamed field: `"OldModel.oldField"`. */
  readonly aadAs?: string;
  /** `"read"` passes plaintext values through on read while a migration runs. Default: the `vault()` option. */
  readonly plaintext?: "reject" | "read";
  /** Blind-index column (a later release). */
  readonly index?: string;
  readonly normalize?: string;
  readonly scope?: "global" | "tenant";
}

/** The keys of {@link FieldOptions}, in a `models` map and in `@encrypted(...)`. */
export const FIELD_OPTION_KEYS = ["aad", "aadAs", "plaintext", "index", "normalize", "scope"] as const;

export interface ModelOptions {
  /** Where the key context comes from. Required when the model has encrypted fields. */
  readonly context: ContextOption;
  /** Fixed pairs added to every context of this model, e.g. `{ app: "crm" }`. */
  readonly staticContext?: Readonly<Record<string, string>>;
  /** The encrypted fields: `{ ssn: {} }`. */
  readonly fields: Readonly<Record<string, FieldOptions>>;
}

export type ModelsOption = Readonly<Record<string, ModelOptions>>;

export interface EncryptedField {
  readonly model: string;
  readonly name: string;
  /** Whose name goes into the default associated data; `undefined` seals without associated data. */
  readonly aad: { readonly model: string; readonly field: string } | undefined;
  readonly plaintext: "reject" | "read";
}

export interface Relation {
  readonly name: string;
  readonly target: string;
  readonly relationName: string | undefined;
  /** Foreign-key fields on this model (empty when the key is on the other side or unknown). */
  readonly fromFields: readonly string[];
  readonly toFields: readonly string[];
  /** To-many; `undefined` when the data model does not say (runtime data model). */
  readonly isList: boolean | undefined;
}

export interface ModelSchema {
  readonly name: string;
  readonly scalars: ReadonlySet<string>;
  readonly relations: ReadonlyMap<string, Relation>;
  readonly primaryKey: readonly string[];
  readonly encrypted: ReadonlyMap<string, EncryptedField>;
  /** The row fields the key context is derived from. */
  readonly contextFields: readonly string[];
  /** The key context of a row holding every context field; `VAULT_CONTEXT_MISSING` otherwise. */
  contextOf(row: Row, id?: unknown): KeyContext;
}

export interface VaultSchema {
  readonly models: ReadonlyMap<string, ModelSchema>;
}

/**
 * Validates `models` against `datamodel` and returns the schema the extension runs on.
 *
 * @example buildVaultSchema(dataModel, { User: { context: ["organizationId"], fields: { ssn: {} } } }, "reject")
 */
export function buildVaultSchema(
  datamodel: DataModel,
  models: ModelsOption,
  plaintext: "reject" | "read",
): VaultSchema {
  for (const name of Object.keys(models)) {
    if (!datamodel.models[name])
      throw new VaultConfigError("no such model in the Prisma schema", { model: name });
  }
  const out = new Map<string, ModelSchema>();
  for (const model of Object.values(datamodel.models)) {
    out.set(model.name, modelSchema(model, models[model.name], plaintext));
  }
  return { models: out };
}

function modelSchema(
  model: DataModelModel,
  options: ModelOptions | undefined,
  plaintext: "reject" | "read",
): ModelSchema {
  const byName = new Map(model.fields.map((field) => [field.name, field]));
  const scalars = new Set(model.fields.filter((f) => f.kind !== "object").map((f) => f.name));
  const relations = new Map<string, Relation>();
  for (const field of model.fields) {
    if (field.kind !== "object") continue;
    relations.set(field.name, {
      name: field.name,
      target: field.type,
      relationName: field.relationName,
      fromFields: field.relationFromFields ?? [],
      toFields: field.relationToFields ?? [],
      isList: field.isList,
    });
  }
  const primaryKey = model.primaryKey?.length
    ? model.primaryKey
    : model.fields.filter((f) => f.isId === true).map((f) => f.name);
  const where = { model: model.name };
  const encrypted = new Map<string, EncryptedField>();
  for (const [name, field] of Object.entries(options?.fields ?? {})) {
    encrypted.set(name, encryptedField(model.name, byName.get(name), name, field, plaintext));
  }
  const context = contextSpec(model.name, byName, options, encrypted.size > 0);
  for (const name of context.fields) {
    if (encrypted.has(name)) {
      throw new VaultConfigError("a context field cannot itself be encrypted", { ...where, field: name });
    }
  }
  return {
    name: model.name,
    scalars,
    relations,
    primaryKey: primaryKey.length ? primaryKey : byName.has("id") ? ["id"] : [],
    encrypted,
    contextFields: context.fields,
    contextOf: context.of,
  };
}

function encryptedField(
  model: string,
  field: DataModelField | undefined,
  name: string,
  options: FieldOptions,
  plaintext: "reject" | "read",
): EncryptedField {
  const where = { model, field: name };
  if (!field) throw new VaultConfigError("no such field in the Prisma schema", where);
  if (field.kind !== "scalar" || field.type !== "String" || field.isList === true) {
    throw new VaultConfigError(
      `an encrypted field must be a String column, this one is ${describe(field)}`,
      where,
    );
  }
  if (typeof options !== "object" || options === null) {
    throw new VaultConfigError("field options must be an object, e.g. {}", where);
  }
  for (const key of Object.keys(options)) {
    if (!(FIELD_OPTION_KEYS as readonly string[]).includes(key)) {
      throw new VaultConfigError(`unknown field option "${key}"`, where);
    }
  }
  if (options.index !== undefined || options.normalize !== undefined || options.scope !== undefined) {
    throw new VaultConfigError(
      "blind indexes (index, normalize, scope) are not available in this release",
      where,
    );
  }
  const aad = options.aad ?? "default";
  if (aad !== "default" && aad !== "none")
    throw new VaultConfigError('aad must be "default" or "none"', where);
  if (
    options.aadAs !== undefined &&
    (typeof options.aadAs !== "string" || !/^[^.|\s]+\.[^.|\s]+$/.test(options.aadAs))
  ) {
    throw new VaultConfigError('aadAs must look like "Model.field"', where);
  }
  if (aad === "none" && options.aadAs !== undefined) {
    throw new VaultConfigError('aadAs has no effect with aad: "none"', where);
  }
  const mode = options.plaintext ?? plaintext;
  if (mode !== "reject" && mode !== "read")
    throw new VaultConfigError('plaintext must be "reject" or "read"', where);
  const [aadModel = model, aadField = name] = options.aadAs?.split(".") ?? [];
  return {
    model,
    name,
    aad: aad === "none" ? undefined : { model: aadModel, field: aadField },
    plaintext: mode,
  };
}

interface ContextSpec {
  readonly fields: readonly string[];
  readonly of: (row: Row, id?: unknown) => KeyContext;
}

function contextSpec(
  model: string,
  byName: ReadonlyMap<string, DataModelField>,
  options: ModelOptions | undefined,
  required: boolean,
): ContextSpec {
  const option = options?.context;
  const fixed = options?.staticContext ?? {};
  let pairs: [key: string, field: string][] = [];
  let derive: ((row: Row) => KeyContext) | undefined;
  if (option === undefined || option === null) {
    if (required)
      throw new VaultConfigError(
        'a model with encrypted fields needs a key context, e.g. context: ["organizationId"]',
        { model },
      );
  } else if (Array.isArray(option)) {
    pairs = (option as readonly unknown[]).map((field) => [String(field), String(field)]);
    for (const field of option as readonly unknown[]) {
      if (typeof field !== "string")
        throw new VaultConfigError("context lists field names (strings)", { model });
    }
  } else if (isDerived(option)) {
    pairs = option.fields.map((field) => [field, field]);
    derive = option.derive;
  } else if (typeof option === "object") {
    pairs = Object.entries(option as Record<string, unknown>).map(([key, field]) => {
      if (typeof field !== "string")
        throw new VaultConfigError(`context key "${key}" must name a field`, { model });
      return [key, field];
    });
  } else {
    throw new VaultConfigError("context must be a list of fields, a key-to-field map or { fields, derive }", {
      model,
    });
  }
  for (const [, field] of pairs) {
    const info = byName.get(field);
    if (!info) throw new VaultConfigError("the context names a field that does not exist", { model, field });
    if (info.kind === "object" || info.isList === true) {
      throw new VaultConfigError("a context field must be a scalar column", { model, field });
    }
  }
  const size = (derive ? 0 : pairs.length) + Object.keys(fixed).length;
  if (required && !derive && (size < 1 || size > MAX_CONTEXT_PAIRS)) {
    throw new VaultConfigError(`a key context has 1 to ${MAX_CONTEXT_PAIRS} pairs, this one has ${size}`, {
      model,
    });
  }
  if (Object.keys(fixed).length) {
    try {
      validateContext(fixed);
    } catch (error) {
      throw new VaultConfigError("staticContext must be non-empty string pairs", { model, cause: error });
    }
  }
  for (const [key] of pairs) {
    if (!derive && key in fixed) {
      throw new VaultConfigError(`staticContext key "${key}" would replace the value of a context field`, {
        model,
      });
    }
  }
  const fields = [...new Set(pairs.map(([, field]) => field))];
  return {
    fields,
    of(row, id) {
      const values: Record<string, string> = {};
      for (const [key, field] of pairs) {
        const value = row[field];
        if (value === undefined || value === null) {
          throw new VaultError("VAULT_CONTEXT_MISSING", "the row's key context field is not known", {
            model,
            field,
            id,
          });
        }
        if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint") {
          throw new VaultError(
            "VAULT_CONTEXT_INVALID",
            "a key context field must hold a string or a number",
            { model, field, id },
          );
        }
        values[key] = String(value);
      }
      const context = derive
        ? { ...derived(derive(pick(row, fields)), model, id), ...fixed }
        : { ...values, ...fixed };
      try {
        return validateContext(context);
      } catch (error) {
        throw new VaultError("VAULT_CONTEXT_INVALID", (error as Error).message, { model, id, cause: error });
      }
    },
  };
}

function isDerived(option: ContextOption): option is Extract<ContextOption, { derive: unknown }> {
  const candidate = option as { derive?: unknown; fields?: unknown };
  return typeof candidate.derive === "function" && Array.isArray(candidate.fields);
}

/** derive()'s answer must be a context object itself, not something that spreads into one. */
function derived(context: unknown, model: string, id: unknown): KeyContext {
  try {
    return validateContext(context);
  } catch (error) {
    throw new VaultError(
      "VAULT_CONTEXT_INVALID",
      `derive() must return a key context: ${(error as Error).message}`,
      {
        model,
        id,
        cause: error,
      },
    );
  }
}

function pick(row: Row, fields: readonly string[]): Row {
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field] = row[field];
  return out;
}

function describe(field: DataModelField): string {
  if (field.kind === "object") return `a relation to ${field.type}`;
  return field.isList === true ? `${field.type}[]` : field.type;
}

/** Models whose relation graph holds no encrypted field. */
export function inertModels(schema: VaultSchema): Set<string> {
  const live = new Set([...schema.models.values()].filter((m) => m.encrypted.size > 0).map((m) => m.name));
  let grew = true;
  while (grew) {
    grew = false;
    for (const model of schema.models.values()) {
      if (live.has(model.name)) continue;
      if ([...model.relations.values()].some((r) => live.has(r.target))) {
        live.add(model.name);
        grew = true;
      }
    }
  }
  return new Set([...schema.models.keys()].filter((name) => !live.has(name)));
}

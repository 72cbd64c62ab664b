/**
 * The validated configuration of the extension: which fields of which models are encrypted, how each
 * model's key context is derived from a row, and the relation graph the traversals walk. Built from the
 * `models` map, the generator's annotations, or both, against the data model; every problem is a
 * `VaultConfigError` naming model and field, thrown before any query runs.
 */
import { BlindIndex } from "./blind-index.js";
import { columnCapacity, MIN_ENVELOPE_COLUMN } from "./column-capacity.js";
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
  /** The String column holding the field's blind index, which makes the field searchable by equality. */
  readonly index?: string;
  /** Normalizers applied before indexing: `"email"`, `"phone"`, `"nfkc,lowercase"`, … Default `"none"`. */
  readonly normalize?: string;
  /** `"global"` (default): one index key per field. `"tenant"`: one per field and key context. */
  readonly scope?: "global" | "tenant";
  /** HMAC bytes kept in the index, 16 to 32. Default 32. */
  readonly indexBytes?: number | string;
}

/** The keys of {@link FieldOptions}, in a `models` map and in `@encrypted(...)`. */
export const FIELD_OPTION_KEYS = [
  "aad",
  "aadAs",
  "plaintext",
  "index",
  "normalize",
  "scope",
  "indexBytes",
] as const;

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
  /** The blind index filled beside the field on every write, when the field has one. */
  readonly index: FieldIndex | undefined;
  /** The most characters the column holds, when bounded and known: a longer envelope is refused. */
  readonly capacity: number | undefined;
}

/** A field's blind index: the column it lives in and how it is computed. */
export interface FieldIndex {
  readonly column: string;
  readonly blind: BlindIndex;
}

export interface Relation {
  readonly name: string;
  readonly target: string;
  readonly relationName: string | undefined;
  /** Foreign-key fields on this model (empty when the key is on the other side or unknown). */
  readonly fromFields: readonly string[];
  readonly toFields: readonly string[];
  /**
   * Whether the data model says which columns the relation sets (`fromFields`). The runtime data
   * model does not; without the generator or the client's inline schema, writes through the relation
   * on a model with encrypted fields are refused rather than guessed.
   */
  readonly keysKnown: boolean;
  /** To-many; `undefined` when the data model does not say (runtime data model). */
  readonly isList: boolean | undefined;
}

export interface ModelSchema {
  readonly name: string;
  readonly scalars: ReadonlySet<string>;
  readonly relations: ReadonlyMap<string, Relation>;
  readonly primaryKey: readonly string[];
  readonly encrypted: ReadonlyMap<string, EncryptedField>;
  /** Blind-index columns and the encrypted field each one indexes. */
  readonly indexColumns: ReadonlyMap<string, EncryptedField>;
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
 * `indexSecret` keys the blind indexes; a field declaring an index without it is a `VaultConfigError`.
 *
 * @example buildVaultSchema(dataModel, { User: { context: ["organizationId"], fields: { ssn: {} } } }, "reject")
 */
export function buildVaultSchema(
  datamodel: DataModel,
  models: ModelsOption,
  plaintext: "reject" | "read",
  indexSecret?: Uint8Array,
): VaultSchema {
  for (const name of Object.keys(models)) {
    if (!datamodel.models[name])
      throw new VaultConfigError("no such model in the Prisma schema", { model: name });
  }
  const out = new Map<string, ModelSchema>();
  for (const model of Object.values(datamodel.models)) {
    out.set(model.name, modelSchema(model, models[model.name], plaintext, indexSecret, datamodel.provider));
  }
  return { models: out };
}

function modelSchema(
  model: DataModelModel,
  options: ModelOptions | undefined,
  plaintext: "reject" | "read",
  indexSecret: Uint8Array | undefined,
  provider: string | undefined,
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
      keysKnown: field.relationFromFields !== undefined,
      isList: field.isList,
    });
  }
  const primaryKey = model.primaryKey?.length
    ? model.primaryKey
    : model.fields.filter((f) => f.isId === true).map((f) => f.name);
  const where = { model: model.name };
  const encrypted = new Map<string, EncryptedField>();
  for (const [name, field] of Object.entries(options?.fields ?? {})) {
    const info = byName.get(name);
    const column = encryptedField(model.name, info, name, field, plaintext, indexSecret);
    const capacity = columnCapacity(provider, info?.nativeType);
    if (capacity !== undefined && capacity < MIN_ENVELOPE_COLUMN) {
      throw new VaultConfigError(
        `the column holds ${capacity} characters, too few for envelopes (${MIN_ENVELOPE_COLUMN} at least); ` +
          "use a text column: String @db.Text",
        { ...where, field: name },
      );
    }
    encrypted.set(name, { ...column, capacity });
  }
  const context = contextSpec(model.name, byName, options, encrypted.size > 0);
  for (const name of context.fields) {
    if (encrypted.has(name)) {
      throw new VaultConfigError("a context field cannot itself be encrypted", { ...where, field: name });
    }
  }
  const indexColumns = new Map<string, EncryptedField>();
  for (const field of encrypted.values()) {
    if (!field.index) continue;
    const column = field.index.column;
    const at = { ...where, field: field.name };
    const info = byName.get(column);
    if (!info) throw new VaultConfigError(`the index column "${column}" does not exist`, at);
    if (info.kind !== "scalar" || info.type !== "String" || info.isList === true) {
      throw new VaultConfigError(
        `the index column "${column}" must be a String column, not ${describe(info)}`,
        at,
      );
    }
    if (encrypted.has(column)) throw new VaultConfigError(`the index column "${column}" is encrypted`, at);
    if (context.fields.includes(column)) {
      throw new VaultConfigError(`the index column "${column}" is a key context field`, at);
    }
    if (primaryKey.includes(column)) {
      throw new VaultConfigError(`the index column "${column}" is part of the primary key`, at);
    }
    const other = indexColumns.get(column);
    if (other) {
      throw new VaultConfigError(`the index column "${column}" already indexes ${other.name}`, at);
    }
    indexColumns.set(column, field);
  }
  return {
    name: model.name,
    scalars,
    relations,
    primaryKey: primaryKey.length ? primaryKey : byName.has("id") ? ["id"] : [],
    encrypted,
    indexColumns,
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
  indexSecret: Uint8Array | undefined,
): Omit<EncryptedField, "capacity"> {
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
    // A field renamed with aadAs keeps its index key too, so stored indexes keep matching.
    index: fieldIndex(options, indexSecret, where, options.aadAs),
  };
}

function fieldIndex(
  options: FieldOptions,
  secret: Uint8Array | undefined,
  where: { model: string; field: string },
  keyName: string | undefined,
): FieldIndex | undefined {
  if (options.index === undefined) {
    const stray = (["normalize", "scope", "indexBytes"] as const).find((key) => options[key] !== undefined);
    if (stray) throw new VaultConfigError(`${stray} applies to a blind index; add index: "<column>"`, where);
    return undefined;
  }
  if (typeof options.index !== "string" || options.index === "") {
    throw new VaultConfigError("index must name the String column that holds the blind index", where);
  }
  if (!secret) {
    throw new VaultConfigError(
      "a blind index needs a secret: pass indexSecret to vault() or set PRISMA_VAULT_INDEX_KEY",
      where,
    );
  }
  if (
    options.normalize !== undefined &&
    typeof options.normalize !== "string" &&
    !Array.isArray(options.normalize)
  ) {
    throw new VaultConfigError('normalize is a normalizer name or a list, e.g. "email"', where);
  }
  const bytes = options.indexBytes === undefined ? undefined : Number(options.indexBytes);
  const blind = new BlindIndex(secret, {
    ...where,
    ...(options.normalize === undefined ? {} : { normalize: options.normalize }),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    ...(bytes === undefined ? {} : { bytes }),
    ...(keyName === undefined ? {} : { keyName }),
  });
  return { column: options.index, blind };
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

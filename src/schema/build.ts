/**
 * The validated configuration of the extension: which fields of which models are encrypted, how each
 * model's key context is derived from a row, and the relation graph the traversals walk. Built from the
 * `models` map, the generator's annotations, or both, against the data model; every problem is a
 * `VaultConfigError` naming model and field, thrown before any query runs.
 */
import { columnCapacity, MIN_ENVELOPE_COLUMN } from "./column-capacity.js";
import { NO_SUCH_MODEL } from "../error-messages.js";
import { VaultConfigError } from "../errors.js";
import type { DataModel, DataModelModel } from "./datamodel.js";
import { contextSource } from "./context-source.js";
import { describe, encryptedField } from "./field.js";
import type { EncryptedField, ModelSchema, Relation, SchemaSettings, VaultSchema } from "./model-schema.js";
import type { ModelOptions, ModelsOption } from "./options.js";

/**
 * Validates `models` against `datamodel` and returns the schema the extension runs on.
 *
 * `settings.indexSecret` keys the blind indexes; a field declaring an index without it is a `VaultConfigError`.
 *
 * @example
 * buildVaultSchema(dataModel, { User: { context: ["organizationId"], fields: { ssn: {} } } }, { plaintext: "reject" })
 */
export function buildVaultSchema(
  datamodel: DataModel,
  models: ModelsOption,
  settings: SchemaSettings,
): VaultSchema {
  for (const name of Object.keys(models)) {
    if (!Object.hasOwn(datamodel.models, name)) throw new VaultConfigError(NO_SUCH_MODEL, { model: name });
  }
  const out = new Map<string, ModelSchema>();
  for (const model of Object.values(datamodel.models)) {
    out.set(
      model.name,
      modelSchema(
        model,
        Object.hasOwn(models, model.name) ? models[model.name] : undefined,
        settings,
        datamodel.provider,
      ),
    );
  }
  return { models: out, provider: datamodel.provider };
}

function modelSchema(
  model: DataModelModel,
  options: ModelOptions | undefined,
  settings: SchemaSettings,
  provider: string | undefined,
): ModelSchema {
  const byName = new Map(model.fields.map((field) => [field.name, field]));
  const scalarFields = model.fields.filter((f) => f.kind !== "object");
  const scalars = new Set(scalarFields.map((f) => f.name));
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
    const column = encryptedField(model.name, info, name, field, settings);
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
  const context = contextSource(model.name, byName, options, encrypted.size > 0);
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
    table: model.dbName ?? model.name,
    scalars,
    columns: new Map(scalarFields.map((f) => [f.name, f.dbName ?? f.name])),
    fieldTypes: new Map(scalarFields.map((f) => [f.name, f.type])),
    relations,
    primaryKey: primaryKey.length ? primaryKey : byName.has("id") ? ["id"] : [],
    encrypted,
    indexColumns,
    contextFields: context.fields,
    contextOf: context.of,
  };
}

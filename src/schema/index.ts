/** The validated configuration of the extension; each name is defined in the module named beside it. */
export { buildVaultSchema } from "./build.js";
export type {
  EncryptedField,
  FieldIndex,
  ModelSchema,
  Relation,
  SchemaSettings,
  VaultSchema,
} from "./model-schema.js";
export {
  FIELD_OPTION_KEYS,
  type ContextOption,
  type FieldOptions,
  type ModelOptions,
  type ModelsOption,
  type Row,
} from "./options.js";
export { inertModels } from "./relations.js";

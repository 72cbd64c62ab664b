export {
  VAULT_ERROR_CODES,
  VaultError,
  VaultConfigError,
  VaultContextMissingError,
  VaultContextInvalidError,
  VaultDecryptError,
  VaultKeyProviderError,
  VaultKeyRejectedError,
  VaultKeyUnavailableError,
  VaultUnsupportedQueryError,
  VaultEnvelopeInvalidError,
  isVaultError,
} from "./errors.js";
export type { VaultErrorCode, VaultErrorDetails } from "./errors.js";
export { associatedData, canonicalContext, validateContext, MAX_CONTEXT_PAIRS } from "./context.js";
export type { KeyContext } from "./context.js";
export { decodeEnvelope, encodeEnvelope, isEnvelope, openEnvelope, sealEnvelope } from "./envelope.js";
export type { Envelope } from "./envelope.js";
export { guardProvider } from "./keys/provider.js";
export type { DataKey, DecryptedDataKey, KeyProvider } from "./keys/provider.js";
export { LocalKeyProvider, KEYS_ENV } from "./keys/local.js";
export type { LocalKeyProviderOptions, MasterKey } from "./keys/local.js";
export { WorkOSKeyProvider } from "./keys/workos.js";
export type { WorkOSKeyProviderOptions, WorkOSVaultClient } from "./keys/workos.js";
export { DataKeyCache, CACHE_DEFAULTS } from "./keys/cache.js";
export type { CacheOptions, VaultStats } from "./keys/cache.js";
export { FieldCipher, encrypt, decrypt } from "./cipher.js";
export type { FieldRef } from "./cipher.js";
// From the modules behind the subpath entries, never from the entries (src/workos.ts,
// src/key-server/index.ts): their CJS builds re-export index.cjs (tsup.config.ts).
export { startKeyServer } from "./key-server/server.js";
export type { KeyServer, KeyServerStats } from "./key-server/server.js";
export { KEY_SERVER_TOKEN_ENV } from "./key-server/options.js";
export type { KeyServerOptions } from "./key-server/options.js";
export { Faults } from "./key-server/faults.js";
export type { FaultSettings } from "./key-server/faults.js";
export { BlindIndex, INDEX_KEY_ENV, NORMALIZERS } from "./blind-index.js";
export type { BlindIndexOptions, Normalizer } from "./blind-index.js";
export { vault } from "./prisma/extension.js";
export type { VaultClientApi } from "./prisma/extension.js";
export type { VaultOptions } from "./prisma/options.js";
export type { DecryptErrorPolicy } from "./prisma/values.js";
export type { ContextOption, FieldOptions, ModelOptions, ModelsOption, Row } from "./schema/options.js";
export type { GeneratedVaultSchema, DataModel, DataModelField, DataModelModel } from "./prisma/datamodel.js";
export { migrate } from "./migrate/migrate.js";
export type { MigrateOptions, MigrationMode } from "./migrate/options.js";
export type {
  MigrationFailedValue,
  MigrationModelReport,
  MigrationProgress,
  MigrationReport,
} from "./migrate/report.js";

/**
 * `prisma-vault`: the Prisma client extension {@link vault}, the key providers, the standalone cipher
 * ({@link encrypt}, {@link decrypt}, {@link FieldCipher}), blind indexes, {@link migrate} and the
 * errors. What `prisma-vault/workos` exports, this entry exports too; the key server is only in
 * `prisma-vault/key-server`, so that importing this entry never loads it (edge runtimes have no
 * `node:http`). Export from the modules, never from another entry (tsup.config.ts).
 *
 * @module prisma-vault
 */
export { VAULT_ERROR_CODES } from "./error-codes.js";
export {
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
  VaultNotFoundError,
  VaultConflictError,
  VaultInvalidArgumentError,
  isVaultError,
} from "./errors.js";
export type { VaultErrorCode } from "./error-codes.js";
export type { VaultErrorDetails } from "./error-details.js";
export {
  associatedData,
  canonicalContext,
  validateContext,
  MAX_CONTEXT_PAIRS,
} from "./context/key-context.js";
export type { KeyContext } from "./context/key-context.js";
export { decodeEnvelope, encodeEnvelope, isEnvelope } from "./format/envelope.js";
export { openEnvelope } from "./crypto/open-envelope.js";
export { sealEnvelope } from "./crypto/seal-envelope.js";
export type { Envelope } from "./format/envelope.js";
export { guardProvider } from "./keys/guard-provider.js";
export type { DataKey, DecryptedDataKey, KeyProvider } from "./keys/provider.js";
export type { GuardedKeyProvider, GuardOptions } from "./keys/guard-provider.js";
export { LocalKeyProvider, KEYS_ENV, DESTROYED_KEYS_ENV } from "./keys/local.js";
export type { LocalKeyProviderOptions, MasterKey } from "./keys/local.js";
export { WorkOSKeyProvider } from "./keys/workos.js";
export type { WorkOSKeyProviderOptions, WorkOSVaultClient } from "./keys/workos.js";
export type { WorkOSRetryOptions } from "./keys/workos-retry.js";
export { KeyRouter } from "./keys/router.js";
export type { KeyRoute, KeyRouterCounts, KeyRouterOptions } from "./keys/router.js";
export { DataKeyCache } from "./keys/cache.js";
export { AUDIT_HOOK_FAILED } from "./keys/audit.js";
export type {
  AuditHook,
  VaultAuditEvent,
  VaultAuditEventType,
  AttemptObserver,
  Attempt,
} from "./keys/audit.js";
export type { CacheOptions } from "./keys/cache-options.js";
export type { ProviderCallOptions } from "./keys/cache-provider.js";
export type { VaultStats } from "./keys/vault-stats.js";
export { FieldCipher } from "./core/cipher.js";
export { isOpened } from "./core/opened.js";
export { encrypt, decrypt } from "./core/standalone.js";
export type { CipherItem } from "./core/cipher-item.js";
export type { FieldRef } from "./schema/field-ref.js";
export type { Opened, OpenedBatch, Unopened } from "./core/opened.js";
export { BlindIndex, INDEX_KEY_ENV } from "./core/blind-index.js";
export { NORMALIZERS } from "./schema/blind-index-spec.js";
export type { BlindIndexOptions, Normalizer } from "./schema/blind-index-spec.js";
export { vault } from "./prisma/extension.js";
export type { VaultClientApi, VaultClientStats } from "./prisma/vault-client-api.js";
export type { VaultOptions } from "./prisma/options.js";
export type { VaultExtension } from "./prisma/client-types.js";
export type { DecryptErrorPolicy } from "./core/decrypt-policy.js";
export type { ContextOption, FieldOptions, ModelOptions, ModelsOption, Row } from "./schema/options.js";
export type { GeneratedVaultSchema, DataModel, DataModelField, DataModelModel } from "./schema/datamodel.js";
export type { VaultObjects, ObjectsOptions } from "./objects/vault-objects.js";
export type { ResealReport } from "./objects/reseal.js";
export type { UnboundValues } from "./objects/sealing.js";
export type {
  CreateObjectOptions,
  DeleteObjectOptions,
  ListObjectsOptions,
  UpdateObjectOptions,
} from "./objects/input.js";
export type {
  ObjectDigest,
  ObjectList,
  ObjectMetadata,
  ObjectUpdatedBy,
  ObjectVersion,
  PurgeReport,
  VaultObject,
} from "./objects/shapes.js";
export { migrate } from "./migrate/migrate.js";
export type { MigrationMode } from "./migrate/migration-mode.js";
export type { MigrateOptions } from "./migrate/options.js";
export type {
  MigrationFailedValue,
  MigrationFailureCode,
  MigrationModelReport,
  MigrationProgress,
  MigrationReport,
} from "./migrate/report.js";

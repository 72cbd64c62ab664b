/**
 * `prisma-vault/prisma8`: prisma-vault for Prisma 8, as one SQL middleware (DESIGN.md §14), and the API
 * it shares with the root entry (key providers, errors, contexts, envelopes, `encrypt`/`decrypt`, blind
 * indexes), so a Prisma 8 app imports everything from here and never loads or type-checks against
 * `@prisma/client` (Prisma 7). ES module only, as Prisma 8 is. The shared names are the root's own
 * objects: test/prisma8/entry.test.ts checks the two lists agree.
 */
export { vaultMiddleware } from "./prisma8/middleware.js";
export type { VaultMiddleware, VaultMiddlewareOptions } from "./prisma8/middleware.js";
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
export type { DecryptErrorPolicy } from "./core/decrypt-policy.js";
export type { ContextOption, FieldOptions, ModelOptions, ModelsOption, Row } from "./schema/options.js";

/** The stable error codes of prisma-vault, one per {@link VaultError} subclass (errors.ts). */

/**
 * The stable error codes of prisma-vault. Match on `error.code`, never on the message text.
 *
 * @example
 * try { await prisma.user.findMany() } catch (e) {
 *   if (e instanceof VaultError && e.code === "VAULT_DECRYPT_FAILED") report(e.model, e.field, e.id);
 * }
 */
export const VAULT_ERROR_CODES = [
  "VAULT_CONFIG",
  "VAULT_CONTEXT_MISSING",
  "VAULT_CONTEXT_INVALID",
  "VAULT_DECRYPT_FAILED",
  "VAULT_KEY_PROVIDER",
  "VAULT_KEY_UNAVAILABLE",
  "VAULT_UNSUPPORTED_QUERY",
  "VAULT_ENVELOPE_INVALID",
  "VAULT_NOT_FOUND",
  "VAULT_CONFLICT",
  "VAULT_INVALID_ARGUMENT",
] as const;

/** One of {@link VAULT_ERROR_CODES}: the `code` of a {@link VaultError}. */
export type VaultErrorCode = (typeof VAULT_ERROR_CODES)[number];

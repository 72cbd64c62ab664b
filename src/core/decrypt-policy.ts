/**
 * What a read does with a value that did not open: the `onDecryptError` policy, `plaintext: "read"`,
 * and the audit event of a refusal. Shared by every shell that opens results (Prisma 7's extension,
 * Prisma 8's middleware), so both read a bad value alike.
 */
import type { VaultErrorCode } from "../error-codes.js";
import { isVaultError, VaultDecryptError, type VaultError } from "../errors.js";
import type { VaultAuditEvent } from "../keys/audit.js";
import type { FieldRef } from "../schema/field-ref.js";
import type { EncryptedField } from "../schema/model-schema.js";
import type { VaultCore } from "./vault-core.js";

/** What to do with a value that does not decrypt: throw (default), read it as null, or a function's answer. */
export type DecryptErrorPolicy = "throw" | "null" | ((error: VaultError) => unknown);

/** The audit event of a value whose decryption was refused with `code`. */
export function refusal(core: VaultCore, ref: FieldRef, code: VaultErrorCode): VaultAuditEvent {
  return {
    type: "decryptRefused",
    provider: core.provider.name,
    context: ref.context,
    model: ref.model,
    field: ref.field,
    id: ref.id,
    outcome: code,
    at: new Date(),
  };
}

/**
 * What to read for `value` of `field` that did not decrypt (`error`): itself when it is plaintext its
 * field reads, else what `policy` says. Everything that is not a decryption failure is rethrown: a
 * provider outage, and a key that is not configured (never read as null: the application could
 * overwrite the real value). `refused` hears of each value refused (a decryption failure, a key not
 * configured), whatever `policy` then does with it.
 */
export function recover(
  error: unknown,
  field: EncryptedField,
  value: string,
  id: unknown,
  policy: DecryptErrorPolicy,
  refused?: (code: VaultErrorCode) => void,
): unknown {
  if (isVaultError(error, "VAULT_KEY_UNAVAILABLE")) {
    refused?.(error.code);
    throw error;
  }
  let failure = error;
  if (isVaultError(error, "VAULT_ENVELOPE_INVALID")) {
    // Not an envelope (it does not parse, or its key blob has no known format; no provider was
    // asked): a plaintext row left from before encryption, or garbage. Still VAULT_DECRYPT_FAILED, so
    // onDecryptError and existing handlers treat it as before; its message names the fix.
    if (field.plaintext === "read") return value;
    failure = new VaultDecryptError({ model: field.model, field: field.name, id, notAnEnvelope: true });
  }
  if (!isVaultError(failure, "VAULT_DECRYPT_FAILED")) throw failure;
  refused?.(failure.code);
  if (policy === "throw") throw failure;
  return policy === "null" ? null : policy(failure);
}

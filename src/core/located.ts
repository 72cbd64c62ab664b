/**
 * Errors of the cipher located at the value they concern: model, field and row id, never the value.
 */
import { isKeyRejected, isVaultError, VaultDecryptError } from "../errors.js";
import type { FieldRef } from "../schema/field-ref.js";

/** Runs `work` and re-throws its errors with the model, field and row id of `ref` attached. */
export function locatedNow<T>(ref: FieldRef, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw locate(error, ref);
  }
}

/** `error`, located at the model, field and row of `ref`. */
export function locate(error: unknown, ref: FieldRef): unknown {
  const place = { model: ref.model, field: ref.field, id: ref.id };
  // A refused key blob is, for the field, a value that does not decrypt (tampered or foreign).
  if (isKeyRejected(error) || isVaultError(error, "VAULT_DECRYPT_FAILED")) {
    return new VaultDecryptError({ ...place, cause: isKeyRejected(error) ? error : undefined });
  }
  if (!isVaultError(error) || error.model !== undefined) return error;
  // Precondition: a located error keeps its class, code and fields of its own (locatedAt).
  return error.locatedAt(place);
}

/**
 * The crypto passes of the extension: seal the values a write plan lists, open the values a result
 * holds. No database access here; the extension shell decides contexts and runs the queries.
 */
import type { FieldCipher, FieldRef } from "../cipher.js";
import { associatedData, type KeyContext } from "../context.js";
import { VaultDecryptError, VaultError } from "../errors.js";
import type { EncryptedField } from "../schema.js";
import type { ResultShape } from "./plan.js";
import { rowId, storedValues, stripAdded } from "./results.js";
import type { PendingValue } from "./write-plan.js";

/** What to do with a value that does not decrypt: throw (default), read it as null, or a function's answer. */
export type DecryptErrorPolicy = "throw" | "null" | ((error: VaultError) => unknown);

/** The FieldRef of a value of `field` in a row with `context`. */
export function fieldRef(field: EncryptedField, context: KeyContext, id?: unknown): FieldRef {
  const aad = field.aad === undefined ? "" : associatedData(field.aad.model, field.aad.field, context);
  return { model: field.model, field: field.name, context, aad, ...(id === undefined ? {} : { id }) };
}

/** Encrypts every pending value under `context` and writes the envelopes and blind indexes into the arguments. */
export async function sealValues(
  cipher: FieldCipher,
  values: readonly PendingValue[],
  context: KeyContext,
  id?: unknown,
): Promise<void> {
  const sealed = await Promise.all(
    values.map((v) => cipher.encrypt(v.value, fieldRef(v.field, context, id))),
  );
  values.forEach((v, i) => {
    v.holder[v.key] = sealed[i];
    if (v.field.index) v.row[v.field.index.column] = v.field.index.blind.compute(v.value, context);
  });
}

/**
 * Decrypts, in place, every encrypted value in `result` and removes the fields that were added to
 * read contexts. A value that is not an envelope is a decryption failure unless its field reads
 * plaintext (`plaintext: "read"`); failures follow `policy`, provider outages always throw.
 */
export async function openResult(
  cipher: FieldCipher,
  shape: ResultShape,
  result: unknown,
  policy: DecryptErrorPolicy,
): Promise<void> {
  const values = storedValues(shape, result);
  const plain = await Promise.all(
    values.map(async ({ model, field, row, value }) => {
      const id = rowId(model, row);
      try {
        try {
          return await cipher.decrypt(value, fieldRef(field, model.contextOf(row, id), id));
        } catch (error) {
          if (!(error instanceof VaultError) || error.code !== "VAULT_ENVELOPE_INVALID") throw error;
          // Not an envelope: a plaintext row left from before encryption, or garbage.
          if (field.plaintext === "read") return value;
          throw new VaultDecryptError({ model: model.name, field: field.name, id });
        }
      } catch (error) {
        if (!(error instanceof VaultError) || error.code !== "VAULT_DECRYPT_FAILED" || policy === "throw")
          throw error;
        return policy === "null" ? null : policy(error);
      }
    }),
  );
  values.forEach((v, i) => (v.row[v.field.name] = plain[i]));
  stripAdded(shape, result);
}

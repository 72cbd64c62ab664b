/**
 * The crypto passes of the extension: seal the values a write plan lists, open the values a result
 * holds. No database access here; the extension shell decides contexts and runs the queries.
 */
import type { FieldCipher, FieldRef } from "../cipher.js";
import { associatedData, type KeyContext } from "../context.js";
import { VaultConfigError, VaultDecryptError, VaultError } from "../errors.js";
import type { EncryptedField } from "../schema/model-schema.js";
import type { ResultShape } from "./plan.js";
import { rowId, storedValues, stripAdded, type StoredValue } from "./results.js";
import type { PendingValue } from "./write-plan.js";

/** What to do with a value that does not decrypt: throw (default), read it as null, or a function's answer. */
export type DecryptErrorPolicy = "throw" | "null" | ((error: VaultError) => unknown);

/** The FieldRef of a value of `field` in a row with `context`. */
export function fieldRef(field: EncryptedField, context: KeyContext, id?: unknown): FieldRef {
  const aad = field.aad === undefined ? "" : associatedData(field.aad.model, field.aad.field, context);
  return { model: field.model, field: field.name, context, aad, ...(id === undefined ? {} : { id }) };
}

/**
 * Encrypts every pending value under `context` and writes the envelopes and blind indexes into the
 * arguments. Values are sealed at once while a data key for the context is cached; the others wait
 * for one.
 */
export async function sealValues(
  cipher: FieldCipher,
  values: readonly PendingValue[],
  context: KeyContext,
  id?: unknown,
): Promise<void> {
  const place = (v: PendingValue, envelope: string) => {
    v.holder[v.key] = fitting(v.field, envelope, id);
    if (v.field.index) v.row[v.field.index.column] = v.field.index.blind.compute(v.value, context);
  };
  const misses: Promise<void>[] = [];
  try {
    for (const v of values) {
      const ref = fieldRef(v.field, context, id);
      const sealed = cipher.encryptCached(v.value, ref);
      if (sealed !== undefined) place(v, sealed);
      else misses.push(cipher.encrypt(v.value, ref).then((envelope) => place(v, envelope)));
    }
  } catch (error) {
    observe(misses);
    throw error;
  }
  await Promise.all(misses);
}

/**
 * `envelope`, checked to fit `field`'s column.
 * Precondition: the envelope fits its column; a database in non-strict mode would cut it silently.
 */
export function fitting(field: EncryptedField, envelope: string, id: unknown): string {
  if (field.capacity !== undefined && envelope.length > field.capacity) {
    throw new VaultConfigError(
      `the envelope is ${envelope.length} characters and the column holds ${field.capacity}; use a larger text column`,
      { model: field.model, field: field.name, id },
    );
  }
  return envelope;
}

/**
 * Decrypts, in place, every encrypted value in `result` and removes the fields that were added to
 * read contexts. A value that is not an envelope is a decryption failure unless its field reads
 * plaintext (`plaintext: "read"`); failures follow `policy`, provider outages always throw.
 * Values whose data key is cached are opened synchronously; only the others wait for the provider.
 */
export async function openResult(
  cipher: FieldCipher,
  shape: ResultShape,
  result: unknown,
  policy: DecryptErrorPolicy,
): Promise<void> {
  const values = storedValues(shape, result);
  const misses: Promise<void>[] = [];
  try {
    for (const stored of values) {
      const { model, field, row, value } = stored;
      const id = rowId(model, row);
      const settle = (error: unknown) => void (row[field.name] = recover(error, stored, id, policy));
      try {
        const ref = fieldRef(field, model.contextOf(row, id), id);
        const plain = cipher.decryptCached(value, ref);
        if (plain !== undefined) row[field.name] = plain;
        else misses.push(cipher.decrypt(value, ref).then((text) => void (row[field.name] = text), settle));
      } catch (error) {
        settle(error);
      }
    }
  } catch (error) {
    observe(misses);
    throw error;
  }
  await Promise.all(misses);
  stripAdded(shape, result);
}

/**
 * What to read for a value that did not decrypt: itself when it is plaintext its field reads, else
 * what `policy` says. Everything that is not a decryption failure is rethrown: a provider outage, and
 * a key that is not configured (never read as null: the application could overwrite the real value).
 */
function recover(error: unknown, stored: StoredValue, id: unknown, policy: DecryptErrorPolicy): unknown {
  const { model, field, value } = stored;
  if (error instanceof VaultError && error.code === "VAULT_KEY_UNAVAILABLE") throw error;
  let failure = error;
  if (error instanceof VaultError && error.code === "VAULT_ENVELOPE_INVALID") {
    // Not an envelope (it does not parse, or its key blob has no known format; no provider was
    // asked): a plaintext row left from before encryption, or garbage.
    if (field.plaintext === "read") return value;
    failure = new VaultDecryptError({ model: model.name, field: field.name, id });
  }
  if (!(failure instanceof VaultError) || failure.code !== "VAULT_DECRYPT_FAILED" || policy === "throw")
    throw failure;
  return policy === "null" ? null : policy(failure);
}

/** The query fails with another error: work still in flight must not fail unobserved. */
function observe(pending: readonly Promise<unknown>[]): void {
  for (const promise of pending) promise.catch(() => undefined);
}

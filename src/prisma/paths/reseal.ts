/**
 * Moving a row's stored values to another key context: what an update does not write is decrypted
 * under the row's old context and sealed again under its new one, in the same write.
 */
import type { VaultCore } from "../../core/vault-core.js";
import type { KeyContext } from "../../context/key-context.js";
import type { EncryptedField } from "../../schema/model-schema.js";
import type { PrismaObject } from "../../client/prisma-object.js";
import { checkedToFit } from "../../core/checked-to-fit.js";
import { fieldRef } from "../../schema/field-ref.js";

/**
 * The `stale` values of `row`, opened under `previous` and sealed under `next`, with their blind
 * indexes: the data to add to the write that moves the row. Null values have nothing to move.
 */
export async function resealed(
  core: VaultCore,
  stale: readonly EncryptedField[],
  row: PrismaObject,
  previous: KeyContext,
  next: KeyContext,
  id: unknown,
): Promise<PrismaObject> {
  const data: PrismaObject = {};
  for (const field of stale) {
    const value = row[field.name];
    if (typeof value !== "string") continue;
    const plain = await core.open(value, fieldRef(field, previous, id));
    data[field.name] = checkedToFit(core, field, await core.seal(plain, fieldRef(field, next, id)), id);
    // A tenant-scoped index is keyed by the context too: it moves with the value.
    if (field.index) data[field.index.column] = core.blindIndex(field.index.blind, plain, next);
  }
  return data;
}

/**
 * The live object (not soft-deleted) as the store reads it: its row by id, its `where`, the context and
 * place its value was sealed under, and the errors of an id that names none or a version that moved on.
 */
import { parseCanonicalContext, type KeyContext } from "../context/key-context.js";
import { VaultConflictError, VaultDecryptError, VaultNotFoundError } from "../errors.js";
import { OBJECT_MODEL } from "./models.js";
import { objectRows, type ObjectClient } from "./object-client.js";
import { runObjectQuery } from "./object-query.js";
import type { ValuePlace } from "./sealing.js";
import type { ObjectRow } from "./shapes.js";

/** The columns of a live object the store reads: all but its times of creation and deletion. */
export const LIVE_ROW = {
  id: true,
  name: true,
  context: true,
  keyId: true,
  versionId: true,
  value: true,
  updatedAt: true,
} as const;

/**
 * The live object `id`; `VAULT_NOT_FOUND` if there is none.
 *
 * @example const row = await liveObject(client, "secret_01…");
 */
export async function liveObject(client: ObjectClient, id: string): Promise<ObjectRow> {
  const row = (await runObjectQuery([], () =>
    objectRows(client)["findFirst"]!({ where: liveWhere(id), select: LIVE_ROW }),
  )) as ObjectRow | null;
  // Exactly: MySQL's default collation compares ids without case.
  if (row === null || row.id !== id) throw objectNotFound(id);
  return row;
}

/**
 * The context a row was created with; a stored context that is not one cannot be trusted: `VAULT_DECRYPT_FAILED`.
 *
 * @example const context = contextOf(row);
 */
export function contextOf(row: Pick<ObjectRow, "id" | "context">): KeyContext {
  try {
    return parseCanonicalContext(row.context);
  } catch {
    throw new VaultDecryptError({ model: OBJECT_MODEL, field: "context", id: row.id });
  }
}

/**
 * Where `row`'s current value was sealed.
 *
 * @example await openValue(cipher, row.value, placeOf(row, contextOf(row)), unbound)
 */
export function placeOf(row: Pick<ObjectRow, "id" | "versionId" | "name">, context: KeyContext): ValuePlace {
  return { id: row.id, versionId: row.versionId, name: row.name, context };
}

/**
 * The `where` of the live object `id`, at version `versionCheck` when given.
 *
 * @example objectRows(client)["updateMany"]!({ where: liveWhere(id, versionCheck), data })
 */
export function liveWhere(id: string, versionCheck?: string): object {
  return { id, deletedAt: null, ...(versionCheck !== undefined && { versionId: versionCheck }) };
}

/** `versionCheck` was not the current version of object `id`, or the object moved on under a write. */
export function versionConflict(id: string): VaultConflictError {
  return new VaultConflictError(
    "versionCheck is not the object's current version: another write came first; read it again",
    { model: OBJECT_MODEL, id },
  );
}

/** No live object has the id `id`. */
export function objectNotFound(id: string): VaultNotFoundError {
  return new VaultNotFoundError("no live Vault object has this id", { model: OBJECT_MODEL, id });
}

/**
 * `updateObject`: a new version of a live object, in one interactive transaction. A conditional update
 * of the object takes its row lock, then the new version is written, timed after the one it replaces
 * (version-order.ts), so of concurrent updaters checking the same version exactly one wins and versions
 * list in commit order. An update that arrives again after its reply was lost changes nothing twice
 * (replayed-writes.ts).
 */
import type { KeyContext } from "../context/key-context.js";
import type { VaultCore } from "../core/vault-core.js";
import { isVaultError } from "../errors.js";
import { sameText } from "../crypto/same-text.js";
import { newVersionId } from "./ids.js";
import { readUpdate, type UpdateObjectOptions } from "./input.js";
import { contextOf, liveObject, liveWhere, objectNotFound, placeOf, versionConflict } from "./live-object.js";
import { objectRows, versionRows, type ObjectClient } from "./object-client.js";
import { runObjectQuery } from "./object-query.js";
import { isReplayedUpdate } from "./replayed-writes.js";
import { openValue, sealValue, type UnboundValues } from "./sealing.js";
import { metadataOf, type ObjectRow, type VaultObject } from "./shapes.js";
import { NEWEST_FIRST, versionTime } from "./version-order.js";

/** What the store's paths share: the client under the extension, the cipher and the store's options. */
export interface ObjectStoreParts {
  readonly client: ObjectClient;
  readonly cipher: VaultCore;
  readonly environmentId: string;
  readonly unbound: UnboundValues;
}

// Generous bounds for an update's short transaction, which waits for a connection and for the row
// lock of every updater ahead of it.
const UPDATE_TRANSACTION = { maxWait: 30_000, timeout: 30_000 };

/**
 * A new version of the live object `options.id` with `options.value` (see `VaultObjects.updateObject`).
 *
 * @example await updateObject(store, { id, value: "sk_live_…", versionCheck: meta.versionId })
 */
export async function updateObject(
  store: ObjectStoreParts,
  options: UpdateObjectOptions,
): Promise<VaultObject> {
  const { id, value, versionCheck } = readUpdate(options);
  const current = await liveObject(store.client, id);
  const context = contextOf(current);
  if (versionCheck === undefined ? await holds(store, current, value) : versionCheck !== current.versionId) {
    if (versionCheck === undefined || (await replayed(store, current, versionCheck, value)))
      return described(store, current, context);
    throw versionConflict(id);
  }
  const versionId = newVersionId();
  const place = { id, versionId, name: current.name, context };
  const { envelope, keyId } = await sealValue(store.cipher, value, place);
  let updatedAt: Date;
  try {
    updatedAt = await runObjectQuery([value], () =>
      store.client.$transaction(async (tx) => {
        // Takes the row lock: every updater ahead of this one has committed when it returns.
        const { count } = (await objectRows(tx)["updateMany"]!({
          where: liveWhere(id, versionCheck),
          data: { keyId, versionId, value: envelope },
        })) as { count: number };
        if (count === 0) throw await lost(tx, id);
        // The row as this transaction left it: the time is still the replaced version's.
        const replaced = (await objectRows(tx)["findUnique"]!({
          where: { id },
          select: { updatedAt: true },
        })) as { updatedAt: Date };
        const at = versionTime(replaced.updatedAt, new Date());
        await objectRows(tx)["updateMany"]!({ where: { id }, data: { updatedAt: at } });
        await versionRows(tx)["create"]!({
          data: { id: versionId, objectId: id, keyId, value: envelope, createdAt: at },
          select: { id: true },
        });
        return at;
      }, UPDATE_TRANSACTION),
    );
  } catch (error) {
    // A retry that met its own first attempt still holding the lock finds that attempt's version.
    if (versionCheck === undefined || !isVaultError(error, "VAULT_CONFLICT")) throw error;
    const now = await liveObject(store.client, id);
    if (await replayed(store, now, versionCheck, value)) return described(store, now, context);
    throw error;
  }
  const row = { id, keyId, versionId, updatedAt };
  return { id, name: current.name, metadata: metadataOf(row, context, store.environmentId) };
}

/** `row` without its value, as describeObject and updateObject return it. */
function described(store: ObjectStoreParts, row: ObjectRow, context: KeyContext): VaultObject {
  return { id: row.id, name: row.name, metadata: metadataOf(row, context, store.environmentId) };
}

/**
 * Whether `row`'s current value is `value`. A current value that does not open is not: the update
 * replaces it. A key provider's failure is thrown.
 */
async function holds(store: ObjectStoreParts, row: ObjectRow, value: string): Promise<boolean> {
  let current: string;
  try {
    current = await openValue(store.cipher, row.value, placeOf(row, contextOf(row)), store.unbound);
  } catch (error) {
    if (isVaultError(error, "VAULT_DECRYPT_FAILED")) return false;
    throw error;
  }
  return sameText(current, value);
}

/** Whether a checked update that found `row` moved past `versionCheck` is the update that moved it. */
async function replayed(
  store: ObjectStoreParts,
  row: ObjectRow,
  versionCheck: string,
  value: string,
): Promise<boolean> {
  const newest = (await runObjectQuery([], () =>
    versionRows(store.client)["findMany"]!({
      where: { objectId: row.id },
      orderBy: NEWEST_FIRST,
      take: 2,
      select: { id: true },
    }),
  )) as { id: string }[];
  const ids = newest.map((version) => version.id);
  if (ids[0] !== row.versionId || ids[1] !== versionCheck) return false;
  const sameValue = await holds(store, row, value);
  return isReplayedUpdate({ versionCheck, currentVersionId: row.versionId, newest: ids, sameValue });
}

/** Why a conditional write of `id` changed nothing: the object is gone, or its version moved on. */
async function lost(client: ObjectClient, id: string): Promise<Error> {
  const found = await objectRows(client)["findFirst"]!({ where: liveWhere(id), select: { id: true } });
  return found === null ? objectNotFound(id) : versionConflict(id);
}

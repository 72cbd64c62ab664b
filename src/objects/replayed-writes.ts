/**
 * What a write that arrives again finds, and when it is the same write: WorkOS's SDK (10 and later)
 * retries a PUT or DELETE whose reply was lost (a network error, 5xx) without an idempotency key, so
 * the store itself must recognise a write it already made. Pure.
 *
 * - A checked update (`versionCheck`) whose check is the version just before the current one, and
 *   whose value is the current value, is the update that made the current version: it returns that
 *   version and writes nothing. Any other stale check is `VAULT_CONFLICT`.
 * - An unchecked update whose value is the current value writes nothing and returns the current
 *   version (last writer wins, and the last write already says this).
 * - A delete of an object already deleted (not yet purged) succeeds and changes nothing, unless its
 *   `versionCheck` names another version than the one the object was deleted at (`VAULT_NOT_FOUND`).
 */

/** What a checked update that no longer matches finds. */
export interface StaleUpdate {
  readonly versionCheck: string;
  /** The object's current version id (its row's). */
  readonly currentVersionId: string;
  /** The ids of the object's two newest versions, newest first. */
  readonly newest: readonly string[];
  /** Whether the update's value is the current value. */
  readonly sameValue: boolean;
}

/**
 * Whether a checked update that no longer matches is the update that made the current version.
 *
 * @example isReplayedUpdate({ versionCheck: "version_A", currentVersionId: "version_B", newest: ["version_B", "version_A"], sameValue: true }) // true
 */
export function isReplayedUpdate(stale: StaleUpdate): boolean {
  const [current, replaced] = stale.newest;
  return stale.sameValue && current === stale.currentVersionId && replaced === stale.versionCheck;
}

/**
 * Whether a delete that found no live object is one already done: the object is deleted, and it was
 * deleted at `versionCheck` when one is given.
 *
 * @example isDeleteDone(undefined, { deleted: true, versionId: "version_A" }) // true
 */
export function isDeleteDone(
  versionCheck: string | undefined,
  row: { readonly deleted: boolean; readonly versionId: string },
): boolean {
  return row.deleted && (versionCheck === undefined || versionCheck === row.versionId);
}

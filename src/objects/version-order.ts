/**
 * The order of an object's versions: commit order. An update takes its version's time once it holds
 * the object's row lock, and makes it later than the version it replaces, so versions sorted by time
 * (then id) list the current one first, whichever concurrent updater chose its id first. Pure.
 */

/** `orderBy` of an object's versions, newest (the current one) first. */
export const NEWEST_FIRST = [{ createdAt: "desc" }, { id: "desc" }] as const;

/**
 * The time of a new version: now, or 1 ms after the version it replaces when the clock has not moved
 * past it (same millisecond, or a clock stepped back).
 *
 * @example versionTime(new Date("2026-12-07T10:00:00.000Z"), new Date("2026-12-07T10:00:00.000Z")) // …00.001Z
 */
export function versionTime(replaced: Date, now: Date): Date {
  return new Date(Math.max(now.getTime(), replaced.getTime() + 1));
}

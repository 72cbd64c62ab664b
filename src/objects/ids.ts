/**
 * Ids of Vault objects and versions: a prefix, then 12 hex digits of the creation time in
 * milliseconds and 20 of randomness (80 bits), upper case, as WorkOS's `secret_51B0AC67…` ids look.
 * Ids sort by creation time (to the millisecond) in any collation, which makes them the list's order
 * and its cursors.
 */
import { randomBytes } from "node:crypto";

/** @example newObjectId() // "secret_0193A4F2C1D07E3B9A41C2D5F60718293A4B" */
export function newObjectId(now = Date.now()): string {
  return `secret_${timeOrdered(now)}`;
}

/** @example newVersionId() // "version_0193A4F2C1D0…" */
export function newVersionId(now = Date.now()): string {
  return `version_${timeOrdered(now)}`;
}

function timeOrdered(now: number): string {
  return `${now.toString(16).padStart(12, "0")}${randomBytes(10).toString("hex")}`.toUpperCase();
}

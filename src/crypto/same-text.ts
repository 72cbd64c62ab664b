/**
 * Constant-time equality of two strings, for secrets (plaintexts, keyed hashes): the time taken
 * depends on the lengths alone, never on where the strings first differ.
 */
import { timingSafeEqual } from "node:crypto";

/** @example sameText(index, blind.compute(plaintext, context)) */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

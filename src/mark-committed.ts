/** The mark on an error of a write that had already committed. */
import { isVaultError } from "./errors.js";

/**
 * Marks an error of a write whose statement had already committed (DESIGN.md §8: the one documented
 * exception to "an error means the database is unchanged"). Other errors are returned as they are.
 *
 * @example throw committed ? markCommitted(error) : error;
 */
export function markCommitted(error: unknown): unknown {
  if (isVaultError(error)) Object.defineProperty(error, "committed", { value: true, enumerable: true });
  return error;
}

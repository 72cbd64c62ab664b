/** A provider's last failed try, kept for the guard that gives up on a call (see guard-provider.ts). */

/**
 * Where a provider that retries within a call keeps its last failed try, so that a guard giving up on
 * the call can say what the tries met (`127.0.0.1:8787 not reached (ECONNREFUSED)`) rather than only
 * that time ran out. A global symbol: a provider from the package's other module format has it too.
 */
export const LAST_FAILURE = Symbol.for("prisma-vault.lastFailure");

/** A provider's last failed try: its message (no key, token or value) and when it failed (`Date.now()`). */
export interface LastFailure {
  readonly message: string;
  readonly at: number;
}

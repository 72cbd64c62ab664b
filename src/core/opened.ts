/** What opening a batch gives: per value its plaintext, or why it did not open. */

/**
 * A value of a batch that did not open, and why: an error located at its model, field and row. A plain
 * object, never a class to test with `instanceof`: a caller tells an outcome by {@link isOpened}
 * (a plaintext is a string), which holds whichever copy of prisma-vault made it (DESIGN.md §9).
 */
export interface Unopened {
  /** Why it did not open: a `VaultError` located at the value's model, field and row. */
  readonly error: unknown;
}

/** The outcome of a value that did not open because of `error`. */
export function unopened(error: unknown): Unopened {
  return { error };
}

/**
 * True when an outcome of {@link FieldCipher.openAll} is a plaintext. Only a string is: anything else
 * (an {@link Unopened}, from this copy of prisma-vault or another, or nothing yet) did not open.
 */
export function isOpened(outcome: Opened | undefined): outcome is string {
  return typeof outcome === "string";
}

/** What {@link FieldCipher.openAll} gives for one envelope: its plaintext, or why it did not open. */
export type Opened = string | Unopened;

/**
 * An opened batch: `opened[i]` is the outcome for item `i`, set at once where its data key was cached
 * (or it failed before any key was asked for); the others are set when `ready` resolves (it never
 * rejects). `ready` is `undefined` when nothing waits, so a read can fail at once on a value it knows
 * is bad without waiting for the provider.
 */
export interface OpenedBatch {
  /** The outcome of each item, in order; `undefined` until `ready` resolves where a key was not cached. */
  readonly opened: readonly (Opened | undefined)[];
  /** Resolves (never rejects) when every outcome is set; `undefined` when all were set at once. */
  readonly ready: Promise<void> | undefined;
}

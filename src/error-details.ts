/** What a {@link VaultError} says of where it happened (errors.ts). */

/** Where an error happened. Never holds plaintext, key material or ciphertext. */
export interface VaultErrorDetails {
  /** The Prisma model name, when the error concerns one. */
  readonly model?: string;
  /** The field name, when the error concerns one. */
  readonly field?: string;
  /** The row's primary key, when known. */
  readonly id?: unknown;
  /** The underlying error, passed on as the `Error`'s standard `cause`. */
  readonly cause?: unknown;
  /**
   * `true` when the write this error reports had already committed (a single-statement write that
   * prisma-vault did not wrap in a transaction, whose result then failed to decrypt).
   */
  readonly committed?: boolean;
}

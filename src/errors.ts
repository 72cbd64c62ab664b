/**
 * The stable error codes of prisma-vault. Match on `error.code`, never on the message text.
 *
 * @example
 * try { await prisma.user.findMany() } catch (e) {
 *   if (e instanceof VaultError && e.code === "VAULT_DECRYPT_FAILED") report(e.model, e.field, e.id);
 * }
 */
export const VAULT_ERROR_CODES = [
  "VAULT_CONFIG",
  "VAULT_CONTEXT_MISSING",
  "VAULT_CONTEXT_INVALID",
  "VAULT_DECRYPT_FAILED",
  "VAULT_KEY_PROVIDER",
  "VAULT_KEY_UNAVAILABLE",
  "VAULT_UNSUPPORTED_QUERY",
  "VAULT_ENVELOPE_INVALID",
] as const;

export type VaultErrorCode = (typeof VAULT_ERROR_CODES)[number];

/**
 * Marks every VaultError, whichever copy of this module made it: a package loaded both as ESM and as
 * CJS holds two copies of each class, so `instanceof` cannot tell across them; the global symbol
 * registry is shared by both.
 */
const VAULT_ERROR_BRAND = Symbol.for("prisma-vault.VaultError");

/** Where an error happened. Never holds plaintext, key material or ciphertext. */
export interface VaultErrorDetails {
  readonly model?: string;
  readonly field?: string;
  /** The row's primary key, when known. */
  readonly id?: unknown;
  readonly cause?: unknown;
  /**
   * `true` when the write this error reports had already committed (a single-statement write that
   * prisma-vault did not wrap in a transaction, whose result then failed to decrypt).
   */
  readonly committed?: boolean;
}

/**
 * Every error prisma-vault throws. Messages name the model, field and primary key where known and
 * never contain plaintext, key material or ciphertext.
 */
export class VaultError extends Error {
  override readonly name: string = "VaultError";
  readonly code: VaultErrorCode;
  readonly model: string | undefined;
  readonly field: string | undefined;
  readonly id: unknown;
  /** `true` when the write had committed before this error; otherwise the database is unchanged. */
  readonly committed: boolean;

  constructor(code: VaultErrorCode, message: string, details: VaultErrorDetails = {}) {
    super(withPlace(message, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.model = details.model;
    this.field = details.field;
    this.id = details.id;
    this.committed = details.committed === true;
    Object.defineProperty(this, VAULT_ERROR_BRAND, { value: true });
  }
}

/**
 * A configuration problem found when something is constructed (options, key ring, schema),
 * before any data is touched.
 */
export class VaultConfigError extends VaultError {
  override readonly name = "VaultConfigError";

  constructor(message: string, details: VaultErrorDetails = {}) {
    super("VAULT_CONFIG", message, details);
  }
}

/**
 * Decryption failed. Deliberately opaque: a wrong key, a wrong AAD and a modified ciphertext
 * all produce the same message, so the error is no oracle.
 */
export class VaultDecryptError extends VaultError {
  override readonly name = "VaultDecryptError";

  constructor(details: VaultErrorDetails = {}) {
    super("VAULT_DECRYPT_FAILED", "decryption failed", details);
  }
}

/**
 * The key provider refused an encrypted data key: it names an unknown master key, fails
 * authentication or is malformed. Unlike an unreachable provider, retrying will not help; at the
 * field level it is reported as a decryption failure.
 */
export class VaultKeyRejectedError extends VaultError {
  override readonly name = "VaultKeyRejectedError";

  constructor(message: string, details: VaultErrorDetails = {}) {
    super("VAULT_KEY_PROVIDER", message, details);
  }
}

/**
 * The key that wrapped a value is not configured: a master-key id missing from the ring, a blob no
 * configured provider owns. A configuration fault, not a foreign value: always thrown, whatever
 * `onDecryptError` says, so an application never reads (and then overwrites) a real value as null.
 */
export class VaultKeyUnavailableError extends VaultError {
  override readonly name = "VaultKeyUnavailableError";
  /** The id of the missing key, when the blob names one. */
  readonly keyId: string | undefined;

  constructor(message: string, details: VaultErrorDetails & { keyId?: string } = {}) {
    super("VAULT_KEY_UNAVAILABLE", message, details);
    this.keyId = details.keyId;
  }
}

/**
 * Marks an error of a write whose statement had already committed (DESIGN.md §8: the one documented
 * exception to "an error means the database is unchanged"). Other errors are returned as they are.
 */
export function markCommitted(error: unknown): unknown {
  if (error instanceof VaultError)
    Object.defineProperty(error, "committed", { value: true, enumerable: true });
  return error;
}

/**
 * True when `error` is a {@link VaultError}, optionally with the given code. Unlike `instanceof`, it
 * also holds for errors from the package's other module format (ESM and CJS each have their own classes).
 *
 * @example
 * if (isVaultError(e, "VAULT_KEY_UNAVAILABLE")) alertOperator(e);
 */
export function isVaultError(error: unknown, code?: VaultErrorCode): error is VaultError {
  if (typeof error !== "object" || error === null) return false;
  const branded = error as { readonly [VAULT_ERROR_BRAND]?: unknown; readonly code?: unknown };
  if (branded[VAULT_ERROR_BRAND] !== true) return false;
  const actual = branded.code;
  return (
    (VAULT_ERROR_CODES as readonly unknown[]).includes(actual) && (code === undefined || actual === code)
  );
}

function withPlace(message: string, { model, field, id }: VaultErrorDetails): string {
  if (model === undefined) return message;
  const place = field === undefined ? model : `${model}.${field}`;
  const row = id === undefined ? "" : ` (id ${describeId(id)})`;
  return `${place}${row}: ${message}`;
}

/**
 * A primary key as messages and reports show it: `42`, `"usr_1"`, `{"orgId":"o","n":3}`; `?` when it
 * cannot be shown (a cycle).
 */
export function describeId(id: unknown): string {
  if (typeof id === "string") return JSON.stringify(id);
  if (typeof id === "number" || typeof id === "bigint") return String(id);
  try {
    return (
      JSON.stringify(id, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value)) ?? "?"
    );
  } catch {
    return "?";
  }
}

import { DECRYPTION_FAILED, NOT_AN_ENVELOPE_REJECTED, withPlace } from "./error-messages.js";
import { VAULT_ERROR_CODES, type VaultErrorCode } from "./error-codes.js";
import type { VaultErrorDetails } from "./error-details.js";

/**
 * Marks every VaultError, whichever copy of this module made it: a package loaded both as ESM and as
 * CJS holds two copies of each class, so `instanceof` cannot tell across them; the global symbol
 * registry is shared by both.
 */
const VAULT_ERROR_BRAND = Symbol.for("prisma-vault.VaultError");

/**
 * Every error prisma-vault throws, always as the subclass of its code ({@link VaultConfigError}, …,
 * {@link VaultEnvelopeInvalidError}): `instanceof` works for each code. Messages name the model, field
 * and primary key where known and never contain plaintext, key material or ciphertext.
 */
export class VaultError extends Error {
  /** The class's name (`"VaultConfigError"`, …), as `Error` names do. */
  override readonly name: string = "VaultError";
  /** The stable code to match on; each code has its own subclass. */
  readonly code: VaultErrorCode;
  /** The Prisma model the error concerns, when known. */
  readonly model: string | undefined;
  /** The field the error concerns, when known. */
  readonly field: string | undefined;
  /** The row's primary key (a value, or an object of a compound key's fields), when known. */
  readonly id: unknown;
  /** `true` when the write had committed before this error; otherwise the database is unchanged. */
  readonly committed: boolean;
  /** The message without its place, for {@link VaultError.locatedAt}. */
  readonly #text: string;

  /** For the subclasses: prisma-vault itself never makes a bare VaultError. */
  constructor(code: VaultErrorCode, message: string, details: VaultErrorDetails = {}) {
    super(withPlace(message, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.model = details.model;
    this.field = details.field;
    this.id = details.id;
    this.committed = details.committed === true;
    this.#text = message;
    Object.defineProperty(this, VAULT_ERROR_BRAND, { value: true });
  }

  /**
   * A copy of this error located at `place`: the same class, code, text and fields of its own (such as
   * `keyId`); its cause is this error's cause, or this error when it has none.
   *
   * @example throw error.locatedAt({ model: "User", field: "ssn", id: 42 });
   */
  locatedAt(place: Pick<VaultErrorDetails, "model" | "field" | "id">): this {
    const { model, field, id } = place;
    const details = { model, field, id, committed: this.committed, cause: this.cause ?? this };
    // Precondition: copy() makes this error's own class, so a located error keeps its class.
    return this.copy(this.#text, details) as this;
  }

  /**
   * A new error of this class with `message` and `details`. A subclass is made as
   * `new Class(message, details)`; one made otherwise, or with fields of its own, overrides this.
   */
  protected copy(message: string, details: VaultErrorDetails): VaultError {
    if (this.constructor === VaultError) return new VaultError(this.code, message, details);
    const Class = this.constructor as new (message: string, details: VaultErrorDetails) => VaultError;
    return new Class(message, details);
  }
}

/**
 * A configuration problem found when something is constructed (options, key ring, schema),
 * before any data is touched.
 */
export class VaultConfigError extends VaultError {
  /** `"VAULT_CONFIG"`, the `code` of every instance of this class. */
  static readonly code = "VAULT_CONFIG" satisfies VaultErrorCode;
  override readonly name = "VaultConfigError";

  constructor(message: string, details: VaultErrorDetails = {}) {
    super(VaultConfigError.code, message, details);
  }
}

/** A row's key context cannot be known: a context field not given or read, no row to read it from. */
export class VaultContextMissingError extends VaultError {
  /** `"VAULT_CONTEXT_MISSING"`, the `code` of every instance of this class. */
  static readonly code = "VAULT_CONTEXT_MISSING" satisfies VaultErrorCode;
  override readonly name = "VaultContextMissingError";

  constructor(message: string, details: VaultErrorDetails = {}) {
    super(VaultContextMissingError.code, message, details);
  }
}

/** A key context that is not 1–10 pairs of non-empty strings; the message names the key, never a value. */
export class VaultContextInvalidError extends VaultError {
  /** `"VAULT_CONTEXT_INVALID"`, the `code` of every instance of this class. */
  static readonly code = "VAULT_CONTEXT_INVALID" satisfies VaultErrorCode;
  override readonly name = "VaultContextInvalidError";

  constructor(message: string, details: VaultErrorDetails = {}) {
    super(VaultContextInvalidError.code, message, details);
  }
}

/**
 * Decryption failed. Deliberately opaque: a wrong key, a wrong AAD and a modified ciphertext
 * all produce the same message, so the error is no oracle. Only a stored value that is no envelope at
 * all (plaintext, in a field that rejects it) says so, and names the fix: whether a value parses is
 * visible to anyone who can read the column.
 */
export class VaultDecryptError extends VaultError {
  /** `"VAULT_DECRYPT_FAILED"`, the `code` of every instance of this class. */
  static readonly code = "VAULT_DECRYPT_FAILED" satisfies VaultErrorCode;
  override readonly name = "VaultDecryptError";
  readonly #notAnEnvelope: boolean;

  /**
   * @param details - Where it happened; `notAnEnvelope: true` for a stored value that is no envelope
   * (the message then says so and names the fix), never for an envelope that does not open.
   */
  constructor(details: VaultErrorDetails & { notAnEnvelope?: boolean } = {}) {
    const notAnEnvelope = details.notAnEnvelope === true;
    super(VaultDecryptError.code, notAnEnvelope ? NOT_AN_ENVELOPE_REJECTED : DECRYPTION_FAILED, details);
    this.#notAnEnvelope = notAnEnvelope;
  }

  protected override copy(_message: string, details: VaultErrorDetails): VaultError {
    return new VaultDecryptError({ ...details, notAnEnvelope: this.#notAnEnvelope });
  }
}

/**
 * The key provider failed, timed out or broke its contract (a data key of the wrong size). Always
 * thrown, whatever `onDecryptError` says: an outage is not a bad value.
 */
export class VaultKeyProviderError extends VaultError {
  /** `"VAULT_KEY_PROVIDER"`, the `code` of every instance of this class. */
  static readonly code = "VAULT_KEY_PROVIDER" satisfies VaultErrorCode;
  // `string`, not the literal: VaultKeyRejectedError names itself.
  override readonly name: string = "VaultKeyProviderError";
  /**
   * True when the same call may succeed later: the provider timed out, was not reached, or answered
   * 408, 429 or 5xx. False when it broke its contract, refused the request, or failed otherwise. The
   * key server answers the first 503 and the second 500.
   */
  readonly transient: boolean;

  constructor(message: string, details: VaultErrorDetails & { transient?: boolean } = {}) {
    super(VaultKeyProviderError.code, message, details);
    this.transient = details.transient === true;
  }

  protected override copy(message: string, details: VaultErrorDetails): VaultError {
    const Class = this.constructor as new (
      message: string,
      details: VaultErrorDetails & { transient?: boolean },
    ) => VaultError;
    return new Class(message, { ...details, transient: this.transient });
  }
}

/**
 * The key provider refused an encrypted data key: it names an unknown master key, fails
 * authentication or is malformed. Unlike an unreachable provider, retrying will not help; at the
 * field level it is reported as a decryption failure.
 */
export class VaultKeyRejectedError extends VaultKeyProviderError {
  override readonly name = "VaultKeyRejectedError";

  constructor(message: string, details: VaultErrorDetails = {}) {
    super(message, details);
    Object.defineProperty(this, KEY_REJECTED_BRAND, { value: true });
  }
}

/** Marks every VaultKeyRejectedError, whichever copy of this module made it (as VAULT_ERROR_BRAND). */
const KEY_REJECTED_BRAND = Symbol.for("prisma-vault.VaultKeyRejectedError");

/**
 * True when `error` is a {@link VaultKeyRejectedError} of any copy of prisma-vault: a key provider
 * refused the encrypted data key (for the field, a value that does not decrypt).
 */
export function isKeyRejected(error: unknown): error is VaultKeyRejectedError {
  return (
    isVaultError(error, "VAULT_KEY_PROVIDER") &&
    (error as unknown as Record<symbol, unknown>)[KEY_REJECTED_BRAND] === true
  );
}

/**
 * The key that wrapped a value is not configured: a master-key id missing from the ring, a blob no
 * configured provider owns. A configuration fault, not a foreign value: always thrown, whatever
 * `onDecryptError` says, so an application never reads (and then overwrites) a real value as null.
 */
export class VaultKeyUnavailableError extends VaultError {
  /** `"VAULT_KEY_UNAVAILABLE"`, the `code` of every instance of this class. */
  static readonly code = "VAULT_KEY_UNAVAILABLE" satisfies VaultErrorCode;
  override readonly name = "VaultKeyUnavailableError";
  /** The id of the missing key, when the blob names one. */
  readonly keyId: string | undefined;

  constructor(message: string, details: VaultErrorDetails & { keyId?: string } = {}) {
    super(VaultKeyUnavailableError.code, message, details);
    this.keyId = details.keyId;
  }

  protected override copy(message: string, details: VaultErrorDetails): VaultError {
    return new VaultKeyUnavailableError(message, { ...details, keyId: this.keyId });
  }
}

/** A query that cannot work on encrypted data, refused before anything is sent. */
export class VaultUnsupportedQueryError extends VaultError {
  /** `"VAULT_UNSUPPORTED_QUERY"`, the `code` of every instance of this class. */
  static readonly code = "VAULT_UNSUPPORTED_QUERY" satisfies VaultErrorCode;
  override readonly name = "VaultUnsupportedQueryError";

  constructor(message: string, details: VaultErrorDetails = {}) {
    super(VaultUnsupportedQueryError.code, message, details);
  }
}

/** A value that is not an envelope: it does not parse, or its key blob has no known format. */
export class VaultEnvelopeInvalidError extends VaultError {
  /** `"VAULT_ENVELOPE_INVALID"`, the `code` of every instance of this class. */
  static readonly code = "VAULT_ENVELOPE_INVALID" satisfies VaultErrorCode;
  override readonly name = "VaultEnvelopeInvalidError";

  constructor(message: string, details: VaultErrorDetails = {}) {
    super(VaultEnvelopeInvalidError.code, message, details);
  }
}

/** A Vault object that does not exist, or no longer does (deleted): HTTP 404 at the key server. */
export class VaultNotFoundError extends VaultError {
  /** `"VAULT_NOT_FOUND"`, the `code` of every instance of this class. */
  static readonly code = "VAULT_NOT_FOUND" satisfies VaultErrorCode;
  override readonly name = "VaultNotFoundError";

  constructor(message: string, details: VaultErrorDetails = {}) {
    super(VaultNotFoundError.code, message, details);
  }
}

/**
 * A Vault object write that lost: its name is taken by a live object, or its `versionCheck` is not the
 * object's current version (another writer came first). HTTP 409 at the key server.
 */
export class VaultConflictError extends VaultError {
  /** `"VAULT_CONFLICT"`, the `code` of every instance of this class. */
  static readonly code = "VAULT_CONFLICT" satisfies VaultErrorCode;
  override readonly name = "VaultConflictError";

  constructor(message: string, details: VaultErrorDetails = {}) {
    super(VaultConflictError.code, message, details);
  }
}

/**
 * An argument of the Vault object API that is not what it must be (a name, a limit, a cursor); the
 * message names the argument, never its value. HTTP 422 at the key server.
 */
export class VaultInvalidArgumentError extends VaultError {
  /** `"VAULT_INVALID_ARGUMENT"`, the `code` of every instance of this class. */
  static readonly code = "VAULT_INVALID_ARGUMENT" satisfies VaultErrorCode;
  override readonly name = "VaultInvalidArgumentError";

  constructor(message: string, details: VaultErrorDetails = {}) {
    super(VaultInvalidArgumentError.code, message, details);
  }
}

/**
 * True when `error` is a {@link VaultError}, optionally with the given code. Unlike `instanceof`, it
 * also holds for errors from the package's other module format (ESM and CJS each have their own classes).
 *
 * @example
 * if (isVaultError(e, "VAULT_KEY_UNAVAILABLE")) alertOperator(e); // e.code: "VAULT_KEY_UNAVAILABLE"
 */
export function isVaultError<C extends VaultErrorCode = VaultErrorCode>(
  error: unknown,
  code?: C,
): error is VaultError & {
  /** The code asked for, or any {@link VaultErrorCode} without one. */
  readonly code: C;
} {
  if (typeof error !== "object" || error === null) return false;
  const branded = error as { readonly [VAULT_ERROR_BRAND]?: unknown; readonly code?: unknown };
  if (branded[VAULT_ERROR_BRAND] !== true) return false;
  const actual = branded.code;
  return (
    (VAULT_ERROR_CODES as readonly unknown[]).includes(actual) && (code === undefined || actual === code)
  );
}

/**
 * The message catalogue: the texts that several modules build or that callers and tests match on (the
 * refusals, the context and provider failures, "decryption failed"), a function per text that takes
 * parameters, and the place (model, field, row id) a located message starts with. Parameters are names
 * (models, fields, keys, providers, methods) and counts, never values: no plaintext, key material or
 * ciphertext reaches a message.
 *
 * Texts one check gives stay beside it: option validation naming its option, a validator's list of
 * reasons (validateContext's, the envelope decoder's), a provider's own words (local ring, WorkOS).
 */

/** VAULT_CONFIG: a model named in options that the Prisma schema does not have (vault(), migrate()). */
export const NO_SUCH_MODEL = "no such model in the Prisma schema";

/** VAULT_CONTEXT_MISSING: a row's key context cannot be known. */
export const contextMissing = {
  noRowMatches: "no row matches the update, so its key context is unknown",
  fieldNotKnown: "the row's key context field is not known",
  tenantIndex: "a tenant-scoped index needs the row's key context",
  /** Prisma 8: the UPDATE names the row by id, so the tenant must be pinned in the where (`fields`). */
  updateUnpinned: (fields: readonly string[]) =>
    `an update of encrypted fields needs the row's key context: put ${fields.join(", ")} in the where beside the id`,
} as const;

/** VAULT_CONTEXT_INVALID beyond validateContext's own reasons. */
export const contextInvalid = {
  fieldNotScalar: "a key context field must hold a string or a number",
  /** `reason` is validateContext's message: it names a key, never a value. */
  derived: (reason: string) => `derive() must return a key context: ${reason}`,
  tooLongForTenantIndex: "the key context is too long for a tenant-scoped index",
} as const;

/** VAULT_DECRYPT_FAILED, whatever the cause: a wrong key, a wrong AAD and a bad tag read alike. */
export const DECRYPTION_FAILED = "decryption failed";

/**
 * VAULT_DECRYPT_FAILED of a stored value that is no envelope at all, in a field that rejects plaintext:
 * most often a row from before encryption, so the text names the fix. It tells nothing a reader of the
 * column could not see, and it still begins as every decryption failure does.
 */
export const NOT_AN_ENVELOPE_REJECTED =
  `${DECRYPTION_FAILED}: the value is not an envelope (plaintext?); read such values with ` +
  'plaintext: "read" and run prisma-vault migrate encrypt (docs/migrations.md)';

/** VAULT_KEY_PROVIDER: the guard's words for a provider that failed, hung or broke its contract. */
export const keyProvider = {
  failed: (name: string, method: string) => `key provider "${name}" failed in ${method}()`,
  /** `lastFailure`: what the provider's tries met meanwhile (its message), when it says. */
  timedOut: (name: string, timeoutMs: number, method: string, lastFailure?: string) =>
    `key provider "${name}" timed out after ${timeoutMs} ms in ${method}()` +
    (lastFailure === undefined ? "" : `; its last failure: ${lastFailure}`),
  saturated: (name: string, timedOut: number, method: string) =>
    `key provider "${name}" has ${timedOut} requests that timed out and have not returned; ${method}() was not called`,
  /** `what` is the broken promise, e.g. "returned an empty encrypted data key". */
  broken: (name: string, what: string) => `key provider "${name}" ${what}`,
} as const;

/** VAULT_UNSUPPORTED_QUERY: what the extension refuses before anything is sent. */
export const unsupportedQuery = {
  overCiphertext: (what: string) => `${what} cannot be answered over ciphertext`,
  unknownArgument: (path: string) =>
    `unknown argument "${path}": prisma-vault refuses what it does not understand on models with encrypted data`,
  relationKeysUnknown: (what: string) =>
    `${what}, so a key context could be missed; add the prisma-vault generator to the Prisma schema ` +
    "and pass its vaultSchema as vault({ schema })",
  notAString: "an encrypted field takes a string, null or { set: string | null }",
  tenantIndexUnpinned: (missing: readonly string[]) =>
    `a tenant-scoped blind index needs the key context pinned by equality beside the filter; add ${missing.join(", ")} to the same where`,
  cannotRun: (operation: string) => `cannot run ${operation}`,
  nestedWriteSpansContexts: "a nested write spans several key contexts; write each context's rows separately",
  nestedUpdateMoves:
    "a nested update that changes the key context must also write every encrypted field; update the row directly",
  contextUnreadableInTransaction: "cannot read the row's key context inside this transaction",
  movingRowsWithoutPrimaryKey: "moving rows without a primary key to another context",
  updateManyLimitOverContexts: "updateMany with limit over several key contexts",
  updateManyBatchOverContexts:
    "updateMany over several key contexts inside a batch $transaction; use an interactive transaction",
  migrationWithoutPrimaryKey: "a migration pages by primary key and this model has none",
} as const;

/** VAULT_ENVELOPE_INVALID: `reason` says what is wrong with the value's shape, never what it holds. */
export const notAnEnvelope = (reason: string) => `the value is not a Vault envelope: ${reason}`;

/** `message` behind the place it happened: `User.ssn (id 42): decryption failed`. */
export function withPlace(
  message: string,
  { model, field, id }: { readonly model?: string; readonly field?: string; readonly id?: unknown },
): string {
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

/**
 * VAULT_CONFIG: a client whose keys were released (`prisma.$vault.close()` on Prisma 7, the middleware's
 * `close()` on Prisma 8) is asked for a key again.
 */
export const CLOSED =
  "prisma.$vault.close() released this client's keys (on Prisma 8: vaultMiddleware's close()); " +
  "make a new client with vault() or vaultMiddleware() to query encrypted data";

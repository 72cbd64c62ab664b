/**
 * The Vault object API's arguments, checked before anything is read or written: each function returns
 * the argument's valid form or throws `VaultInvalidArgumentError` (`VaultContextInvalidError` for a
 * context) naming the argument, never its value. Pure.
 *
 * Every string that reaches a query (names, ids, cursors, `versionCheck`, `search`, the context) must
 * be text every database stores as given: no NUL (PostgreSQL refuses it, and a query with one fails as
 * a database error, not as a bad argument) and no lone UTF-16 surrogate (UTF-8 has no form for it: the
 * drivers write U+FFFD, so a name would be stored as another name).
 */
import { validateContext, type KeyContext } from "../context/key-context.js";
import { VaultContextInvalidError, VaultInvalidArgumentError } from "../errors.js";

/** The longest object name, in characters. */
export const MAX_NAME_LENGTH = 255;
/** The largest object value, in UTF-8 bytes. */
export const MAX_VALUE_BYTES = 256 * 1024;
export const DEFAULT_LIST_LIMIT = 10;
export const MAX_LIST_LIMIT = 100;

/** The argument of {@link VaultObjects.createObject}. */
export interface CreateObjectOptions {
  /** Unique among live objects: 1 to 255 characters, not `.` or `..`. A taken name is `VAULT_CONFLICT`. */
  readonly name: string;
  /** The secret to store, at most 256 KiB in UTF-8. */
  readonly value: string;
  /** The key context the value is sealed under; it stays the object's for every later version. */
  readonly context: KeyContext;
}

/** The argument of {@link VaultObjects.updateObject}. */
export interface UpdateObjectOptions {
  /** The object's id (`secret_…`). */
  readonly id: string;
  /** The new value, at most 256 KiB in UTF-8. */
  readonly value: string;
  /** The version the caller last saw; the update fails with `VAULT_CONFLICT` if it is no longer current. */
  readonly versionCheck?: string;
}

/** The argument of {@link VaultObjects.deleteObject}. */
export interface DeleteObjectOptions {
  /** The object's id (`secret_…`). */
  readonly id: string;
  /** The version the caller last saw; the delete fails with `VAULT_CONFLICT` if it is no longer current. */
  readonly versionCheck?: string;
}

/** The argument of {@link VaultObjects.listObjects}; every field is optional. */
export interface ListObjectsOptions {
  /** 1-100, default 10. */
  readonly limit?: number;
  /** An object id from a previous page's `listMetadata.before`: the page before it. */
  readonly before?: string;
  /** An object id from a previous page's `listMetadata.after`: the page after it. */
  readonly after?: string;
  /** By creation: `"desc"` (newest first, the default) or `"asc"`. */
  readonly order?: "asc" | "desc";
  /**
   * 1-255 characters: only objects whose name contains it, `%` and `_` taken literally. Case: ignored
   * on PostgreSQL (`ILIKE`), ignored for ASCII letters only on SQLite (its `LIKE`), and as the name
   * column's collation says on MySQL/MariaDB (the default `utf8mb4_*_ci` ignores case and accents).
   */
  readonly search?: string;
  /**
   * Only objects updated strictly after this instant: a `Date`, or a string in ISO 8601 with a zone
   * (`2026-01-31T12:00:00Z`), a date alone (midnight UTC), or the `Date.prototype.toString()` form that
   * `@workos-inc/node` 12 puts in the URL (to the second).
   */
  readonly updatedAfter?: Date | string;
}

export interface ListPlan {
  readonly limit: number;
  readonly order: "asc" | "desc";
  readonly cursor: { readonly side: "before" | "after"; readonly id: string } | undefined;
  /** Only names containing this (see {@link ListObjectsOptions.search}). */
  readonly search?: string;
  /** Only objects with `updatedAt` strictly after this. */
  readonly updatedAfter?: Date;
}

/** @example readCreate({ name: "stripe", value: "sk_live_…", context: { organizationId: "org_1" } }) */
export function readCreate(options: unknown): CreateObjectOptions {
  const given = optionsObject(options, "createObject");
  const name = readName(given["name"]);
  // Precondition: no dot-segment name. Clients put the name in the URL path, where `.` and `..` are
  // normalised away (SDK 12 refuses them outright): such an object could never be read by name.
  if (name === "." || name === "..")
    throw invalid(
      'name must not be "." or "..": a URL path drops them, so the object could not be read by name',
    );
  return { name, value: readValue(given["value"]), context: readContext(given["context"]) };
}

export function readUpdate(options: unknown): UpdateObjectOptions {
  const given = optionsObject(options, "updateObject");
  const versionCheck = readVersionCheck(given["versionCheck"]);
  return {
    id: readId(given["id"], "id"),
    value: readValue(given["value"]),
    ...(versionCheck !== undefined && { versionCheck }),
  };
}

export function readDelete(options: unknown): DeleteObjectOptions {
  const given = optionsObject(options, "deleteObject");
  const versionCheck = readVersionCheck(given["versionCheck"]);
  return { id: readId(given["id"], "id"), ...(versionCheck !== undefined && { versionCheck }) };
}

/**
 * The name `readObjectByName` is given: the name itself, or `{ name }` (as SDK 12 takes it).
 *
 * @example readNameOption({ name: "stripe" }) // "stripe"
 */
export function readNameOption(options: unknown): string {
  if (typeof options === "string") return readName(options);
  return readName(optionsObject(options, "readObjectByName")["name"]);
}

/** The `id` of `{ id }`, the options of readObject, describeObject and listObjectVersions. */
export function readIdOption(options: unknown, method: string): string {
  return readId(optionsObject(options, method)["id"], "id");
}

export function readList(options: unknown): ListPlan {
  const given = options === undefined ? {} : optionsObject(options, "listObjects");
  const limit = given["limit"] ?? DEFAULT_LIST_LIMIT;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
    throw invalid(`limit must be a whole number, 1-${MAX_LIST_LIMIT}`);
  const order = given["order"] ?? "desc";
  if (order !== "asc" && order !== "desc") throw invalid('order must be "asc" or "desc"');
  const before = given["before"] === undefined ? undefined : readId(given["before"], "before");
  const after = given["after"] === undefined ? undefined : readId(given["after"], "after");
  if (before !== undefined && after !== undefined) throw invalid("before and after cannot both be given");
  const cursor =
    before !== undefined
      ? { side: "before" as const, id: before }
      : after !== undefined
        ? { side: "after" as const, id: after }
        : undefined;
  const search = given["search"] === undefined ? undefined : readSearch(given["search"]);
  const updatedAfter =
    given["updatedAfter"] === undefined ? undefined : readUpdatedAfter(given["updatedAfter"]);
  return {
    limit,
    order,
    cursor,
    ...(search !== undefined && { search }),
    ...(updatedAfter !== undefined && { updatedAfter }),
  };
}

/** The cut-off of `purgeDeleted({ olderThan })`: a valid Date. */
export function readPurge(options: unknown): Date {
  const olderThan = optionsObject(options, "purgeDeleted")["olderThan"];
  if (!(olderThan instanceof Date) || Number.isNaN(olderThan.getTime()))
    throw invalid("olderThan must be a valid Date");
  return olderThan;
}

/** @example readName("stripe") // "stripe"; "", 256 characters, "a\u0000b" -> VAULT_INVALID_ARGUMENT */
export function readName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_NAME_LENGTH)
    throw invalid(`name must be a string of 1-${MAX_NAME_LENGTH} characters`);
  if (!storable(name)) throw invalid(NOT_STORABLE("name"));
  return name;
}

/** @example readId("secret_01…", "after") // "secret_01…"; "", "a\u0000" -> VAULT_INVALID_ARGUMENT naming `after` */
export function readId(id: unknown, argument: string): string {
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_NAME_LENGTH)
    throw invalid(`${argument} must be an object id (a non-empty string)`);
  if (!storable(id)) throw invalid(NOT_STORABLE(argument));
  return id;
}

function readValue(value: unknown): string {
  if (typeof value !== "string") throw invalid("value must be a string");
  if (Buffer.byteLength(value, "utf8") > MAX_VALUE_BYTES)
    throw invalid(`value must be at most ${MAX_VALUE_BYTES} bytes (UTF-8)`);
  // Sealed as UTF-8, a lone surrogate would come back as U+FFFD: another value than the one written.
  if (LONE_SURROGATE.test(value)) throw invalid("value must be well-formed text (no lone UTF-16 surrogate)");
  return value;
}

function readVersionCheck(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_NAME_LENGTH)
    throw invalid("versionCheck must be a version id (a non-empty string)");
  if (!storable(value)) throw invalid(NOT_STORABLE("versionCheck"));
  return value;
}

/** The context, as for fields, and then text every database stores as given: refused before any query. */
function readContext(context: unknown): KeyContext {
  const valid = validateContext(context);
  for (const [key, value] of Object.entries(valid)) {
    // The key is not quoted: it is the text at fault.
    if (!storable(key))
      throw new VaultContextInvalidError(`a key context key ${NOT_TEXT}`, { model: "VaultObject" });
    if (!storable(value))
      throw new VaultContextInvalidError(`the value of context key "${key}" ${NOT_TEXT}`, {
        model: "VaultObject",
      });
  }
  return valid;
}

function readSearch(search: unknown): string {
  if (typeof search !== "string" || search.length === 0 || search.length > MAX_NAME_LENGTH)
    throw invalid(`search must be a string of 1-${MAX_NAME_LENGTH} characters`);
  if (!storable(search)) throw invalid(NOT_STORABLE("search"));
  return search;
}

function readUpdatedAfter(value: unknown): Date {
  const at = typeof value === "string" ? parseInstant(value) : value;
  if (!(at instanceof Date) || Number.isNaN(at.getTime()))
    throw invalid("updatedAfter must be a valid Date or an ISO 8601 timestamp with a zone");
  return at;
}

/**
 * `text` as an instant, in the forms {@link ListObjectsOptions.updatedAfter} lists; `undefined` for any
 * other (`Date.parse` alone takes too much: "1", "2026", local times whose zone is the server's).
 */
function parseInstant(text: string): Date | undefined {
  if (DATE_STRING.test(text)) return new Date(text);
  const parts = ISO_8601.exec(text);
  if (parts === null) return undefined;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // Date rolls 2026-02-31 over into March and 24:00 into the next day: take neither.
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return new Date(text);
}

/** Text every database stores as given: no NUL, no lone UTF-16 surrogate. */
function storable(text: string): boolean {
  return !text.includes("\u0000") && !LONE_SURROGATE.test(text);
}

const NOT_TEXT = "must be well-formed text without NUL characters";
const NOT_STORABLE = (argument: string) => `${argument} ${NOT_TEXT}`;

// A high surrogate not followed by a low one, or a low one not preceded by a high one. A pattern and
// not String.prototype.isWellFormed, which the ES2023 lib this package compiles against does not type.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// A date, or a date and time with its zone (a time without one would be read in the server's).
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
// Date.prototype.toString(): "Sat Jan 31 2026 12:00:00 GMT+0100 (Central European Standard Time)".
const DATE_STRING = /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{4} \d{2}:\d{2}:\d{2} GMT[+-]\d{4}( \([^()]*\))?$/;

function optionsObject(options: unknown, method: string): Readonly<Record<string, unknown>> {
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw invalid(`${method} takes an options object`);
  return options as Record<string, unknown>;
}

function invalid(message: string): VaultInvalidArgumentError {
  return new VaultInvalidArgumentError(message, { model: "VaultObject" });
}

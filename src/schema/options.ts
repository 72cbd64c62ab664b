/** The public options of `vault({ models })` and `@encrypted(...)`: which fields are encrypted and how. */
import type { KeyContext } from "../context/key-context.js";

/** A row's fields, as far as they are known. */
export type Row = Readonly<Record<string, unknown>>;

/**
 * How a model's key context comes from its rows: field names (`["organizationId"]`), context keys
 * mapped to fields (`{ organization_id: "organizationId" }`), or a function of the fields it declares.
 */
export type ContextOption =
  | readonly string[]
  | Readonly<Record<string, string>>
  | {
      /** The fields `derive` reads: they are read (or taken from the write) before it is called. */
      readonly fields: readonly string[];
      /** The key context of a row, from the fields it declares; it must be pure. */
      readonly derive: (row: Row) => KeyContext;
    };

/** Options of one encrypted field. */
export interface FieldOptions {
  /** `"none"` seals without associated data (values written by other tools). Default: bound to model, field, context. */
  readonly aad?: "default" | "none";
  /** Keep the associated data of a renamed field: `"OldModel.oldField"`. */
  readonly aadAs?: string;
  /** `"read"` passes plaintext values through on read while a migration runs. Default: the `vault()` option. */
  readonly plaintext?: "reject" | "read";
  /** The String column holding the field's blind index, which makes the field searchable by equality. */
  readonly index?: string;
  /** Normalizers applied before indexing: `"email"`, `"phone"`, `"nfkc,lowercase"`, … Default `"none"`. */
  readonly normalize?: string;
  /** `"global"` (default): one index key per field. `"tenant"`: one per field and key context. */
  readonly scope?: "global" | "tenant";
  /** HMAC bytes kept in the index, 16 to 32. Default 32. */
  readonly indexBytes?: number | string;
}

/** The keys of {@link FieldOptions}, in a `models` map and in `@encrypted(...)`. */
export const FIELD_OPTION_KEYS = [
  "aad",
  "aadAs",
  "plaintext",
  "index",
  "normalize",
  "scope",
  "indexBytes",
] as const;

/**
 * How one model is encrypted: where its key context comes from and which fields are sealed.
 *
 * @example
 * { context: ["organizationId"], fields: { ssn: {}, email: { index: "emailIndex", normalize: "email" } } }
 */
export interface ModelOptions {
  /** Where the key context comes from. Required when the model has encrypted fields. */
  readonly context: ContextOption;
  /** Fixed pairs added to every context of this model, e.g. `{ app: "crm" }`. */
  readonly staticContext?: Readonly<Record<string, string>>;
  /** The encrypted fields: `{ ssn: {} }`. */
  readonly fields: Readonly<Record<string, FieldOptions>>;
}

/** `vault({ models })`: the {@link ModelOptions} of each model, by Prisma model name. */
export type ModelsOption = Readonly<Record<string, ModelOptions>>;

/** The validated schema the extension runs on: per model, its encrypted fields, relations and key context. */
import type { BlindIndexSpec } from "./blind-index-spec.js";
import type { KeyContext } from "../context/key-context.js";
import type { Row } from "./options.js";

/** What the schema takes from `vault()`'s options besides the models. */
export interface SchemaSettings {
  /** Each field's `plaintext` unless it sets its own. */
  readonly plaintext: "reject" | "read";
  /** Keys the blind indexes; a field declaring an index without it is a `VaultConfigError`. */
  readonly indexSecret?: Uint8Array | undefined;
}

export interface EncryptedField {
  readonly model: string;
  readonly name: string;
  /** Whose name goes into the default associated data; `undefined` seals without associated data. */
  readonly aad: { readonly model: string; readonly field: string } | undefined;
  readonly plaintext: "reject" | "read";
  /** The blind index filled beside the field on every write, when the field has one. */
  readonly index: FieldIndex | undefined;
  /** The most characters the column holds, when bounded and known: a longer envelope is refused. */
  readonly capacity: number | undefined;
}

/**
 * A field's blind index: the column it lives in and how it is computed (plain data: whoever computes
 * it builds the BlindIndex with `blindIndexOf`, core/blind-index.ts).
 */
export interface FieldIndex {
  readonly column: string;
  readonly blind: BlindIndexSpec;
  /** For a field renamed with `aadAs`: its index under its own name, which `migrate rotate` writes. */
  readonly own?: BlindIndexSpec;
}

export interface Relation {
  readonly name: string;
  readonly target: string;
  readonly relationName: string | undefined;
  /** Foreign-key fields on this model (empty when the key is on the other side or unknown). */
  readonly fromFields: readonly string[];
  readonly toFields: readonly string[];
  /**
   * Whether the data model says which columns the relation sets (`fromFields`). The runtime data
   * model does not; without the generator or the client's inline schema, writes through the relation
   * on a model with encrypted fields are refused rather than guessed.
   */
  readonly keysKnown: boolean;
  /** To-many; `undefined` when the data model does not say (runtime data model). */
  readonly isList: boolean | undefined;
}

export interface ModelSchema {
  readonly name: string;
  /** The model's table in the database: its `@@map` name, or else its own. */
  readonly table: string;
  readonly scalars: ReadonlySet<string>;
  /** Each scalar (and enum) field's column in the database: its `@map` name, or else its own. */
  readonly columns: ReadonlyMap<string, string>;
  /** Each scalar (and enum) field's Prisma type: `"Int"`, `"String"`, an enum's name, … */
  readonly fieldTypes: ReadonlyMap<string, string>;
  readonly relations: ReadonlyMap<string, Relation>;
  readonly primaryKey: readonly string[];
  readonly encrypted: ReadonlyMap<string, EncryptedField>;
  /** Blind-index columns and the encrypted field each one indexes. */
  readonly indexColumns: ReadonlyMap<string, EncryptedField>;
  /** The row fields the key context is derived from. */
  readonly contextFields: readonly string[];
  /** The key context of a row holding every context field; `VAULT_CONTEXT_MISSING` otherwise. */
  contextOf(row: Row, id?: unknown): KeyContext;
}

export interface VaultSchema {
  readonly models: ReadonlyMap<string, ModelSchema>;
  /** The datasource's provider (`"sqlite"`, `"postgresql"`, `"mysql"`, …), when the data model says. */
  readonly provider: string | undefined;
}

/**
 * The shape of a Prisma schema that prisma-vault needs: models, their scalar and relation fields,
 * primary keys, native types and `///` documentation. It comes from the `prisma-vault` generator
 * (complete), from the schema text the generated client embeds (inline-schema.ts), or from the client's
 * runtime data model (no documentation, no relation keys).
 */

/** One field as the generator writes it (a subset of Prisma's DMMF field). */
export interface DataModelField {
  /** The field's name in the Prisma schema. */
  readonly name: string;
  /** `"scalar"`, `"enum"`, `"object"` (a relation) or `"unsupported"` (an `Unsupported(...)` type). */
  readonly kind: "scalar" | "object" | "enum" | "unsupported";
  /** The Prisma type (`"String"`, `"Int"`, …), or the related model's or the enum's name. */
  readonly type: string;
  /** True for a list (`Type[]`). */
  readonly isList?: boolean;
  /** True for a single-field `@id`. */
  readonly isId?: boolean;
  /** False for `Type?` (and for lists); absent where the source does not say (the runtime data model). */
  readonly isRequired?: boolean;
  /** True for a field with its own `@unique`; absent where the source does not say. */
  readonly isUnique?: boolean;
  /** A relation field's relation name (`@relation("…")`, or the one Prisma gives it). */
  readonly relationName?: string;
  /** A relation field's `@relation(fields: […])`: this model's fields holding the key. */
  readonly relationFromFields?: readonly string[];
  /** A relation field's `@relation(references: […])`: the related model's fields they point to. */
  readonly relationToFields?: readonly string[];
  /** The `@db.` attribute as DMMF gives it: `["VarChar", ["191"]]`, `["Text", []]`; absent without one. */
  readonly nativeType?: readonly [string, readonly string[]];
  /** The field's `///` comment, where prisma-vault's annotations (`@encrypted`) are read from. */
  readonly documentation?: string;
  /** The column's name when `@map` gives it one; absent when it is the field's name. */
  readonly dbName?: string;
}

/** One model as the generator writes it. */
export interface DataModelModel {
  /** The model's name in the Prisma schema. */
  readonly name: string;
  /** The table's name when `@@map` gives it one; absent when it is the model's name. */
  readonly dbName?: string;
  /** Every field, scalar and relation, in schema order. */
  readonly fields: readonly DataModelField[];
  /** A compound `@@id`; single-field ids are marked `isId` on the field. */
  readonly primaryKey?: readonly string[] | null;
  /** The model's `///` comment, where model annotations (`@vault.context`, …) are read from. */
  readonly documentation?: string;
}

/** The models of a Prisma schema, as far as prisma-vault needs them. */
export interface DataModel {
  /** The datasource's active provider: `"sqlite"`, `"postgresql"`, `"mysql"`, …; absent in older schemas. */
  readonly provider?: string;
  /** Every model, by name. */
  readonly models: Readonly<Record<string, DataModelModel>>;
}

/**
 * What the `prisma-vault` generator writes to `<output>/index.js` as `vaultSchema`; pass it to
 * `vault({ schema })` so annotations in the Prisma schema configure the extension.
 */
export interface GeneratedVaultSchema {
  /** Always `"prisma-vault"`: marks the document as the generator's. */
  readonly generator: "prisma-vault";
  /** The document's format version, `1`. */
  readonly version: 1;
  /** The schema's models, with their annotations in `documentation`. */
  readonly datamodel: DataModel;
  /**
   * Each annotated model's encrypted fields and their blind-index column, as the annotations say:
   * `{ Account: { email: { index: "emailIndex" }, ssn: {} } }`. Written since 0.4 for the client's
   * types (`findUnique` by an indexed field, `onDecryptError: "null"`); `vault()` reads the annotations.
   */
  readonly encrypted?: Readonly<
    Record<
      string,
      Readonly<
        Record<
          string,
          {
            /** The field's blind-index column, when it has one. */
            readonly index?: string;
          }
        >
      >
    >
  >;
}

/** Is `value` something the generator wrote? */
export function isGeneratedVaultSchema(value: unknown): value is GeneratedVaultSchema {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<GeneratedVaultSchema>;
  return (
    candidate.generator === "prisma-vault" &&
    candidate.version === 1 &&
    typeof candidate.datamodel?.models === "object" &&
    candidate.datamodel.models !== null
  );
}

/** DMMF writes `nativeType: null` for a field without a `@db.` attribute, `dbName: null` without `@map`. */
type DmmfLikeField = Omit<DataModelField, "nativeType" | "dbName"> & {
  readonly nativeType?: DataModelField["nativeType"] | null;
  readonly dbName?: string | null;
} & Record<string, unknown>;

interface DmmfLikeModel {
  readonly name: string;
  readonly dbName?: string | null;
  readonly fields: readonly DmmfLikeField[];
  readonly primaryKey?: { readonly fields: readonly string[] } | null;
  readonly documentation?: string;
}

/**
 * The generator's document for a DMMF datamodel and the datasource's active provider: only the keys
 * prisma-vault reads.
 *
 * @example
 * fromDmmf(request.params.dmmf.datamodel.models, request.params.datasources[0]?.activeProvider);
 */
export function fromDmmf(models: readonly DmmfLikeModel[], provider?: string): GeneratedVaultSchema {
  const out: Record<string, DataModelModel> = {};
  for (const model of models) {
    out[model.name] = {
      name: model.name,
      ...(typeof model.dbName === "string" ? { dbName: model.dbName } : {}),
      ...(model.documentation === undefined ? {} : { documentation: model.documentation }),
      primaryKey: model.primaryKey?.fields ?? null,
      fields: model.fields.map((field) => pick(field)),
    };
  }
  return {
    generator: "prisma-vault",
    version: 1,
    datamodel: { ...(provider === undefined ? {} : { provider }), models: out },
  };
}

function pick(field: DmmfLikeField): DataModelField {
  const copy: Record<string, unknown> = { name: field.name, kind: field.kind, type: field.type };
  for (const key of [
    "isList",
    "isId",
    "isRequired",
    "isUnique",
    "relationName",
    "relationFromFields",
    "relationToFields",
    "nativeType",
    "documentation",
    "dbName",
  ] as const) {
    if (field[key] !== undefined && field[key] !== null) copy[key] = field[key];
  }
  return copy as unknown as DataModelField;
}

/** What the schema text adds to a field of the runtime data model (documentation is not taken). */
const FROM_SCHEMA_TEXT = [
  "isList",
  "isId",
  "isRequired",
  "isUnique",
  "relationFromFields",
  "relationToFields",
  "nativeType",
  "dbName",
] as const;

/**
 * `base` with what the schema text the client carries adds: relation keys, list and id flags,
 * compound ids, native types, table and column names and the provider. A model of `base` whose fields
 * the text does not match (names, kinds, types) is kept as it is, knowing less, rather than merged with
 * a guess.
 * Documentation is never taken from the text: annotations configure vault() through the generator.
 *
 * @example withSchemaText(runtimeDataModel(client), inlineSchemaDataModel(client))
 */
export function withSchemaText(base: DataModel, text: DataModel | undefined): DataModel {
  if (!text) return base;
  const models: Record<string, DataModelModel> = {};
  for (const [name, model] of Object.entries(base.models)) {
    const textModel = Object.hasOwn(text.models, name) ? text.models[name] : undefined;
    const parsed = new Map(textModel?.fields.map((field) => [field.name, field]));
    const matches = model.fields.every((field) => {
      const other = parsed.get(field.name);
      return other !== undefined && other.kind === field.kind && other.type === field.type;
    });
    models[name] = matches
      ? {
          ...model,
          ...(model.dbName === undefined && textModel?.dbName !== undefined && { dbName: textModel.dbName }),
          primaryKey: model.primaryKey ?? textModel?.primaryKey ?? null,
          fields: model.fields.map((field) => {
            const copy: Record<string, unknown> = { ...field };
            const other = parsed.get(field.name) as DataModelField;
            for (const key of FROM_SCHEMA_TEXT) if (other[key] !== undefined) copy[key] = other[key];
            return copy as unknown as DataModelField;
          }),
        }
      : model;
  }
  const provider = base.provider ?? text.provider;
  return { ...(provider === undefined ? {} : { provider }), models };
}

/**
 * `base` (the generator's document) with the table and column names of `runtime` (the client's own data
 * model) where `base` has none: a document written before names were recorded still names the
 * database's tables and columns, as raw SQL (a migration's shard pages) must. `base` itself when
 * there is nothing to add.
 *
 * @example withDbNames(generated.datamodel, runtimeDataModel(client))
 */
export function withDbNames(base: DataModel, runtime: DataModel | undefined): DataModel {
  let added = false;
  const models: Record<string, DataModelModel> = {};
  for (const [name, model] of Object.entries(base.models)) {
    const live = runtime && Object.hasOwn(runtime.models, name) ? runtime.models[name] : undefined;
    const columns = new Map(live?.fields.map((field) => [field.name, field.dbName]));
    const table = model.dbName ?? live?.dbName;
    added ||= table !== model.dbName;
    models[name] = {
      ...model,
      ...(table !== undefined && { dbName: table }),
      fields: model.fields.map((field) => {
        const column = field.dbName ?? columns.get(field.name);
        added ||= column !== field.dbName;
        return column === undefined ? field : { ...field, dbName: column };
      }),
    };
  }
  return added ? { ...base, models } : base;
}

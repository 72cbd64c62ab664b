/**
 * The shape of a Prisma schema that prisma-vault needs: models, their scalar and relation fields,
 * primary keys and `///` documentation. It comes from the `prisma-vault` generator (complete) or,
 * without it, from the client's runtime data model (no documentation, no relation keys).
 */

/** One field as the generator writes it (a subset of Prisma's DMMF field). */
export interface DataModelField {
  readonly name: string;
  readonly kind: "scalar" | "object" | "enum" | "unsupported";
  readonly type: string;
  readonly isList?: boolean;
  readonly isId?: boolean;
  readonly isUnique?: boolean;
  readonly relationName?: string;
  readonly relationFromFields?: readonly string[];
  readonly relationToFields?: readonly string[];
  readonly documentation?: string;
}

/** One model as the generator writes it. */
export interface DataModelModel {
  readonly name: string;
  readonly fields: readonly DataModelField[];
  /** A compound `@@id`; single-field ids are marked `isId` on the field. */
  readonly primaryKey?: readonly string[] | null;
  readonly documentation?: string;
}

export interface DataModel {
  readonly models: Readonly<Record<string, DataModelModel>>;
}

/**
 * What the `prisma-vault` generator writes to `<output>/index.js` as `vaultSchema`; pass it to
 * `vault({ schema })` so annotations in the Prisma schema configure the extension.
 */
export interface GeneratedVaultSchema {
  readonly generator: "prisma-vault";
  readonly version: 1;
  readonly datamodel: DataModel;
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

interface DmmfLikeModel {
  readonly name: string;
  readonly fields: readonly (DataModelField & Record<string, unknown>)[];
  readonly primaryKey?: { readonly fields: readonly string[] } | null;
  readonly documentation?: string;
}

/** The generator's document for a DMMF datamodel: only the keys prisma-vault reads. */
export function fromDmmf(models: readonly DmmfLikeModel[]): GeneratedVaultSchema {
  const out: Record<string, DataModelModel> = {};
  for (const model of models) {
    out[model.name] = {
      name: model.name,
      ...(model.documentation === undefined ? {} : { documentation: model.documentation }),
      primaryKey: model.primaryKey?.fields ?? null,
      fields: model.fields.map((field) => pick(field)),
    };
  }
  return { generator: "prisma-vault", version: 1, datamodel: { models: out } };
}

function pick(field: DataModelField): DataModelField {
  const copy: Record<string, unknown> = { name: field.name, kind: field.kind, type: field.type };
  for (const key of [
    "isList",
    "isId",
    "isUnique",
    "relationName",
    "relationFromFields",
    "relationToFields",
    "documentation",
  ] as const) {
    if (field[key] !== undefined) copy[key] = field[key];
  }
  return copy as unknown as DataModelField;
}

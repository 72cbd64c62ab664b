/**
 * The two Prisma models that hold Vault objects, as docs/objects.md gives them, and the check that a data
 * model has them: `vault({ objects: true })` and the generator refuse a schema without them, naming
 * the model and field at fault, before any object is written. Pure.
 */
import type { DataModel, DataModelField, DataModelModel } from "../schema/datamodel.js";
import { VaultConfigError } from "../errors.js";

export const OBJECT_MODEL = "VaultObject";
export const VERSION_MODEL = "VaultObjectVersion";

/** What one field must be: its type, whether it may be null, whether it is the id or unique. */
interface FieldRule {
  readonly type: string;
  readonly optional?: boolean;
  readonly id?: boolean;
  readonly unique?: boolean;
  readonly list?: boolean;
}

/**
 * The fields the object store reads and writes, by model. Column names, tables (`@map`, `@@map`),
 * native types and extra fields are the user's.
 */
export const OBJECT_MODELS: Readonly<Record<string, Readonly<Record<string, FieldRule>>>> = {
  [OBJECT_MODEL]: {
    id: { type: "String", id: true },
    name: { type: "String" },
    // The name while the object is live, null once deleted: unique among live objects only.
    liveName: { type: "String", optional: true, unique: true },
    context: { type: "String" },
    keyId: { type: "String" },
    versionId: { type: "String" },
    value: { type: "String" },
    createdAt: { type: "DateTime" },
    updatedAt: { type: "DateTime" },
    deletedAt: { type: "DateTime", optional: true },
    versions: { type: VERSION_MODEL, list: true },
  },
  [VERSION_MODEL]: {
    id: { type: "String", id: true },
    objectId: { type: "String" },
    object: { type: OBJECT_MODEL },
    keyId: { type: "String" },
    value: { type: "String" },
    createdAt: { type: "DateTime" },
  },
};

/**
 * Throws `VaultConfigError` unless `datamodel` has both object models with every field of
 * {@link OBJECT_MODELS}. What the source of the data model does not say (optional or unique, absent
 * from the runtime data model) is not held against it.
 *
 * @example checkObjectModels(runtimeDataModel(prisma)) // VaultConfigError: … model VaultObjectVersion is missing …
 */
export function checkObjectModels(datamodel: DataModel): void {
  for (const [name, rules] of Object.entries(OBJECT_MODELS)) {
    const model = Object.hasOwn(datamodel.models, name) ? datamodel.models[name] : undefined;
    if (model === undefined) {
      throw new VaultConfigError(
        `Vault objects need the models ${OBJECT_MODEL} and ${VERSION_MODEL} in the Prisma schema (docs/objects.md gives them); model ${name} is missing`,
        { model: name },
      );
    }
    for (const [fieldName, rule] of Object.entries(rules)) {
      const problem = fieldProblem(model, fieldName, rule);
      if (problem !== undefined) {
        throw new VaultConfigError(
          `Vault objects: ${name}.${fieldName} ${problem} (docs/objects.md gives the models)`,
          { model: name, field: fieldName },
        );
      }
    }
  }
}

function fieldProblem(model: DataModelModel, name: string, rule: FieldRule): string | undefined {
  const field: DataModelField | undefined = model.fields.find((f) => f.name === name);
  const wanted = `${rule.type}${rule.list ? "[]" : rule.optional ? "?" : ""}`;
  if (field === undefined) return `is missing: it must be a field of type ${wanted}`;
  if (field.type !== rule.type) return `must be of type ${wanted}, not ${field.type}`;
  if (field.isList !== undefined && field.isList !== (rule.list === true)) return `must be of type ${wanted}`;
  if (!rule.list && field.isRequired !== undefined && field.isRequired === (rule.optional === true))
    return `must be of type ${wanted}`;
  const key = model.primaryKey;
  const isId = field.isId ?? (key?.length === 1 ? key[0] === name : undefined);
  if (rule.id && isId === false) return "must be the model's @id";
  if (rule.unique && field.isUnique === false) return "must be @unique";
  return undefined;
}

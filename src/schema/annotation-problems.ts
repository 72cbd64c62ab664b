/**
 * What `vault({ schema })` would refuse in a data model's annotations, found without a client, a key
 * or a database: the `prisma-vault` generator runs it at `prisma generate`, so that a typo fails there
 * rather than when the application starts. It runs the very checks `vault()` runs (annotationsOf, then
 * buildVaultSchema), one model at a time, so that each model's first problem is reported at once.
 */
import { isVaultError, type VaultError } from "../errors.js";
import { annotationsOf } from "./annotations.js";
import { buildVaultSchema } from "./build.js";
import type { DataModel } from "./datamodel.js";

/**
 * The index secret is the application's, not the schema's: a stand-in of the right length lets the
 * index options and the index column be checked. Nothing is ever computed with it.
 */
const STAND_IN_INDEX_SECRET = new Uint8Array(32);

/**
 * The `VaultConfigError`s, each naming its model and field, that `vault({ schema })` would throw for
 * the annotations of `datamodel` (in schema order, the first of each model); none when it would accept
 * them. What only the application decides is not checked: the index secret, and `models` entries,
 * which replace a model's annotations.
 *
 * @example
 * annotationProblems(fromDmmf(models, "sqlite").datamodel)
 * // [VaultConfigError: Note.body: unknown @encrypted option "add" (expected one of aad, …)]
 */
export function annotationProblems(datamodel: DataModel): VaultError[] {
  const problems: VaultError[] = [];
  for (const model of Object.values(datamodel.models)) {
    // A model checked alone: its schema reads its own fields only, and one model's mistake hides no other's.
    const alone: DataModel = { ...datamodel, models: Object.fromEntries([[model.name, model]]) };
    try {
      const models = annotationsOf(alone);
      if (Object.keys(models).length === 0) continue;
      buildVaultSchema(alone, models, { plaintext: "reject", indexSecret: STAND_IN_INDEX_SECRET });
    } catch (error) {
      if (!isVaultError(error, "VAULT_CONFIG")) throw error;
      problems.push(error);
    }
  }
  return problems;
}

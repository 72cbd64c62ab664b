/**
 * `migrate()`: the programmatic migrations of DESIGN.md §10. This release runs `"index"`, the
 * blind-index backfill; the other modes are refused with a `VaultConfigError` until they land.
 */
import { NO_SUCH_MODEL, unsupportedQuery } from "../error-messages.js";
import { VaultConfigError, VaultUnsupportedQueryError } from "../errors.js";
import { handleOf } from "../prisma/handle.js";
import type { ModelSchema, VaultSchema } from "../schema/model-schema.js";
import { backfillIndexes } from "./backfill.js";
import { validateMigrateOptions, type MigrateOptions } from "./options.js";
import type { MigrationReport, MigrationModelReport } from "./report.js";

/**
 * Runs a migration over the rows of a client extended with `vault()`, through the client under the
 * extension. `"index"` fills the blind-index columns that are empty: for indexes added to a model
 * that already holds encrypted data, or rows written before their index was declared. Every row is
 * written with a conditional update, so it is safe beside a live application, and a rerun only does
 * what is still missing. Options and models are checked before any row is read.
 *
 * @example
 * const report = await migrate(prisma, { mode: "index", batchSize: 1000 });
 * for (const m of report.models) console.log(m.model, m.updated, m.failed.length);
 */
export async function migrate(prisma: object, options: MigrateOptions): Promise<MigrationReport> {
  const settings = validateMigrateOptions(options);
  const handle = handleOf(prisma);
  const models = modelsToIndex(handle.schema, settings.models);
  const started = performance.now();
  const reports: MigrationModelReport[] = [];
  for (const model of models) reports.push(await backfillIndexes(handle, model, settings));
  return {
    mode: settings.mode,
    dryRun: settings.dryRun,
    models: reports,
    durationMs: Math.round(performance.now() - started),
  };
}

/** The models named (each must have a blind index), or every model that has one. */
function modelsToIndex(schema: VaultSchema, names: readonly string[] | undefined): ModelSchema[] {
  const models =
    names === undefined
      ? [...schema.models.values()].filter((model) => model.indexColumns.size > 0)
      : [...new Set(names)].map((name) => {
          const model = schema.models.get(name);
          if (!model) throw new VaultConfigError(NO_SUCH_MODEL, { model: name });
          if (model.indexColumns.size === 0) {
            throw new VaultConfigError('no blind index to fill; declare one with index: "<column>"', {
              model: name,
            });
          }
          return model;
        });
  for (const model of models) {
    if (model.primaryKey.length === 0) {
      throw new VaultUnsupportedQueryError(unsupportedQuery.migrationWithoutPrimaryKey, {
        model: model.name,
      });
    }
  }
  return models;
}

/**
 * `migrate()`: the migrations of DESIGN.md §11 — encrypt, decrypt, rekey, rotate, verify and index —
 * over the rows of a client extended with `vault()`, through the client under the extension.
 */
import type { VaultCore } from "../core/vault-core.js";
import { NO_SUCH_MODEL, unsupportedQuery } from "../error-messages.js";
import { VaultConfigError, VaultUnsupportedQueryError } from "../errors.js";
import { handleOf, type VaultHandle } from "../client/handle.js";
import type { ModelSchema, VaultSchema } from "../schema/model-schema.js";
import { Checkpoint } from "./checkpoint.js";
import { migrateModel } from "./engine.js";
import { shardSupport } from "./shard.js";
import { decryptStep } from "./modes/decrypt.js";
import { encryptStep } from "./modes/encrypt.js";
import { indexStep } from "./modes/index.js";
import { rekeyStep } from "./modes/rekey.js";
import { rotateStep } from "./modes/rotate.js";
import { verifyStep } from "./modes/verify.js";
import type { MigrationMode } from "./migration-mode.js";
import { validateMigrateOptions, type MigrateOptions, type MigrateSettings } from "./options.js";
import type { MigrationModelReport, MigrationReport } from "./report.js";
import type { MigrationStep } from "./step.js";

/**
 * Runs a migration. Every row is written with a conditional update on its primary key and the values
 * it replaces, so it is safe beside a live application (a concurrent write wins and is counted as a
 * conflict); `encrypt`, `decrypt`, `rekey` and `index` are idempotent. Options, models and the
 * checkpoint are checked before any row is read. Values that fail are reported and the run goes on;
 * a key-service outage or a database error stops it (the checkpoint keeps what committed).
 *
 * @example
 * const report = await migrate(prisma, { mode: "encrypt", checkpoint: ".prisma-vault/encrypt.json" });
 * for (const m of report.models) console.log(m.model, m.updated, m.failedTotal);
 */
export async function migrate(prisma: object, options: MigrateOptions): Promise<MigrationReport> {
  const settings = validateMigrateOptions(options);
  const handle = handleOf(prisma);
  const models = modelsFor(handle.schema, settings.mode, settings.models);
  if (settings.shard) for (const model of models) shardSupport(model, handle.provider);
  // rotate seals under data keys of its own, in a cache of its own, zeroed when the run ends.
  const fresh = settings.mode === "rotate" ? handle.core.withOwnKeys() : undefined;
  try {
    return await runSteps(handle, settings, models, stepsFor(handle, settings.mode, models, fresh));
  } finally {
    fresh?.dispose();
  }
}

/** Each model in turn, under the checkpoint; the report. */
async function runSteps(
  handle: VaultHandle,
  settings: MigrateSettings,
  models: readonly ModelSchema[],
  steps: readonly MigrationStep[],
): Promise<MigrationReport> {
  const identity = { mode: settings.mode, models: models.map((m) => m.name), shard: settings.shard };
  const checkpoint = settings.checkpoint
    ? Checkpoint.open(settings.checkpoint, identity, settings.resume)
    : undefined;
  const started = performance.now();
  const reports: MigrationModelReport[] = [];
  let interrupted = false;
  for (const [i, model] of models.entries()) {
    const run = await migrateModel({ handle, model, step: steps[i] as MigrationStep, settings, checkpoint });
    reports.push(run.report);
    if (run.interrupted) {
      interrupted = true;
      break;
    }
  }
  if (!interrupted) checkpoint?.remove();
  return {
    mode: settings.mode,
    dryRun: settings.dryRun,
    ...(settings.shard && { shard: settings.shard }),
    models: reports,
    interrupted,
    ...(interrupted && checkpoint && { checkpoint: checkpoint.path }),
    durationMs: Math.round(performance.now() - started),
  };
}

/** Each model's step; built before any row is read, so a mode the provider cannot run fails first. */
function stepsFor(
  handle: VaultHandle,
  mode: MigrationMode,
  models: readonly ModelSchema[],
  fresh: VaultCore | undefined,
): MigrationStep[] {
  const core = handle.core;
  switch (mode) {
    case "encrypt":
      return models.map((model) => encryptStep(model, { core }));
    case "decrypt":
      return models.map((model) => decryptStep(model, { core }));
    case "verify":
      return models.map((model) => verifyStep(model, { core }));
    case "index":
      return models.map((model) => indexStep(model, { core }));
    case "rekey": {
      const rewrapped = new Map<string, Promise<Uint8Array>>();
      return models.map((model) => rekeyStep(model, { core, rewrapped }));
    }
    case "rotate": {
      // Its own cache, empty: every value is sealed under a data key created by this run.
      if (fresh === undefined) throw new Error("rotate needs its own core");
      return models.map((model) => rotateStep(model, { core, fresh }));
    }
  }
}

/** The models named (each must apply to the mode), or every model the mode applies to. */
function modelsFor(
  schema: VaultSchema,
  mode: MigrationMode,
  names: readonly string[] | undefined,
): ModelSchema[] {
  const applies = (model: ModelSchema) =>
    mode === "index" ? model.indexColumns.size > 0 : model.encrypted.size > 0;
  const models =
    names === undefined
      ? [...schema.models.values()].filter(applies)
      : [...new Set(names)].map((name) => {
          const model = schema.models.get(name);
          if (!model) throw new VaultConfigError(NO_SUCH_MODEL, { model: name });
          if (!applies(model)) {
            throw new VaultConfigError(
              mode === "index"
                ? 'no blind index to fill; declare one with index: "<column>"'
                : "the model has no encrypted fields",
              { model: name },
            );
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

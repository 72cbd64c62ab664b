/**
 * The options of `vault()` and their eager validation: everything wrong with them is a
 * `VaultConfigError` thrown by `vault()` or `$extends`, before any query runs.
 */
import { validateCoreOptions, type CoreOptions, type CoreSettings } from "../core/core-options.js";
import { VaultConfigError } from "../errors.js";
import {
  isGeneratedVaultSchema,
  withDbNames,
  withSchemaText,
  type DataModel,
  type GeneratedVaultSchema,
} from "../schema/datamodel.js";
import { inlineSchemaDataModel, runtimeDataModel } from "../client/internals.js";
import type { UnboundValues } from "../objects/sealing.js";
import { DEFAULT_ENVIRONMENT_ID, type ObjectsOptions } from "../objects/vault-objects.js";

/**
 * The options of {@link vault}. Only `keys` and one of `models` or `schema` are required. Each is
 * checked when `vault()` is called: a bad one is a `VaultConfigError` naming it.
 *
 * @example
 * vault({ keys: LocalKeyProvider.fromEnv(), schema: vaultSchema, timeoutMs: 5_000, onDecryptError: "null" });
 */
export interface VaultOptions extends CoreOptions {
  /** The `prisma-vault` generator's output (`vaultSchema`), for annotations and relation keys. */
  readonly schema?: GeneratedVaultSchema;
  /**
   * `true` (or `{ environmentId, unboundValues }`) turns on `prisma.$vault.objects`, WorkOS Vault's object API stored
   * in the `VaultObject` and `VaultObjectVersion` models (docs/objects.md gives them). Default off.
   */
  readonly objects?: boolean | ObjectsOptions;
}

export interface Settings extends CoreSettings {
  readonly schema: GeneratedVaultSchema | undefined;
  /** Set when objects are on. */
  readonly objects: { readonly environmentId: string; readonly unboundValues: UnboundValues } | undefined;
}

export function validateOptions(options: VaultOptions): Settings {
  const core = validateCoreOptions(options, "vault()");
  if (options.schema !== undefined && !isGeneratedVaultSchema(options.schema)) {
    throw new VaultConfigError(
      "options.schema must be the vaultSchema written by the prisma-vault generator",
    );
  }
  if (options.models === undefined && options.schema === undefined) {
    throw new VaultConfigError(
      "vault() needs options.models or options.schema (the generator's vaultSchema)",
    );
  }
  return { ...core, schema: options.schema, objects: objectsFrom(options.objects) };
}

function objectsFrom(option: VaultOptions["objects"]): Settings["objects"] {
  if (option === undefined || option === false) return undefined;
  if (option === true) return { environmentId: DEFAULT_ENVIRONMENT_ID, unboundValues: "refuse" };
  if (typeof option !== "object" || option === null)
    throw new VaultConfigError("options.objects must be true, false or { environmentId, unboundValues }");
  const environmentId = option.environmentId ?? DEFAULT_ENVIRONMENT_ID;
  if (typeof environmentId !== "string" || environmentId === "")
    throw new VaultConfigError("options.objects.environmentId must be a non-empty string");
  const unboundValues = option.unboundValues ?? "refuse";
  if (unboundValues !== "refuse" && unboundValues !== "open")
    throw new VaultConfigError('options.objects.unboundValues must be "refuse" or "open"');
  return { environmentId, unboundValues };
}

/** The generator's data model when given (checked against the client's), else the client's own. */
export function dataModelFor(client: unknown, generated: GeneratedVaultSchema | undefined): DataModel {
  const runtime = runtimeDataModel(client);
  if (generated) {
    if (runtime) {
      for (const [name, model] of Object.entries(generated.datamodel.models)) {
        const live = Object.hasOwn(runtime.models, name) ? runtime.models[name] : undefined;
        const missing = model.fields.find((f) => !live?.fields.some((l) => l.name === f.name));
        if (!live || missing) {
          throw new VaultConfigError(
            "the generated vault schema does not match the Prisma client; run prisma generate",
            {
              model: name,
              ...(missing ? { field: missing.name } : {}),
            },
          );
        }
      }
    }
    // A schema generated before native types were recorded takes them (and the provider) from the client,
    // and one generated before table and column names were recorded takes those from the client.
    const names = withDbNames(generated.datamodel, runtime);
    return names.provider === undefined ? withSchemaText(names, inlineSchemaDataModel(client)) : names;
  }
  if (!runtime) {
    throw new VaultConfigError(
      "cannot read this Prisma client's data model; pass the generator's vaultSchema as options.schema",
    );
  }
  // The runtime data model has no relation keys and no native types; the client's schema text has them.
  return withSchemaText(runtime, inlineSchemaDataModel(client));
}

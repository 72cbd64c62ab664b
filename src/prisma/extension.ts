/**
 * `vault()`: the Prisma client extension. It validates the configuration when the extension is
 * created and routes each intercepted operation to its path (paths/): reads, creates, updates and
 * upserts, updateMany. The paths are the shell around the pure planners, and the only place that
 * issues extra queries (reading a row's key context before an update).
 */
import { resolveAead } from "../crypto/resolve-aead.js";
import type { VaultCore } from "../core/vault-core.js";
import { isVaultError, VaultConfigError } from "../errors.js";
import { checkObjectModels } from "../objects/models.js";
import type { UnboundValues } from "../objects/sealing.js";
import { ObjectStore } from "../objects/store.js";
import type { VaultObjects } from "../objects/vault-objects.js";
import type { DataModel } from "../schema/datamodel.js";
import { annotationsOf } from "../schema/annotations.js";
import { coreOf } from "../core/core-options.js";
import { isKeyRouter } from "../keys/router.js";
import { buildVaultSchema } from "../schema/build.js";
import type { ModelSchema } from "../schema/model-schema.js";
import { inertModels } from "../schema/relations.js";
import { lastQueryExtensionGuard } from "./extension-order.js";
import { rewriteQuery } from "./plan/filters.js";
import type { NoExtraKeys, VaultExtension } from "./client-types.js";
import { withHandle } from "../client/handle.js";
import type { VaultClientApi } from "./vault-client-api.js";
import { dataPathOf, transactionOf } from "../client/internals.js";
import { dataModelFor, validateOptions, type VaultOptions } from "./options.js";
import { unknownArgument } from "./plan/write.js";
import { QUERY_ARGUMENTS } from "./plan/args.js";
import { isObject, type PrismaObject } from "../client/prisma-object.js";
import { encryptedFieldNames, redactError, secretsIn } from "../client/redact.js";
import type { PathContext, Query, VaultRuntime } from "./paths/context.js";
import { create } from "./paths/create.js";
import { read } from "./paths/read.js";
import { update } from "./paths/update.js";
import { updateMany } from "./paths/update-many.js";
import { type AnyClient } from "../client/delegate.js";
import { modelProperty } from "../schema/model-property.js";

interface HookParams {
  readonly model?: string;
  readonly operation: string;
  readonly args: unknown;
  readonly query: Query;
}

const READS = new Set([
  "findUnique",
  "findUniqueOrThrow",
  "findFirst",
  "findFirstOrThrow",
  "findMany",
  "delete",
]);
const CREATES = new Set(["create", "createMany", "createManyAndReturn"]);

/**
 * The prisma-vault extension: `prisma.$extends(vault({ keys, models }))`. Configuration errors are
 * thrown by `$extends`, before any query runs.
 *
 * @example
 * const prisma = new PrismaClient({ adapter }).$extends(
 *   vault({ keys: LocalKeyProvider.fromEnv(), models: { User: { context: ["organizationId"], fields: { ssn: {} } } } }),
 * );
 */
export function vault<const O extends VaultOptions>(
  options: O & NoExtraKeys<O, VaultOptions>,
): VaultExtension<O> {
  const settings = validateOptions(options);
  const aead = resolveAead(settings.aead);
  // What `Prisma.defineExtension(fn)` returns, `fn` itself (Prisma 6 and 7), without importing it: a
  // runtime import of `@prisma/client` would make Prisma 7 a dependency of every app, Prisma 8's too.
  const extension = (client: ExtensibleClient): unknown => {
    const datamodel = dataModelFor(client, settings.schema);
    const models = {
      ...(settings.schema ? annotationsOf(settings.schema.datamodel) : {}),
      ...(options.models ?? {}),
    };
    const schema = buildVaultSchema(datamodel, models, {
      plaintext: settings.plaintext,
      indexSecret: settings.indexSecret,
    });
    const { cache, core } = coreOf(options, settings, aead);
    const dispatcher = new Dispatcher({
      schema,
      core,
      client: client as unknown as AnyClient,
      policy: settings.onDecryptError,
      audit: settings.audit,
    });
    // Releases the keys for good: a query needing one afterwards fails rather than fetch them again.
    const close = (): Promise<void> => {
      core.dispose();
      return Promise.resolve();
    };
    const router = isKeyRouter(options.keys) ? options.keys : undefined;
    const objects = settings.objects && objectStore(client, datamodel, core, settings.objects);
    const $vault: VaultClientApi = withHandle(
      {
        stats: () => ({
          ...cache.stats(),
          aead: aead.name,
          ...(router !== undefined && { routed: router.stats() }),
        }),
        get objects(): VaultObjects {
          if (objects) return objects;
          throw new VaultConfigError(
            "prisma.$vault.objects needs vault({ objects: true }) and the VaultObject and VaultObjectVersion models (docs/objects.md gives them)",
          );
        },
        close,
        [Symbol.asyncDispose]: close,
      },
      { schema, core, client },
    );
    // Typed as `{ $vault }` alone, so the client keeps Prisma's own `$extends` type.
    const members = { $vault, $extends: lastQueryExtensionGuard(client, schema) } as {
      /** The extension's own API on the client: `prisma.$vault.stats()`, `prisma.$vault.objects`. */
      $vault: VaultClientApi;
    };
    // Only models from which encrypted data can be reached are hooked: the others' queries do not go
    // through the extension at all, not even to be passed on.
    const hook = { $allOperations: (params: unknown) => dispatcher.run(params as HookParams) };
    const inert = inertModels(schema);
    const hooked = [...schema.models.keys()].filter((name) => !inert.has(name));
    return client.$extends({
      name: "prisma-vault",
      client: members,
      query: Object.fromEntries(hooked.map((name) => [modelProperty(name), hook])),
    });
  };
  return extension as unknown as VaultExtension<O>;
}

/** The client `prisma.$extends()` gives an extension function: what vault() calls on it. */
interface ExtensibleClient {
  $extends(extension: object): unknown;
}

/** The object store on `client`, once its two models are checked. */
function objectStore(
  client: unknown,
  datamodel: DataModel,
  core: VaultCore,
  options: { readonly environmentId: string; readonly unboundValues: UnboundValues },
): VaultObjects {
  checkObjectModels(datamodel);
  return new ObjectStore(client, core, options);
}

/**
 * Routes each intercepted operation to its path; keeps secrets out of whatever error leaves. Only the
 * hooked models' operations arrive here: those of models no encrypted field can be reached from are
 * not hooked (see vault()).
 */
class Dispatcher {
  readonly #secretNames: ReadonlySet<string>;

  constructor(readonly runtime: VaultRuntime) {
    this.#secretNames = encryptedFieldNames(runtime.schema);
  }

  async run(params: HookParams): Promise<unknown> {
    const { model, query } = params;
    if (model === undefined) return query(params.args);
    try {
      return await this.dispatch(model, params);
    } catch (error) {
      // Prisma's errors echo arguments; a database may quote a value: neither leaves with a secret.
      throw isVaultError(error) && error.cause === undefined
        ? error
        : redactError(error, secretsIn(params.args, this.#secretNames));
    }
  }

  dispatch(model: string, params: HookParams): Promise<unknown> {
    const { schema } = this.runtime;
    const { operation, query } = params;
    const top = schema.models.get(model) as ModelSchema;
    if (isObject(params.args)) {
      const unknown = Object.keys(params.args).find((key) => !QUERY_ARGUMENTS.has(key));
      if (unknown !== undefined) throw unknownArgument(top, unknown);
    }
    // Equality on indexed fields now targets index columns; what cannot be answered has thrown.
    const args = rewriteQuery(schema, model, operation, params.args);
    const tx = transactionOf(params);
    const path: PathContext = {
      ...this.runtime,
      model,
      top,
      operation,
      query,
      tx,
      // The fluent API (`create(...).posts()`) resolves to a relation of the row: decrypt what it returns.
      dataPath: dataPathOf(params),
      commits: tx?.kind !== "itx",
      batch: tx?.kind === "batch",
    };
    if (READS.has(operation)) return read(path, args as PrismaObject | undefined);
    if (CREATES.has(operation)) return create(path, args);
    if (operation === "update" || operation === "upsert") return update(path, args);
    if (operation === "updateMany" || operation === "updateManyAndReturn")
      return updateMany(path, args as PrismaObject);
    return query(args);
  }
}

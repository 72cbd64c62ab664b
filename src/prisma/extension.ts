/**
 * `vault()`: the Prisma client extension. The shell around the pure planners: it validates the
 * configuration when the extension is created, seals values before writes, opens them after reads,
 * and is the only place that issues extra queries (reading a row's key context before an update).
 */
import { Prisma } from "@prisma/client/extension";
import { FieldCipher } from "../cipher.js";
import { canonicalize, type KeyContext } from "../context.js";
import { markCommitted, VaultError } from "../errors.js";
import { annotationsOf } from "../annotations.js";
import { DataKeyCache, type VaultStats } from "../keys/cache.js";
import { buildVaultSchema } from "../schema/build.js";
import type { EncryptedField, ModelSchema, VaultSchema } from "../schema/model-schema.js";
import type { Row } from "../schema/options.js";
import { inertModels } from "../schema/relations.js";
import { lastQueryExtensionGuard } from "./extension-order.js";
import { rewriteQuery } from "./filters.js";
import { withHandle } from "./handle.js";
import { dataPathOf, globalOmit, itxClient, transactionOf, type TransactionInfo } from "./internals.js";
import { andWhere, contextEquals, pkEquals, rowsAlong, selectAlong, storedEquals } from "./locate.js";
import { dataModelFor, validateOptions, type VaultOptions } from "./options.js";
import { modelProperty, planSelection, relationsOf, shapeAt } from "./plan.js";
import { rowId } from "./results.js";
import { fieldRef, fitting, openResult, sealValues, type DecryptErrorPolicy } from "./values.js";
import { planWrite, unknownArgument, type ContextNeed, type WriteUnit } from "./write-plan.js";
import { isObject, QUERY_ARGUMENTS, type Loose } from "./args.js";
import { encryptedFieldNames, redactError, secretsIn } from "./redact.js";

/** `prisma.$vault`: counters of the extension's data-key cache and key provider. */
export interface VaultClientApi {
  stats(): VaultStats;
}

type Query = (args: unknown) => Promise<unknown>;
interface HookParams {
  readonly model?: string;
  readonly operation: string;
  readonly args: unknown;
  readonly query: Query;
}
type Delegate = Record<string, (args: unknown) => Promise<unknown>>;
type AnyClient = Record<string, unknown> & {
  $transaction<T>(fn: (tx: AnyClient) => Promise<T>): Promise<T>;
};

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
export function vault(options: VaultOptions) {
  const settings = validateOptions(options);
  return Prisma.defineExtension((client) => {
    const datamodel = dataModelFor(client, settings.schema);
    const models = {
      ...(settings.schema ? annotationsOf(settings.schema.datamodel) : {}),
      ...(options.models ?? {}),
    };
    const schema = buildVaultSchema(datamodel, models, settings.plaintext, settings.indexSecret);
    const cache = new DataKeyCache(options.keys, options.cache ?? {}, { timeoutMs: settings.timeoutMs });
    const engine = new Engine(
      schema,
      new FieldCipher(cache),
      client as unknown as AnyClient,
      settings.onDecryptError,
    );
    const $vault: VaultClientApi = withHandle(
      { stats: () => cache.stats() },
      { schema, cipher: engine.cipher, client },
    );
    // Typed as `{ $vault }` alone, so the client keeps Prisma's own `$extends` type.
    const members = { $vault, $extends: lastQueryExtensionGuard(client, schema) } as {
      $vault: VaultClientApi;
    };
    return client.$extends({
      name: "prisma-vault",
      client: members,
      query: {
        $allModels: {
          $allOperations: (params) => engine.run(params as unknown as HookParams),
        },
      },
    });
  });
}

class Engine {
  /** Models from which no encrypted field can be reached: their queries pass straight through. */
  readonly #inert: ReadonlySet<string>;
  readonly #secretNames: ReadonlySet<string>;

  constructor(
    readonly schema: VaultSchema,
    readonly cipher: FieldCipher,
    readonly client: AnyClient,
    readonly policy: DecryptErrorPolicy,
  ) {
    this.#inert = inertModels(schema);
    this.#secretNames = encryptedFieldNames(schema);
  }

  async run(params: HookParams): Promise<unknown> {
    const { model, operation, query } = params;
    if (model === undefined || this.#inert.has(model)) return query(params.args);
    try {
      return await this.dispatch(model, operation, params, query);
    } catch (error) {
      // Prisma's errors echo arguments; a database may quote a value: neither leaves with a secret.
      throw error instanceof VaultError && error.cause === undefined
        ? error
        : redactError(error, secretsIn(params.args, this.#secretNames));
    }
  }

  async dispatch(model: string, operation: string, params: HookParams, query: Query): Promise<unknown> {
    const top = this.schema.models.get(model) as ModelSchema;
    if (isObject(params.args)) {
      const unknown = Object.keys(params.args).find((key) => !QUERY_ARGUMENTS.has(key));
      if (unknown !== undefined) throw unknownArgument(top, unknown);
    }
    // Equality on indexed fields now targets index columns; what cannot be answered has thrown.
    const args = rewriteQuery(this.schema, model, operation, params.args);
    // The fluent API (`create(...).posts()`) resolves to a relation of the row: decrypt what it returns.
    const dataPath = dataPathOf(params);
    const tx = transactionOf(params);
    // A write sent as one statement outside an interactive transaction has committed when it returns.
    const commits = tx?.kind !== "itx";
    if (READS.has(operation))
      return this.read(model, args as Loose | undefined, query, dataPath, operation === "delete" && commits);
    if (CREATES.has(operation)) return this.create(model, operation, args, query, dataPath, commits);
    if (operation === "update" || operation === "upsert")
      return this.update(model, operation, args, query, tx, dataPath);
    if (operation === "updateMany" || operation === "updateManyAndReturn") {
      return this.updateMany(model, operation, args as Loose, query, tx);
    }
    return query(args);
  }

  /**
   * Sends `args` with context fields added to the selection, then decrypts and strips the result.
   * `committed`: the query is a write that has committed once it returns, so a result that does not
   * decrypt is reported with `committed: true`.
   */
  async read(
    model: string,
    args: Loose | undefined,
    query: Query,
    dataPath: readonly string[] = [],
    committed = false,
  ): Promise<unknown> {
    const planned = planSelection(this.schema, model, args, globalOmit(this.client));
    const result = await query(planned.args);
    const shape = shapeAt(planned.shape, dataPath);
    if (!shape) return result;
    try {
      await openResult(this.cipher, shape, result, this.policy);
    } catch (error) {
      throw committed ? markCommitted(error) : error;
    }
    return result;
  }

  async create(
    model: string,
    operation: string,
    args: unknown,
    query: Query,
    dataPath: readonly string[],
    commits: boolean,
  ): Promise<unknown> {
    const plan = planWrite(this.schema, model, operation, args);
    await Promise.all(
      plan.units.map((unit) =>
        sealValues(this.cipher, unit.values, unit.model.contextOf(unit.known, unit.id), unit.id),
      ),
    );
    return operation === "createMany"
      ? query(plan.args)
      : this.read(model, plan.args, query, dataPath, commits);
  }

  async update(
    model: string,
    operation: string,
    args: unknown,
    query: Query,
    tx: TransactionInfo,
    dataPath: readonly string[],
  ): Promise<unknown> {
    const plan = planWrite(this.schema, model, operation, args);
    const top = this.schema.models.get(model) as ModelSchema;
    const topUnit = plan.units.find((unit) => unit.kind === "update" && unit.locator?.length === 0);
    const needsRead = plan.units.some((unit) => unit.needs.length > 0) || (topUnit?.setsContext ?? false);
    for (const unit of plan.units) {
      if (
        unit.setsContext &&
        unit !== topUnit &&
        unit.kind === "update" &&
        !writesEveryEncryptedField(unit)
      ) {
        throw new VaultError(
          "VAULT_UNSUPPORTED_QUERY",
          "a nested update that changes the key context must also write every encrypted field; update the row directly",
          { model: unit.model.name },
        );
      }
    }
    if (!needsRead) {
      await Promise.all(
        plan.units.map((unit) =>
          sealValues(this.cipher, unit.values, unit.model.contextOf(unit.known, unit.id), unit.id),
        ),
      );
      return this.read(model, plan.args, query, dataPath, tx?.kind !== "itx");
    }
    return this.inTransaction(tx, query, model, operation, async (reader, exec) => {
      const where = plan.args["where"] as Loose;
      const contexts = new Map<WriteUnit, KeyContext>();
      for (const unit of plan.units) {
        // A top-level update that sets a context field may move the row: read what must follow it.
        const moving = unit === topUnit && unit.setsContext;
        const stored = moving ? await this.storedRow(reader, top, where, staleFields(top, unit)) : undefined;
        const resolved = moving ? (stored ?? undefined) : await this.resolve(reader, top, where, unit.needs);
        // The update branch of an upsert whose row does not exist will not run: seal it like the row it creates.
        const fallback = unit.fallback && contexts.get(unit.fallback);
        if (resolved === undefined && !fallback) throw notFound(unit.model);
        const context =
          resolved === undefined
            ? (fallback as KeyContext)
            : unit.model.contextOf({ ...resolved, ...unit.known });
        contexts.set(unit, context);
        if (stored) {
          await this.moveRow(top, unit, stored, context, plan.args, operation, where);
        } else if (
          unit === topUnit &&
          resolved !== undefined &&
          unit.needs.length > 0 &&
          operation === "update"
        ) {
          // Pin the update to the context it was sealed for: in a batch the read ran before the batch,
          // and a row moved earlier in it must fail rather than take values sealed for its old tenant.
          plan.args["where"] = andWhere(where, resolved);
        }
        await sealValues(this.cipher, unit.values, context, unit.id);
      }
      // Prisma unpacks a fluent result only for the hook's own query; our client call returns the row.
      const unpacked: Query = async (next) =>
        tx?.kind === "batch" ? exec(next) : valueAt(await exec(next), dataPath);
      // In a transaction (the caller's or ours) a failed read rolls the write back; a batch has committed.
      return this.read(model, plan.args, unpacked, dataPath, tx?.kind === "batch");
    });
  }

  /** Reads the context fields a unit needs (`undefined` when its row does not exist). */
  async resolve(
    reader: AnyClient,
    top: ModelSchema,
    where: Loose,
    needs: readonly ContextNeed[],
  ): Promise<Row | undefined> {
    if (needs.length === 0) return {};
    const byLocator = new Map<string, ContextNeed[]>();
    for (const need of needs) {
      const key = JSON.stringify(need.locator);
      byLocator.set(key, [...(byLocator.get(key) ?? []), need]);
    }
    const out: Record<string, unknown> = {};
    for (const group of byLocator.values()) {
      const locator = (group[0] as ContextNeed).locator;
      const columns = group.map((need) => need.column);
      const row = await delegate(reader, top.name)["findUnique"]?.({
        where,
        select: selectAlong(this.schema, top, locator, columns),
      });
      const rows = rowsAlong(row, locator);
      if (rows.length === 0) return undefined;
      for (const need of group) {
        const values = new Set(rows.map((r) => r[need.column]));
        if (values.size > 1) {
          throw new VaultError(
            "VAULT_UNSUPPORTED_QUERY",
            "a nested write spans several key contexts; write each context's rows separately",
            {
              model: top.name,
              field: need.field,
            },
          );
        }
        out[need.field] = rows[0]?.[need.column];
      }
    }
    return out;
  }

  /** The row an update reads before it may move the row to another context (`null`: none matches). */
  async storedRow(
    reader: AnyClient,
    model: ModelSchema,
    where: Loose,
    stale: readonly EncryptedField[],
  ): Promise<Loose | null> {
    const select = movingRowSelect(model, stale);
    return ((await delegate(reader, model.name)["findUnique"]?.({ where, select })) ?? null) as Loose | null;
  }

  /**
   * The update sets a context field: if the row's context changes, its stored values not written by this
   * update are re-sealed under the new one. Either way the update is pinned to the context it read.
   */
  async moveRow(
    model: ModelSchema,
    unit: WriteUnit,
    row: Loose,
    next: KeyContext,
    args: Loose,
    operation: string,
    where: Loose,
  ): Promise<void> {
    const stale = staleFields(model, unit);
    const id = rowId(model, row);
    const previous = model.contextOf(row, id);
    const moves = canonicalize(previous) !== canonicalize(next);
    if (moves) await this.reseal(stale, row, unit.data, previous, next, id);
    // Fail closed if the row changed after it was read (a batch transaction reads outside the batch):
    // also when it stays put, as a row moved away earlier in the batch would come back with values
    // sealed for the context it left.
    if (operation === "update") {
      args["where"] = andWhere(where, {
        ...(moves ? storedEquals(stale, row) : {}),
        ...contextEquals(model, row),
      });
    }
  }

  /** Decrypts `stale` values of `row` under `previous` and writes them (and their indexes) to `data` sealed under `next`. */
  async reseal(
    stale: readonly EncryptedField[],
    row: Loose,
    data: Loose,
    previous: KeyContext,
    next: KeyContext,
    id: unknown,
  ): Promise<void> {
    for (const field of stale) {
      const value = row[field.name];
      if (typeof value !== "string") continue;
      const plain = await this.cipher.decrypt(value, fieldRef(field, previous, id));
      data[field.name] = fitting(field, await this.cipher.encrypt(plain, fieldRef(field, next, id)), id);
      // A tenant-scoped index is keyed by the context too: it moves with the value.
      if (field.index) data[field.index.column] = field.index.blind.compute(plain, next);
    }
  }

  async updateMany(
    model: string,
    operation: string,
    args: Loose,
    query: Query,
    tx: TransactionInfo,
  ): Promise<unknown> {
    const plan = planWrite(this.schema, model, operation, args);
    const unit = plan.units[0];
    const m = this.schema.models.get(model) as ModelSchema;
    const returning = operation === "updateManyAndReturn";
    // Nothing to seal, but the plan may still clear index columns beside null values.
    if (!unit)
      return returning ? this.read(model, plan.args, query, [], tx?.kind !== "itx") : query(plan.args);
    return this.inTransaction(tx, query, model, operation, async (reader, exec, single) => {
      const where = (plan.args["where"] as Loose | undefined) ?? {};
      const stale = unit.setsContext ? staleFields(m, unit) : [];
      const select = movingRowSelect(m, stale);
      const rows = (await delegate(reader, model)["findMany"]?.({ where, select })) as Loose[];
      // One update per context; per row when the context changes and stored values must follow it.
      const batches = new Map<
        string,
        {
          where: Loose;
          rows: Loose[];
          context: KeyContext;
          previous: KeyContext;
          changes: boolean;
          moves: boolean;
        }
      >();
      for (const [index, row] of rows.entries()) {
        const id = rowId(m, row);
        const previous = m.contextOf(row, id);
        const context = m.contextOf({ ...row, ...unit.known }, id);
        const from = canonicalize(previous);
        const changes = from !== canonicalize(context);
        const moves = stale.length > 0 && changes;
        // Precondition: a row whose values move to another context is updated alone, by primary key.
        if (moves && m.primaryKey.length === 0) {
          throw new VaultError(
            "VAULT_UNSUPPORTED_QUERY",
            "moving rows without a primary key to another context",
            {
              model,
            },
          );
        }
        const key = moves ? `row:${index}` : `ctx:${from}`;
        // A moving row is also pinned to the stored values it re-seals, so a concurrent write is not undone.
        const pinned = moves ? { ...pkEquals(m, row), ...storedEquals(stale, row) } : {};
        const batch = batches.get(key) ?? {
          where: andWhere(where, { ...pinned, ...contextEquals(m, row) }),
          rows: [],
          context,
          previous,
          changes,
          moves,
        };
        batch.rows.push(row);
        batches.set(key, batch);
      }
      if (batches.size > 1 && args["limit"] !== undefined) {
        throw new VaultError("VAULT_UNSUPPORTED_QUERY", "updateMany with limit over several key contexts", {
          model,
        });
      }
      if (batches.size > 1 && !single) {
        throw new VaultError(
          "VAULT_UNSUPPORTED_QUERY",
          "updateMany over several key contexts inside a batch $transaction; use an interactive transaction",
          { model },
        );
      }
      let count = 0;
      const returned: unknown[] = [];
      // Rows that keep their context go first: a batch that moves rows into a context whose own batch
      // had not run yet would be matched by it again (counted and returned twice).
      const ordered = [...batches.values()].sort((a, b) => Number(a.changes) - Number(b.changes));
      for (const batch of ordered) {
        const part = planWrite(this.schema, model, operation, {
          ...plan.args,
          where: batch.where,
          data: args["data"],
        });
        const partUnit = part.units[0] as WriteUnit;
        await sealValues(
          this.cipher,
          partUnit.values,
          batch.context,
          batch.moves ? rowId(m, batch.rows[0] as Loose) : undefined,
        );
        if (batch.moves) {
          const row = batch.rows[0] as Loose;
          await this.reseal(stale, row, partUnit.data, batch.previous, batch.context, rowId(m, row));
        }
        const result = returning
          ? await this.read(model, part.args, exec, [], tx?.kind === "batch")
          : await exec(part.args);
        if (Array.isArray(result)) returned.push(...(result as unknown[]));
        else count += (result as { count: number }).count;
      }
      return returning ? returned : { count };
    });
  }

  /**
   * Runs `work` where its reads see what the write will see: inside the caller's interactive
   * transaction, in a new one when there is none, and before the batch for batch transactions (whose
   * writes then carry guards). `exec` sends the final write; `single` is false when only one may be sent.
   */
  async inTransaction<T>(
    tx: TransactionInfo,
    query: Query,
    model: string,
    operation: string,
    work: (reader: AnyClient, exec: Query, single: boolean) => Promise<T>,
  ): Promise<T> {
    if (tx?.kind === "batch") return work(this.client, query, false);
    if (tx?.kind === "itx") {
      const bound = itxClient(this.client, tx) as AnyClient | undefined;
      if (!bound) {
        throw new VaultError(
          "VAULT_UNSUPPORTED_QUERY",
          "cannot read the row's key context inside this transaction",
          { model },
        );
      }
      return work(bound, (args) => call(bound, model, operation, args), true);
    }
    // Our own transaction waits on key calls inside it (a data key for the new values, the old key
    // of values re-sealed when the row moves, the keys of the row it returns): three rounds of at
    // most timeoutMs each, on top of the 5 s Prisma's default allows for the queries themselves. So
    // key latency within timeoutMs fails an update as VAULT_KEY_PROVIDER or not at all, not as
    // P2028. (An updateMany makes a round per context it touches and may still outlast it.) maxWait,
    // the wait for a connection, is left to the client's own transactionOptions.
    const timeout = 5_000 + 3 * this.cipher.keys.timeoutMs;
    const client = this.client as unknown as {
      $transaction<T>(fn: (tx: AnyClient) => Promise<T>, options: { timeout: number }): Promise<T>;
    };
    return client.$transaction((own) => work(own, (args) => call(own, model, operation, args), true), {
      timeout,
    });
  }
}

/** The part of a result a fluent data path (`["select", "posts"]`) resolves to. */
function valueAt(result: unknown, dataPath: readonly string[]): unknown {
  let current = result;
  for (const relation of relationsOf(dataPath)) {
    current = current === null || current === undefined ? current : (current as Loose)[relation];
  }
  return current;
}

/** The encrypted fields an update does not write: their stored values must follow a moved row. */
function staleFields(model: ModelSchema, unit: WriteUnit): EncryptedField[] {
  return [...model.encrypted.values()].filter((field) => unit.data[field.name] === undefined);
}

/** What to read of a row that may move: its context, primary key and the values that follow it. */
function movingRowSelect(model: ModelSchema, stale: readonly EncryptedField[]): Loose {
  return Object.fromEntries(
    [...model.contextFields, ...model.primaryKey, ...stale.map((f) => f.name)].map((f) => [f, true]),
  );
}

function writesEveryEncryptedField(unit: WriteUnit): boolean {
  return [...unit.model.encrypted.keys()].every((name) => unit.data[name] !== undefined);
}

function call(client: AnyClient, model: string, operation: string, args: unknown): Promise<unknown> {
  const method = delegate(client, model)[operation];
  if (!method) throw new VaultError("VAULT_UNSUPPORTED_QUERY", `cannot run ${operation}`, { model });
  return method(args);
}

function delegate(client: AnyClient, model: string): Delegate {
  return client[modelProperty(model)] as Delegate;
}

function notFound(model: ModelSchema): VaultError {
  return new VaultError("VAULT_CONTEXT_MISSING", "no row matches the update, so its key context is unknown", {
    model: model.name,
  });
}

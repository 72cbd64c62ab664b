/**
 * The one internal interface through which `migrate/` (and later `objects/`) reaches a client extended
 * with `vault()`: the validated schema, the core (and its data-key cache) and the rows of each model
 * on the client underneath the extension, whose queries are not intercepted. It hangs off
 * `prisma.$vault` under a symbol, so it is not part of the client's typed surface.
 *
 * The symbol is global, so the handle of another copy of prisma-vault is found too (the CLI's, and a
 * config's loaded as CommonJS): that copy is driven through its own objects, by shape. It carries the
 * version that made it, and a handle of another version is refused instead of guessed at.
 */
import type { VaultCore } from "../core/vault-core.js";
import { VaultConfigError } from "../errors.js";
import { VERSION } from "../version.js";
import type { Row } from "../schema/options.js";
import type { VaultSchema } from "../schema/model-schema.js";
import { modelProperty } from "../schema/model-property.js";
import { redactError } from "./redact.js";

const HANDLE = Symbol.for("prisma-vault.handle");

/** What `vault()` attaches when `$extends` runs. */
export interface HandleParts {
  readonly schema: VaultSchema;
  readonly core: VaultCore;
  /** The Prisma client under the extension: reads return envelopes, writes store what they are given. */
  readonly client: unknown;
}

/** A model's queries on the client under the extension. */
export interface ModelRows {
  findMany(args: object): Promise<Row[]>;
  count(args: object): Promise<number>;
  /** A PrismaPromise: it runs when awaited or when passed to {@link VaultHandle.transaction}. */
  updateMany(args: object): PromiseLike<{ count: number }>;
}

export interface VaultHandle extends HandleParts {
  /** The datasource's provider (`"sqlite"`, `"postgresql"`, `"mysql"`), when the data model says. */
  readonly provider: string | undefined;
  /** `model`'s queries on the client under the extension; `VaultConfigError` if it has no delegate. */
  rows(model: string): ModelRows;
  /** Runs queries of {@link rows} in one batch transaction, in order; one failing rolls all back. */
  transaction(queries: readonly PromiseLike<unknown>[]): Promise<unknown[]>;
  /**
   * Runs one SQL query with bound `params` (`$queryRawUnsafe` on the client under the extension) and
   * returns its rows. The only raw SQL prisma-vault issues: what Prisma's `where` cannot say, such as
   * a shard's modulo (src/migrate/shard.ts builds it). Values go in `params`, never into `sql`.
   *
   * @example await handle.queryRaw('SELECT "id" FROM "User" WHERE "id" > ?', [7])
   */
  queryRaw(sql: string, params: readonly unknown[]): Promise<Row[]>;
  /**
   * Runs one SQL statement with bound `params` (`$executeRawUnsafe`): a PrismaPromise of the number
   * of rows it changed, which runs when awaited or passed to {@link transaction}. Migrations' batched
   * conditional updates (src/migrate/batch-update.ts) are its only use.
   */
  executeRaw(sql: string, params: readonly unknown[]): PromiseLike<number>;
  /**
   * `error` (Prisma's, a driver's) with `secrets` and envelope-like text cut from all it shows, as
   * the extension does before an error leaves it (redact.ts).
   */
  redact(error: unknown, secrets: readonly string[]): unknown;
}

/** Attaches `parts` to the `$vault` object of an extended client, with this copy's version. */
export function withHandle<T extends object>(api: T, parts: HandleParts): T {
  Object.defineProperty(api, HANDLE, { value: { ...parts, version: VERSION }, enumerable: false });
  return api;
}

/** True when `prisma` is a client extended with `vault()` by any copy of prisma-vault, of any version. */
export function hasHandle(prisma: unknown): boolean {
  return partsOf(prisma) !== undefined;
}

/**
 * The handle of a client extended with `vault()`; `VaultConfigError` for anything else.
 *
 * @example handleOf(prisma).schema.models.get("User")
 */
export function handleOf(prisma: unknown): VaultHandle {
  const parts = partsOf(prisma);
  if (!parts) throw new VaultConfigError("expected a Prisma client extended with vault()");
  // Precondition: the handle was made by this very version (its parts' shapes are this version's).
  if (parts.version !== VERSION) {
    const theirs = typeof parts.version === "string" ? parts.version : "an earlier version";
    throw new VaultConfigError(
      `the client was extended by prisma-vault ${theirs}, but this is prisma-vault ${VERSION}: install one version (npm ls prisma-vault shows them)`,
    );
  }
  const client = parts.client as Record<string, unknown> & {
    $transaction(queries: readonly PromiseLike<unknown>[]): Promise<unknown[]>;
    $queryRawUnsafe(sql: string, ...params: unknown[]): Promise<Row[]>;
    $executeRawUnsafe(sql: string, ...params: unknown[]): PromiseLike<number>;
  };
  return {
    ...parts,
    provider: parts.schema.provider,
    rows(model) {
      const rows = client[modelProperty(model)] as ModelRows | undefined;
      if (typeof rows?.findMany !== "function") {
        throw new VaultConfigError("the Prisma client has no delegate for this model", { model });
      }
      return rows;
    },
    transaction: (queries) => client.$transaction(queries),
    queryRaw: (sql, params) => client.$queryRawUnsafe(sql, ...params),
    executeRaw: (sql, params) => client.$executeRawUnsafe(sql, ...params),
    redact: redactError,
  };
}

function partsOf(prisma: unknown): (HandleParts & { readonly version?: unknown }) | undefined {
  const api = (prisma as { $vault?: Record<symbol, unknown> } | null | undefined)?.$vault;
  const parts = api?.[HANDLE];
  return typeof parts === "object" && parts !== null ? (parts as HandleParts) : undefined;
}

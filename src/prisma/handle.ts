/**
 * The one internal interface through which `migrate/` (and later `objects/`) reaches a client extended
 * with `vault()`: the validated schema, the cipher (and its data-key cache) and the rows of each model
 * on the client underneath the extension, whose queries are not intercepted. It hangs off
 * `prisma.$vault` under a symbol, so it is not part of the client's typed surface.
 */
import type { FieldCipher } from "../crypto/cipher.js";
import { VaultConfigError } from "../errors.js";
import type { Row } from "../schema/options.js";
import type { VaultSchema } from "../schema/model-schema.js";
import { modelProperty } from "./delegate.js";

const HANDLE = Symbol.for("prisma-vault.handle");

/** What `vault()` attaches when `$extends` runs. */
export interface HandleParts {
  readonly schema: VaultSchema;
  readonly cipher: FieldCipher;
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
  /** `model`'s queries on the client under the extension; `VaultConfigError` if it has no delegate. */
  rows(model: string): ModelRows;
  /** Runs queries of {@link rows} in one batch transaction, in order; one failing rolls all back. */
  transaction(queries: readonly PromiseLike<unknown>[]): Promise<unknown[]>;
}

/** Attaches `parts` to the `$vault` object of an extended client. */
export function withHandle<T extends object>(api: T, parts: HandleParts): T {
  Object.defineProperty(api, HANDLE, { value: parts, enumerable: false });
  return api;
}

/**
 * The handle of a client extended with `vault()`; `VaultConfigError` for anything else.
 *
 * @example handleOf(prisma).schema.models.get("User")
 */
export function handleOf(prisma: unknown): VaultHandle {
  const api = (prisma as { $vault?: Record<symbol, unknown> } | null | undefined)?.$vault;
  const parts = api?.[HANDLE] as HandleParts | undefined;
  if (!parts) throw new VaultConfigError("expected a Prisma client extended with vault()");
  const client = parts.client as Record<string, unknown> & {
    $transaction(queries: readonly PromiseLike<unknown>[]): Promise<unknown[]>;
  };
  return {
    ...parts,
    rows(model) {
      const rows = client[modelProperty(model)] as ModelRows | undefined;
      if (typeof rows?.findMany !== "function") {
        throw new VaultConfigError("the Prisma client has no delegate for this model", { model });
      }
      return rows;
    },
    transaction: (queries) => client.$transaction(queries),
  };
}

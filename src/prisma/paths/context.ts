/**
 * What every path of the extension works with: the parts built once when `$extends` runs (schema,
 * cipher, client, policy) and the facts of the intercepted call, each worked out once by the dispatcher.
 */
import type { FieldCipher } from "../../cipher.js";
import { unsupportedQuery } from "../../error-messages.js";
import { VaultUnsupportedQueryError } from "../../errors.js";
import type { ModelSchema, VaultSchema } from "../../schema/model-schema.js";
import type { TransactionInfo } from "../internals.js";
import { modelProperty } from "../plan/selection.js";
import type { DecryptErrorPolicy } from "../values.js";

/** Prisma's `query` of the hook, or our own call of a client's delegate: sends one operation's arguments. */
export type Query = (args: unknown) => Promise<unknown>;

/** A Prisma client (the one under the extension, or one bound to a transaction), loosely typed. */
export type AnyClient = Record<string, unknown> & {
  $transaction<T>(fn: (tx: AnyClient) => Promise<T>): Promise<T>;
};

/** The parts of the extension, built once per `$extends`. */
export interface VaultRuntime {
  readonly schema: VaultSchema;
  readonly cipher: FieldCipher;
  /** The client under the extension: its queries are not intercepted. */
  readonly client: AnyClient;
  readonly policy: DecryptErrorPolicy;
}

/** One intercepted operation on a model with encrypted data, and where it runs. */
export interface PathContext extends VaultRuntime {
  readonly model: string;
  readonly top: ModelSchema;
  readonly operation: string;
  /** Sends the operation as Prisma would, inside the caller's transaction if any. */
  readonly query: Query;
  readonly tx: TransactionInfo;
  /** The fluent-API path the result resolves to (`["select", "posts"]`); `[]` for ordinary queries. */
  readonly dataPath: readonly string[];
  /** A write sent as one statement outside an interactive transaction has committed when it returns. */
  readonly commits: boolean;
  /** Part of a batch `$transaction([...])`: our reads run before the batch, and only one write is sent. */
  readonly batch: boolean;
}

type Delegate = Record<string, ((args: unknown) => Promise<unknown>) | undefined>;

/** `client.user` for model `User`. */
export function delegate(client: AnyClient, model: string): Delegate {
  return client[modelProperty(model)] as Delegate;
}

/** Sends `operation` on `model` through `client`'s delegate. */
export function call(client: AnyClient, model: string, operation: string, args: unknown): Promise<unknown> {
  const method = delegate(client, model)[operation];
  if (!method) throw new VaultUnsupportedQueryError(unsupportedQuery.cannotRun(operation), { model });
  return method(args);
}

/**
 * A model's delegate on a Prisma client (`client.user` for `User`), loosely typed, and one operation
 * sent through it: how the extension's paths and the migration handle run their own queries.
 */
import { unsupportedQuery } from "../error-messages.js";
import { VaultUnsupportedQueryError } from "../errors.js";
import { modelProperty } from "../schema/model-property.js";

/** A Prisma client (the one under the extension, or one bound to a transaction), loosely typed. */
export type AnyClient = Record<string, unknown> & {
  $transaction<T>(fn: (tx: AnyClient) => Promise<T>): Promise<T>;
};

export type Delegate = Record<string, ((args: unknown) => Promise<unknown>) | undefined>;

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

/**
 * A model's delegate on a Prisma client (`client.user` for `User`), loosely typed, and one operation
 * sent through it: how the extension's paths and the migration handle run their own queries.
 */
import { unsupportedQuery } from "../error-messages.js";
import { VaultUnsupportedQueryError } from "../errors.js";

/** A Prisma client (the one under the extension, or one bound to a transaction), loosely typed. */
export type AnyClient = Record<string, unknown> & {
  $transaction<T>(fn: (tx: AnyClient) => Promise<T>): Promise<T>;
};

/** The model property name Prisma uses for a model (`User` -> `user`). */
export function modelProperty(model: string): string {
  return model.charAt(0).toLowerCase() + model.slice(1);
}

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

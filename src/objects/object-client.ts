/**
 * The Prisma client as the object store's I/O modules see it (store.ts, listing.ts, reseal.ts): the
 * two object models' delegates, reached by name, and `$transaction`. Types and lookups only.
 */
import { modelProperty } from "../schema/model-property.js";
import { OBJECT_MODEL, VERSION_MODEL } from "./models.js";

/** A model's delegate: `findMany`, `updateMany` and the rest, each taking Prisma's arguments. */
export type Rows = Record<string, (args: object) => Promise<unknown>>;

export interface ObjectClient {
  $transaction(queries: readonly PromiseLike<unknown>[]): Promise<unknown[]>;
  $transaction<T>(run: (tx: ObjectClient) => Promise<T>, options?: object): Promise<T>;
  [model: string]: unknown;
}

/** Runs a query with the store's error handling (a taken name is VAULT_CONFLICT; errors redacted). */
export type RunQuery = <T>(query: () => Promise<T>) => Promise<T>;

/** @example await objectRows(tx)["updateMany"]!({ where: { id }, data }) */
export function objectRows(client: ObjectClient): Rows {
  return client[modelProperty(OBJECT_MODEL)] as Rows;
}

/** @example await versionRows(client)["findMany"]!({ where: { objectId: id } }) */
export function versionRows(client: ObjectClient): Rows {
  return client[modelProperty(VERSION_MODEL)] as Rows;
}

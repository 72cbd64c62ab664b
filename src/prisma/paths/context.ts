/**
 * What every path of the extension works with: the parts built once when `$extends` runs (schema,
 * core, client, policy) and the facts of the intercepted call, each worked out once by the dispatcher.
 */
import type { AuditHook } from "../../keys/audit.js";
import type { VaultCore } from "../../core/vault-core.js";
import type { ModelSchema, VaultSchema } from "../../schema/model-schema.js";
import type { TransactionInfo } from "../../client/internals.js";
import type { AnyClient } from "../../client/delegate.js";
import type { DecryptErrorPolicy } from "../../core/decrypt-policy.js";

/** Prisma's `query` of the hook, or our own call of a client's delegate: sends one operation's arguments. */
export type Query = (args: unknown) => Promise<unknown>;

/** The parts of the extension, built once per `$extends`. */
export interface VaultRuntime {
  readonly schema: VaultSchema;
  readonly core: VaultCore;
  /** The client under the extension: its queries are not intercepted. */
  readonly client: AnyClient;
  readonly policy: DecryptErrorPolicy;
  /** `vault({ audit })`, made safe; undefined without one. */
  readonly audit: AuditHook | undefined;
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

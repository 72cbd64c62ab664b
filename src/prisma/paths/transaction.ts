/**
 * Where a write that must read first runs, so that its reads see what the write will see: inside the
 * caller's interactive transaction, in one of our own when there is none, and before the batch for a
 * batch `$transaction([...])` (whose writes then carry guards, as the rows may change in between).
 * On a database without interactive transactions (Cloudflare D1) the reads run before the write as for
 * a batch, and the write, one statement, carries the same guards.
 */
import { unsupportedQuery } from "../../error-messages.js";
import { VaultUnsupportedQueryError } from "../../errors.js";
import { valueAt } from "../data-path.js";
import { interactiveTransactions, itxClient } from "../../client/internals.js";
import { call, type AnyClient } from "../../client/delegate.js";
import type { ModelSchema } from "../../schema/model-schema.js";
import type { PathContext, Query } from "./context.js";

/** The reads and the write of one operation, bound to where they run. */
export interface Session {
  /** Reads the rows the write will see. */
  readonly reader: AnyClient;
  /** Sends the write; resolves to what the hook's query would (a fluent result unpacked). */
  readonly exec: Query;
  /**
   * The write has committed once `exec` returns: in a batch; in a transaction (the caller's or ours)
   * a failure after it rolls the write back.
   */
  readonly commits: boolean;
}

/** Runs `work` in the session of `path`'s transaction (see the module comment). */
export async function inTransaction<T>(
  path: PathContext,
  work: (session: Session) => Promise<T>,
): Promise<T> {
  const { client, model, operation, tx, dataPath } = path;
  if (path.batch) return work({ reader: client, exec: path.query, commits: true });
  // Prisma unpacks a fluent result only for the hook's own query; our client call returns the row.
  const on = (bound: AnyClient): Session => ({
    reader: bound,
    exec: async (args) => valueAt(await call(bound, model, operation, args), dataPath),
    commits: false,
  });
  // No transaction to open (D1): each write commits as it is sent.
  if (!interactiveTransactions(client)) return work({ ...on(client), commits: true });
  if (tx?.kind === "itx") {
    const bound = itxClient(client, tx) as AnyClient | undefined;
    if (!bound) {
      throw new VaultUnsupportedQueryError(unsupportedQuery.contextUnreadableInTransaction, { model });
    }
    return work(on(bound));
  }
  // Our own transaction waits on key calls inside it (a data key for the new values, the old key
  // of values re-sealed when the row moves, the keys of the row it returns): three rounds of at
  // most timeoutMs each, on top of the 5 s Prisma's default allows for the queries themselves. So
  // key latency within timeoutMs fails an update as VAULT_KEY_PROVIDER or not at all, not as
  // P2028. (An updateMany makes a round per context it touches and may still outlast it.) maxWait,
  // the wait for a connection, is left to the client's own transactionOptions.
  const timeout = 5_000 + 3 * path.core.timeoutMs;
  const own = client as unknown as {
    $transaction<R>(fn: (tx: AnyClient) => Promise<R>, options: { timeout: number }): Promise<R>;
  };
  // A synchronous SQLite driver (better-sqlite3) answers every query at once, so with the data key
  // cached a whole update resolves in microtasks, and an application's back-to-back updates are one
  // chain in which no timer or I/O runs: a migration beside it never gets its next turn, and a key
  // call's response (the migration's) is read only after its timeout fired (issue 22). One turn of
  // the event loop before each of our transactions, outside it (the connection's lock not held).
  const sqlite = path.schema.provider === "sqlite";
  if (sqlite) await new Promise((resolve) => setImmediate(resolve));
  // The transaction is ours, not the caller's: a write that plain Prisma sends as one statement. When
  // the database picks it as a deadlock's victim (P2034, seen on MariaDB beside a running migration)
  // it was rolled back whole, so it is run again, a few times, before the error reaches the caller.
  // SQLite's refusal of its write (see takeWriteLock) is answered once, at once, by a transaction that
  // takes the write lock first.
  let lockFirst = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await own.$transaction(
        async (bound) => {
          if (lockFirst) await takeWriteLock(bound, path.top);
          return work(on(bound));
        },
        { timeout },
      );
    } catch (error) {
      if (attempt >= OWN_TRANSACTION_ATTEMPTS) throw error;
      if (sqlite && !lockFirst && isSqliteBusy(error)) {
        lockFirst = true;
        continue;
      }
      if (!isWriteConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, attempt * 10 + Math.random() * 20));
    }
  }
}

/**
 * SQLite begins a transaction without a lock, and one that has read and then writes while another
 * connection holds the write lock (a migration's batch in another process, about to commit) fails at
 * once with SQLITE_BUSY (Prisma's P1008): waiting for the lock could deadlock, so SQLite's busy
 * timeout is not used. A write that changes nothing, sent first, takes the lock before the reads, or
 * waits for it within the busy timeout, as BEGIN IMMEDIATE would (Prisma's adapters send BEGIN). It
 * costs a statement, so only a transaction refused that way is sent again with it.
 */
function takeWriteLock(bound: AnyClient, model: ModelSchema): Promise<unknown> {
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const column = quote([...model.columns.values()][0] ?? "rowid");
  const raw = bound as unknown as { $executeRawUnsafe(sql: string): PromiseLike<number> };
  return Promise.resolve(
    raw.$executeRawUnsafe(`UPDATE ${quote(model.table)} SET ${column} = ${column} WHERE 0`),
  );
}

/** How many times a transaction prisma-vault opened is tried when it loses a write conflict. */
export const OWN_TRANSACTION_ATTEMPTS = 4;

/** SQLITE_BUSY, which Prisma's SQLite adapters report as P1008 ("Operations timed out"). */
function isSqliteBusy(error: unknown): boolean {
  const { code, meta } = (error ?? {}) as { code?: unknown; meta?: unknown };
  const cause = (meta as { driverAdapterError?: { cause?: { originalCode?: unknown } } } | undefined)
    ?.driverAdapterError?.cause;
  if (typeof cause?.originalCode === "string") return cause.originalCode.startsWith("SQLITE_BUSY");
  return code === "P1008";
}

/** Prisma's P2034: "Transaction failed due to a write conflict or a deadlock. Please retry". */
function isWriteConflict(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "P2034";
}

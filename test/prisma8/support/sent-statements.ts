/**
 * A middleware that records the SQL of every statement about to be sent. Its `beforeQuery` and
 * `beforeExecute` run only once every middleware's `beforeCompile` has passed, so a query that
 * vaultMiddleware refuses while rewriting it never appears here: "refused before anything is sent".
 */
import type { Prisma8Middleware } from "./prisma8-app.js";

/** The recorder and what it saw. */
export interface SentStatements {
  /** Put it in `before` of vaultRig (any position works: it only records). */
  readonly middleware: Prisma8Middleware;
  /** The SQL text of each statement sent since the last {@link SentStatements.clear}, in order. */
  readonly sql: readonly string[];
  /** Forgets what was recorded (call it after a test's setup). */
  clear(): void;
}

/**
 * A fresh recorder.
 *
 * @example
 * const sent = sentStatements();
 * const { db } = vaultRig(app(), { before: [sent.middleware] });
 * sent.clear(); await refusedQuery(); expect(sent.sql).toEqual([]);
 */
export function sentStatements(): SentStatements {
  const sql: string[] = [];
  const record = (plan: { readonly sql: string }): Promise<void> => {
    sql.push(plan.sql);
    return Promise.resolve();
  };
  return {
    middleware: { name: "sent-statements", familyId: "sql", beforeQuery: record, beforeExecute: record },
    sql,
    clear: () => void sql.splice(0),
  };
}

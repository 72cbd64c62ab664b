/**
 * A caching middleware of the kind Prisma 8's `interceptQuery` is made for: it keeps the raw rows of
 * each query it saw answered by the driver (a copy of each row as its own `onRow` sees it) and
 * answers the same query again from them, so the driver and every `onRow` are skipped. Placed before
 * vaultMiddleware it keeps rows still sealed; placed after, rows already opened.
 */
import type { Prisma8Middleware } from "./prisma8-app.js";

/** The cache and how often it answered. */
export interface RowCache {
  readonly middleware: Prisma8Middleware;
  /** How many queries it answered from its rows. */
  hits(): number;
}

/**
 * A fresh, empty cache.
 *
 * @example const cache = rowCache(); vaultRig(app(), { before: [cache.middleware] });
 */
export function rowCache(): RowCache {
  const stored = new Map<string, Record<string, unknown>[]>();
  const filling = new Map<string, Record<string, unknown>[]>();
  let hits = 0;
  const keyOf = (plan: { readonly sql: string; readonly params: readonly unknown[] }) =>
    `${plan.sql} ${JSON.stringify(plan.params, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))}`;
  const middleware: Prisma8Middleware = {
    name: "row-cache",
    familyId: "sql",
    interceptQuery(plan) {
      const rows = stored.get(keyOf(plan));
      if (rows === undefined) return Promise.resolve(undefined);
      hits++;
      return Promise.resolve({ rows: rows.map((row) => structuredClone(row)) });
    },
    onRow(row, plan) {
      const key = keyOf(plan);
      filling.set(key, [...(filling.get(key) ?? []), structuredClone(row)]);
      return Promise.resolve();
    },
    afterQuery(plan, result) {
      const key = keyOf(plan);
      const rows = filling.get(key) ?? [];
      filling.delete(key);
      if (result.source === "driver" && result.completed) stored.set(key, rows);
      return Promise.resolve();
    },
  };
  return { middleware, hits: () => hits };
}

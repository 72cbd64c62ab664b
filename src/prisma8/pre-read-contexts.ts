/**
 * The key contexts Prisma 8's own pre-reads pin. `update()` first reads the ids of the rows its `where`
 * matches, then sends `UPDATE … WHERE id = <literal>`: the tenant given in the `where` is gone by then.
 * So the pre-read's context (pinned by equality in its `where`) is remembered for each id it returns,
 * and the update that names that id takes it once. The update then adds the context to its own
 * `WHERE` (updates.ts), so a context remembered wrongly or moved meanwhile matches no row: a hint,
 * never trusted alone.
 */
import { LRUCache } from "lru-cache";
import type { Row } from "../schema/options.js";

/** How many pre-read rows are remembered until their update arrives (most arrive at once). */
const REMEMBERED = 10_000;

/** The context fields pre-reads pinned, by table and primary key; each taken once. */
export class PreReadContexts {
  readonly #contexts = new LRUCache<string, Row>({ max: REMEMBERED });

  /** Remembers that the row of `table` with primary key `key` was read with its context fields `pinned`. */
  remember(table: string, key: readonly unknown[], pinned: Row): void {
    this.#contexts.set(keyOf(table, key), pinned);
  }

  /** The context fields remembered for that row, forgotten as they are given. */
  take(table: string, key: readonly unknown[]): Row | undefined {
    const name = keyOf(table, key);
    const context = this.#contexts.get(name);
    this.#contexts.delete(name);
    return context;
  }
}

function keyOf(table: string, key: readonly unknown[]): string {
  return JSON.stringify([table, ...key.map((part) => (typeof part === "bigint" ? String(part) : part))]);
}

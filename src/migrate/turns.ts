/**
 * How the engine shares the event loop. A synchronous driver (better-sqlite3) answers every query at
 * once, so a migration's reads, seals and writes would all resolve in microtasks: no timer, signal or
 * I/O (a key call's response, an HTTP request to the same process) would run until a whole page was
 * done. The engine gives the loop a turn before each slice of a page it processes and before each
 * write, so a turn holds a bounded amount of work whatever the batch size.
 */
import type { ModelSchema } from "../schema/model-schema.js";
import type { Row } from "../schema/options.js";
import type { MigrationStep, RowOutcome } from "./step.js";

/** Encrypted values a step processes in one turn of the event loop, at most (a few ms of sealing). */
export const VALUES_PER_TURN = 300;

/**
 * Resolves in a later turn of the event loop, after its timers and I/O (a macrotask, where an awaited
 * promise would be a microtask and let nothing else run). Waiters resume one a turn, in order: pages
 * in flight together would otherwise all resume in the same turn (setImmediate runs every callback
 * queued before its phase), one after another with no I/O between them.
 *
 * @example await nextTurn();
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length === 1) setImmediate(resumeOne);
  });
}

const waiting: (() => void)[] = [];

function resumeOne(): void {
  waiting.shift()?.();
  // Called from setImmediate's phase, so the next waiter's callback runs in the next turn.
  if (waiting.length > 0) setImmediate(resumeOne);
}

/**
 * `step.process(rows)`, in slices of {@link rowsPerTurn} rows, each after a turn of the event loop.
 * Steps handle rows independently (key calls go through the cache, one per distinct context or blob
 * whatever the slicing), so the outcomes are those of one call, in order.
 *
 * @example const outcomes = await processInTurns(model, step, page);
 */
export async function processInTurns(
  model: Pick<ModelSchema, "encrypted">,
  step: Pick<MigrationStep, "process">,
  rows: readonly Row[],
): Promise<RowOutcome[]> {
  const size = rowsPerTurn(model);
  const outcomes: RowOutcome[] = [];
  for (let start = 0; start < rows.length; start += size) {
    await nextTurn();
    outcomes.push(...(await step.process(rows.slice(start, start + size))));
  }
  return outcomes;
}

/** Rows of `model` whose values make at most {@link VALUES_PER_TURN}, and at least one row. */
export function rowsPerTurn(model: Pick<ModelSchema, "encrypted">): number {
  return Math.max(1, Math.floor(VALUES_PER_TURN / Math.max(1, model.encrypted.size)));
}

/**
 * Waiting for what a test needs to have happened (a request held, a call stalled, a promise settled)
 * instead of sleeping for as long as that usually takes, which a loaded machine exceeds.
 */
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Resolves once `condition` holds, checked every few milliseconds; fails naming `what` when it has not
 * after `ms`. The conditions waited for take milliseconds: the bound is no timing assertion, only there
 * so that a condition never reached fails with its name before the test's own timeout (30 s) does.
 *
 * @example await until("org_a's request held", () => server.faults.held === 1);
 */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  ms = 20_000,
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`not reached in ${ms} ms: ${what}`);
    await sleep(5); // node:timers' own, which a test's fake clock (vi.useFakeTimers) leaves running
  }
}

/** A promise and whether it has settled yet, to look at without awaiting it. */
export interface Tracked<T> {
  readonly promise: Promise<T>;
  readonly settled: boolean;
}

/** `promise`, tracked: `settled` turns true once it resolves or rejects. */
export function tracked<T>(promise: Promise<T>): Tracked<T> {
  let settled = false;
  const settle = () => {
    settled = true;
  };
  void promise.then(settle, settle);
  return {
    promise,
    get settled() {
      return settled;
    },
  };
}

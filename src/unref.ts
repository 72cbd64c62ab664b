/**
 * Lets the process exit while `timer` is pending, where the runtime's timers can (Node.js, Bun, Deno).
 * On workerd a timer is a number, with nothing to unref.
 *
 * @example unref(setTimeout(giveUp, 10_000));
 */
export function unref(timer: unknown): void {
  (timer as { unref?: () => void } | undefined)?.unref?.();
}

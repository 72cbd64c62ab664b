/**
 * SIGINT and SIGTERM during `prisma-vault migrate`: the first aborts the run through its
 * AbortSignal, so the batches in flight commit, the checkpoint records them and the command prints
 * its summary; a second exits at once. Both leave a checkpoint that records committed batches only
 * (the engine writes it atomically after each commit), so `--resume` is safe either way.
 */

/** The exit codes of a run stopped by a signal: 128 + the signal's number, as shells report it. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

export interface SignalStop {
  /** The first signal received, if any. */
  readonly received: () => StopSignal | undefined;
  /** Removes the handlers (the process's default behaviour returns). */
  readonly dispose: () => void;
}

/**
 * Aborts `controller` on the first SIGINT or SIGTERM; on a second one calls `beforeExit` (to restore
 * the terminal) and exits at once with that signal's code.
 *
 * @example
 * const controller = new AbortController();
 * const stop = abortOnSignals(controller);
 * try { await migrate(prisma, { mode, signal: controller.signal }); } finally { stop.dispose(); }
 */
export function abortOnSignals(
  controller: AbortController,
  options: { readonly stream?: NodeJS.WritableStream; readonly beforeExit?: () => void } = {},
): SignalStop {
  const stream = options.stream ?? process.stderr;
  let first: StopSignal | undefined;
  const handlers = (Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]).map((signal) => {
    const handler = () => {
      if (first === undefined) {
        first = signal;
        stream.write(
          `prisma-vault: ${signal}: stopping once the batches in flight commit (a second signal exits at once)\n`,
        );
        controller.abort();
        return;
      }
      options.beforeExit?.();
      stream.write(`prisma-vault: ${signal}: exiting now; the checkpoint records the committed batches\n`);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return {
    received: () => first,
    dispose: () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}

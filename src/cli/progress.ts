/**
 * Progress of `prisma-vault migrate` on stderr: a bar per model (rows done of the total, rows/s,
 * ETA) when stderr is a terminal; otherwise plain lines, at most one per interval while a model
 * runs and one when it is done, so logs stay readable.
 */
import cliProgress from "cli-progress";
import type { MigrationProgress } from "../migrate/report.js";

export interface ProgressView {
  /** Shows `progress`; a plain function, so it can be passed as `onProgress`. */
  readonly update: (progress: MigrationProgress) => void;
  /** Ends the current model's display. */
  readonly done: () => void;
}

export interface ProgressViewOptions {
  /** Milliseconds on a monotonic clock; tests pass their own. Default `performance.now`. */
  readonly now?: () => number;
  /** Least time between two plain lines of one model, in ms. Default 2,000. */
  readonly intervalMs?: number;
}

interface ModelState {
  readonly model: string;
  readonly started: number;
  lastLine: number;
  last: MigrationProgress;
  bar?: cliProgress.SingleBar;
}

/**
 * A progress display on `stream`: bars on a terminal, lines elsewhere. Models run one after the
 * other, so a model's first progress ends the previous model's display.
 *
 * @example
 * const view = progressView();
 * await migrate(prisma, { mode: "encrypt", onProgress: view.update });
 * view.done();
 */
export function progressView(
  stream: NodeJS.WriteStream = process.stderr,
  options: ProgressViewOptions = {},
): ProgressView {
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? 2_000;
  let current: ModelState | undefined;
  const rate = (state: ModelState) => {
    const seconds = (now() - state.started) / 1000;
    return seconds > 0 ? Math.round(state.last.scanned / seconds) : 0;
  };
  const finish = () => {
    if (!current) return;
    const { model, started, last, bar } = current;
    if (bar) bar.stop();
    else {
      const seconds = ((now() - started) / 1000).toFixed(1);
      stream.write(
        `${model}: ${last.scanned} rows scanned, ${last.updated} updated${extra(last)} in ${seconds} s\n`,
      );
    }
    current = undefined;
  };
  return {
    update(progress) {
      if (current?.model !== progress.model) {
        finish();
        current = { model: progress.model, started: now(), lastLine: now(), last: progress };
        if (stream.isTTY) {
          current.bar = new cliProgress.SingleBar(
            {
              stream,
              format: "{model} [{bar}] {value}/{total} rows | {speed} rows/s | ETA {eta_formatted}",
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          current.bar.start(progress.total, 0, { model: progress.model, speed: 0 });
        }
      }
      current.last = progress;
      // Rows written while the migration runs can make the count outgrow the first estimate.
      const total = Math.max(progress.total, progress.scanned);
      if (current.bar) {
        current.bar.setTotal(total);
        current.bar.update(progress.scanned, { speed: rate(current) });
      } else if (now() - current.lastLine >= intervalMs) {
        current.lastLine = now();
        stream.write(
          `${progress.model}: ${progress.scanned}/${total} rows scanned, ${progress.updated} updated${extra(progress)}, ${rate(current)} rows/s\n`,
        );
      }
    },
    done: finish,
  };
}

/** Conflicts and failures, when there are any. */
function extra(progress: MigrationProgress): string {
  return [
    progress.conflicts > 0 ? `, ${progress.conflicts} conflicts` : "",
    progress.failed > 0 ? `, ${progress.failed} failed` : "",
  ].join("");
}

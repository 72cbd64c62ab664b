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
  // Ours, not cli-progress's: its estimate before the first rows reads "LLs" (the end of "NULL").
  const eta = (state: ModelState, total: number) => {
    const seconds = (now() - state.started) / 1000;
    const left = total - state.last.scanned;
    if (left <= 0) return "0s";
    return state.last.scanned > 0 && seconds > 0 ? duration((left * seconds) / state.last.scanned) : "–";
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
              format: "{model} [{bar}] {value}/{total} rows | {speed} rows/s | ETA {left}",
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          current.bar.start(progress.total, 0, { model: progress.model, speed: 0, left: "–" });
        }
      }
      current.last = progress;
      // Rows written while the migration runs can make the count outgrow the first estimate.
      const total = Math.max(progress.total, progress.scanned);
      if (current.bar) {
        current.bar.setTotal(total);
        current.bar.update(progress.scanned, { speed: rate(current), left: eta(current, total) });
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

/** Seconds as the bar shows a time left: "18s", "1m 39s", "1h 06m". */
function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Conflicts (rows) and failures (values), when there are any. */
function extra(progress: MigrationProgress): string {
  const values = progress.failed === 1 ? "value" : "values";
  return [
    progress.conflicts > 0 ? `, ${progress.conflicts} conflicts` : "",
    progress.failed > 0 ? `, ${progress.failed} ${values} failed` : "",
  ].join("");
}

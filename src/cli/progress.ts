/**
 * Progress of `prisma-vault migrate` on stderr: a bar per model (rows, rows/s, ETA) when stderr is
 * a terminal, otherwise one line per model when it is done, so logs stay readable.
 */
import cliProgress from "cli-progress";
import type { MigrationProgress } from "../migrate/report.js";

export interface ProgressView {
  /** Shows `progress`; a plain function, so it can be passed as `onProgress`. */
  readonly update: (progress: MigrationProgress) => void;
  /** Ends the current model's display. */
  readonly done: () => void;
}

/** A progress display on `stream`: bars on a terminal, lines elsewhere. */
export function progressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  let current:
    { model: string; started: number; last: MigrationProgress; bar?: cliProgress.SingleBar } | undefined;
  const rate = (scanned: number, started: number) => {
    const seconds = (performance.now() - started) / 1000;
    return seconds > 0 ? Math.round(scanned / seconds) : 0;
  };
  const finish = () => {
    if (!current) return;
    const { model, started, last, bar } = current;
    if (bar) bar.stop();
    else {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      stream.write(`${model}: ${last.scanned} rows scanned, ${last.updated} updated in ${seconds} s\n`);
    }
    current = undefined;
  };
  return {
    update(progress) {
      if (current?.model !== progress.model) {
        finish();
        current = { model: progress.model, started: performance.now(), last: progress };
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
      current.bar?.setTotal(Math.max(progress.total, progress.scanned));
      current.bar?.update(progress.scanned, { speed: rate(progress.scanned, current.started) });
    },
    done: finish,
  };
}

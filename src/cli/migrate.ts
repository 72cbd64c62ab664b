/**
 * `prisma-vault migrate <mode> --config <file>`: runs `migrate()` on the client the config file
 * exports, with a checkpoint by default, progress on stderr and the summary (or `--json`) on stdout.
 * Exit 0 done, 2 when the report needs attention, 130 / 143 when SIGINT / SIGTERM stopped it; an
 * error is thrown to main.ts (exit 1). Flags (by main.ts, exit 64) and the checkpoint are checked before
 * the config file is loaded, so a mistake there never opens a database connection.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { VaultConfigError } from "../errors.js";
import { migrate } from "../migrate/migrate.js";
import { validateMigrateOptions, type MigrateOptions } from "../migrate/options.js";
import { needsAttention } from "../migrate/report.js";
import { defaultCheckpointPath } from "./checkpoint-path.js";
import { loadClient } from "./config.js";
import { EXIT_CODES } from "./exit-codes.js";
import { commandLine, type MigrateCommand } from "./migrate-args.js";
import { progressView } from "./progress.js";
import { reportJson } from "./report-json.js";
import { SIGNAL_EXIT_CODES, abortOnSignals, type StopSignal } from "./signals.js";
import { summary } from "./summary.js";

/**
 * Runs a checked command line (main.ts parses it first, so that a bad flag is a usage error).
 *
 * @example process.exitCode = await migrateCommand(parseMigrateArgs(["encrypt", "--config", "c.ts"]) as MigrateCommand);
 */
export async function migrateCommand(command: MigrateCommand): Promise<number> {
  const checkpoint = command.dryRun ? undefined : (command.checkpoint ?? defaultCheckpointPath(command));
  const view = progressView();
  const controller = new AbortController();
  const options: MigrateOptions = {
    mode: command.mode,
    ...(command.models && { models: command.models }),
    ...(command.batchSize !== undefined && { batchSize: command.batchSize }),
    ...(command.concurrency !== undefined && { concurrency: command.concurrency }),
    ...(command.shard && { shard: command.shard }),
    ...(checkpoint !== undefined && { checkpoint: resolve(checkpoint), resume: command.resume }),
    dryRun: command.dryRun,
    signal: controller.signal,
    onProgress: view.update,
  };
  validateMigrateOptions(options);
  if (checkpoint !== undefined) {
    prepareCheckpoint(checkpoint, command.resume);
    process.stderr.write(`checkpoint: ${checkpoint}\n`);
  }
  // Installed before the config loads: a Ctrl-C while it connects must not kill the process mid-write.
  const stop = abortOnSignals(controller, { beforeExit: view.done });
  try {
    const prisma = await loadClient(command.config);
    try {
      if (controller.signal.aborted) return stopped(command, checkpoint, stop.received());
      const report = await migrate(prisma, options).catch((error: unknown) => {
        view.done();
        if (checkpoint !== undefined && existsSync(checkpoint)) {
          process.stderr.write(
            `prisma-vault: migrate ${command.mode} stopped on an error; ${checkpoint} records what committed; ` +
              `once the cause is fixed, continue with: ${commandLine(command, true)}\n`,
          );
        }
        throw error;
      });
      view.done();
      process.stdout.write(command.json ? reportJson(report) : summary(report));
      if (report.interrupted) return stopped(command, checkpoint, stop.received());
      return needsAttention(report) ? EXIT_CODES.attention : EXIT_CODES.done;
    } finally {
      view.done();
      await (prisma as { $disconnect?: () => Promise<void> }).$disconnect?.();
    }
  } finally {
    stop.dispose();
  }
}

/**
 * Precondition: a new run starts without a checkpoint and a resumed one has one, checked here so
 * the message names the flags and nothing is loaded; the engine checks that it matches the run.
 */
function prepareCheckpoint(file: string, resume: boolean): void {
  const exists = existsSync(file);
  if (resume && !exists) {
    throw new VaultConfigError(
      `--resume: there is no checkpoint at ${file} (a run that completed removes it; run without --resume to start anew)`,
    );
  }
  if (!resume && exists) {
    throw new VaultConfigError(
      `an unfinished run's checkpoint is at ${file}: add --resume to continue it, or delete the file to start anew`,
    );
  }
}

/**
 * The exit of a run a signal stopped, with the command that continues it: `--resume` when a
 * checkpoint exists (a batch committed, or the run was resumed), the same command again otherwise.
 */
function stopped(
  command: MigrateCommand,
  checkpoint: string | undefined,
  signal: StopSignal | undefined,
): number {
  const resumable = checkpoint !== undefined && existsSync(checkpoint);
  process.stderr.write(
    `prisma-vault: migrate ${command.mode} stopped before the end; to continue: ${commandLine(command, resumable)}\n`,
  );
  return SIGNAL_EXIT_CODES[signal ?? "SIGINT"];
}

/**
 * The text of `prisma-vault migrate --help`: every mode and flag on one line each, the default
 * checkpoint, the exit codes and what SIGINT / SIGTERM do. main.ts's top-level help points here.
 */
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONCURRENCY,
  MAX_BATCH_SIZE,
  MAX_CONCURRENCY,
  MAX_SHARDS,
} from "../migrate/options.js";
import { EXIT_CODES_TABLE } from "./exit-codes.js";

/**
 * @example process.stdout.write(MIGRATE_HELP);
 */
export const MIGRATE_HELP = `Usage: prisma-vault migrate <mode> --config <file> [options]

Migrates the rows already in your database, in primary-key batches, beside a running application.
The config file exports your Prisma client extended with vault() (default export or "prisma", or a
function returning one); a .ts config needs tsx installed.

Modes:
  encrypt     plaintext values become envelopes under their row's key context; blind indexes filled
  decrypt     envelopes become their plaintext again, byte for byte (leaving prisma-vault or a field)
  rekey       key blobs re-wrapped under the provider's current master key; ciphertext untouched
  rotate      values re-sealed under fresh data keys and the field's current associated data
  verify      every value decrypted and every blind index recomputed; nothing is written
  index       missing blind indexes filled

Options:
  --config <file>       the config file (required)
  --models A,B          only these models (default: every model the mode applies to)
  --batch-size <n>      rows per batch transaction, 1 to ${MAX_BATCH_SIZE} (default ${DEFAULT_BATCH_SIZE})
  --concurrency <n>     batches in flight at once, 1 to ${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})
  --shard <i>/<n>       only shard i of n, 0 <= i < n <= ${MAX_SHARDS}; run every i for all the rows
  --checkpoint <file>   where committed progress is recorded (default below)
  --resume              continue the unfinished run recorded in the checkpoint
  --dry-run             read and compute everything, write nothing (no checkpoint)
  --json                print the report as JSON on stdout instead of the summary table
  -h, --help            show this text

Checkpoint: by default .prisma-vault/migrate-<mode>[-<models>][-shard-<i>-of-<n>].json in the working
directory, printed on stderr at start. It is written after every committed batch and removed when the
run completes. A run refuses to start over an existing checkpoint unless given --resume.

Output: progress on stderr (a bar per model on a terminal, a line every few seconds otherwise); the
summary table (or --json) on stdout. Rows and values are counted apart (a row holds several values):
per model, scanned, updated and conflicts count rows; skipped, failed (failedTotal in --json),
plaintext and stale indexes (staleIndexes) count values.

${EXIT_CODES_TABLE}
Signals: SIGINT or SIGTERM stops the run once the batches in flight have committed, prints the summary
and the command that resumes it (the same one with --resume). A second signal exits at once with the
same code; the checkpoint on disk always records committed batches, so --resume is safe after that,
and after a kill -9 too.
`;

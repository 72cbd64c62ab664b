/**
 * The exit codes of every `prisma-vault` command, and the one table that explains them: the top-level
 * usage and `migrate --help` print it, docs/migrations.md quotes it (a test keeps them equal). 2 keeps
 * the meaning it had in 0.2 and 0.3, so scripts written against it still work; a usage error moved from
 * 2 (or 1) to 64, sysexits.h's EX_USAGE.
 */
import { SIGNAL_EXIT_CODES } from "./signals.js";

/**
 * What a `prisma-vault` process exits with.
 *
 * @example process.exitCode = report.failedTotal > 0 ? EXIT_CODES.attention : EXIT_CODES.done;
 */
export const EXIT_CODES = {
  /** The command did all it was asked. */
  done: 0,
  /** An error stopped it (a bad config, a key-provider outage). */
  error: 1,
  /** Done, but some values need attention (failed, or left plaintext, or with stale indexes). */
  attention: 2,
  /** The command line cannot run: an unknown command or option, a bad or missing option value. */
  usage: 64,
  ...SIGNAL_EXIT_CODES,
} as const;

/**
 * The exit codes as the usage texts print them.
 *
 * @example process.stdout.write(`${usage}\n${EXIT_CODES_TABLE}`);
 */
export const EXIT_CODES_TABLE = `Exit codes:
  0     done
  1     an error: a bad config, or one that stopped the run (a key-provider outage: once it is fixed,
        migrate --resume continues from the checkpoint)
  2     done, but some values need attention: migrate listed failed values (by model, field and id)
        or verify found plaintext values or stale blind indexes; reseal-objects listed versions that
        open neither way
  64    a usage error: an unknown command or option, a bad option value, a missing --config
  130   stopped by SIGINT (Ctrl-C); 143: stopped by SIGTERM (migrate: resumable)
`;

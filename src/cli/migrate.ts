/**
 * `prisma-vault migrate <mode> --config <file>`: runs `migrate()` on the client the config file
 * exports, with progress on stderr and a summary table on stdout. Exit code 0 when every value was
 * processed, 2 when some did not decrypt (they are listed), 1 on an error (thrown to main).
 */
import { parseArgs } from "node:util";
import { VaultConfigError } from "../errors.js";
import { migrate } from "../migrate/migrate.js";
import { MAX_BATCH_SIZE, validateMigrateOptions, type MigrateOptions } from "../migrate/options.js";
import { loadClient } from "./config.js";
import { progressView } from "./progress.js";
import { summary } from "./summary.js";

export async function migrateCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      config: { type: "string" },
      models: { type: "string" },
      "batch-size": { type: "string" },
      "dry-run": { type: "boolean", default: false },
    },
  });
  const [mode, ...extra] = positionals;
  if (mode === undefined) throw new VaultConfigError("migrate needs a mode, e.g. prisma-vault migrate index");
  if (extra.length > 0) throw new VaultConfigError(`unexpected argument "${extra[0]}"`);
  if (values.config === undefined) {
    throw new VaultConfigError(
      "migrate needs --config <file>, a module exporting your Prisma client extended with vault()",
    );
  }
  const batchSize = values["batch-size"];
  if (
    batchSize !== undefined &&
    (!/^\d+$/.test(batchSize) || Number(batchSize) < 1 || Number(batchSize) > MAX_BATCH_SIZE)
  ) {
    throw new VaultConfigError(`--batch-size must be an integer from 1 to ${MAX_BATCH_SIZE}`);
  }
  const view = progressView();
  const options = {
    mode: mode as MigrateOptions["mode"],
    ...(values.models !== undefined && { models: values.models.split(",").map((name) => name.trim()) }),
    ...(batchSize !== undefined && { batchSize: Number(batchSize) }),
    dryRun: values["dry-run"] ?? false,
    onProgress: view.update,
  };
  // Bad options are refused before the config file opens a database connection.
  validateMigrateOptions(options);
  const prisma = await loadClient(values.config);
  try {
    const report = await migrate(prisma, options);
    view.done();
    process.stdout.write(summary(report));
    return report.models.some((model) => model.failed.length > 0) ? 2 : 0;
  } finally {
    view.done();
    await (prisma as { $disconnect?: () => Promise<void> }).$disconnect?.();
  }
}

/**
 * `prisma-vault reseal-objects --config <file> [--json]`: runs `resealObjects()` on the Vault objects of
 * the client a config file exports (the same file as migrate's), the step after upgrading from 0.2.
 * Prints what it did; exit 0 when every version is bound, 2 when some open neither way (listed by
 * object and version id), 1 on error.
 */
import { parseArgs } from "node:util";
import { VaultConfigError } from "../errors.js";
import type { VaultObjects } from "../objects/store.js";
import { loadClient } from "./config.js";

export async function resealObjectsCommand(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { config: { type: "string" }, json: { type: "boolean", default: false } },
  });
  if (values.config === undefined) throw new VaultConfigError("reseal-objects needs --config <file>");
  const client = (await loadClient(values.config)) as {
    $vault: { readonly objects: VaultObjects };
    $disconnect?: () => Promise<void>;
  };
  try {
    // Throws VAULT_CONFIG, naming the option, when the client was made without vault({ objects: true }).
    const report = await client.$vault.objects.resealObjects();
    if (values.json === true) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      process.stdout.write(
        `Vault objects: ${report.scanned} versions read, ${report.resealed} resealed, ${report.failedTotal} failed\n`,
      );
      for (const { id, versionId } of report.failed)
        process.stdout.write(`  failed: ${id} ${versionId} (opens neither bound nor as a 0.2 value)\n`);
    }
    return report.failedTotal === 0 ? 0 : 2;
  } finally {
    await client.$disconnect?.();
  }
}

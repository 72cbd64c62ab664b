/**
 * `prisma-vault migrate encrypt --shard i/3` as three concurrent processes on one SQLite file: each
 * takes its own default checkpoint, reads only its part, and together they cover every row exactly
 * once (the parts' sizes add up to the table, no write conflicts, every row sealed once).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isEnvelope } from "../../src/format/envelope.js";
import type { MigrationReport } from "../../src/migrate/report.js";
import type { GeneratedVaultSchema } from "../../src/schema/datamodel.js";
import {
  copyDatabase,
  decryptedAccounts,
  plainAccount,
  startCli,
  storedAccounts,
  useCliRig,
} from "../support/migrate-cli.js";

const ROWS = 900;
const TENANTS = 5;

describe("prisma-vault migrate --shard", () => {
  const rig = useCliRig("shard", ROWS, TENANTS);

  it("0/3, 1/3 and 2/3 as three concurrent processes cover every row exactly once", async () => {
    const file = await copyDatabase(rig.db(), rig.dir(), "shared");
    const runs = [0, 1, 2].map((i) =>
      startCli(
        [
          "migrate",
          "encrypt",
          "--config",
          "vault.config.mjs",
          "--models",
          "Account",
          "--shard",
          `${i}/3`,
          "--batch-size",
          "50",
          "--json",
        ],
        { cwd: rig.dir(), database: file },
      ),
    );
    const exits = await Promise.all(runs.map((run) => run.exited));
    exits.forEach((exit, i) => expect(exit.code, runs[i]?.stderr()).toBe(0));
    runs.forEach((run, i) =>
      expect(run.stderr()).toContain(
        `checkpoint: .prisma-vault/migrate-encrypt-Account-shard-${i}-of-3.json\n`,
      ),
    );
    const reports = runs.map((run) => JSON.parse(run.stdout()) as MigrationReport);
    const models = reports.map((report) => report.models[0]!);
    expect(reports.map((report) => report.shard)).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
    // Each process read only its part: the parts add up to the table and none is empty or whole.
    expect(models.reduce((sum, model) => sum + model.scanned, 0)).toBe(ROWS);
    expect(models.reduce((sum, model) => sum + model.updated, 0)).toBe(ROWS);
    for (const model of models) {
      expect(model.scanned).toBeGreaterThan(ROWS / 6);
      expect(model.scanned).toBeLessThan(ROWS / 2);
      expect(model).toMatchObject({ conflicts: 0, failedTotal: 0 });
    }
    // Completed runs remove their checkpoints.
    expect(readdirSync(join(rig.dir(), ".prisma-vault"))).toEqual([]);

    const stored = await storedAccounts(file);
    expect(stored.every((row) => isEnvelope(row.email) && row.emailIndex !== null)).toBe(true);
    const { vaultSchema } = (await import("../generated/sqlite/vault/index.js")) as {
      vaultSchema: GeneratedVaultSchema;
    };
    const read = await decryptedAccounts(file, vaultSchema);
    expect(read.map((row) => row.email)).toEqual(
      Array.from({ length: ROWS }, (_, i) => plainAccount(i, TENANTS).email),
    );
  }, 90_000);
});

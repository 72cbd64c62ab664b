/**
 * What the migration volume suites start from: a fresh database of the target with the key server and
 * the real WorkOS SDK (test/support/key-server.ts), clients extended with vault() over the generator's
 * schema, and the volume's plaintext and encrypted states, each built once per suite and copied back
 * into Account for every test that starts from it (they run in order, but none relies on another).
 */
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { migrate } from "../../src/migrate/migrate.js";
import type { MigrateOptions } from "../../src/migrate/options.js";
import type { MigrationModelReport } from "../../src/migrate/report.js";
import { vault } from "../../src/prisma/extension.js";
import type { VaultOptions } from "../../src/prisma/options.js";
import { useTestDatabase } from "../support/databases.js";
import { useKeyServerRig } from "../support/key-server.js";
import { copyRows, seedAccounts, type Dialect, type StoredAccount } from "../support/volume.js";

/** How much a target migrates. */
export interface VolumeSizes {
  /** Plaintext rows of the volume tests. */
  readonly rows: number;
  /** Updates of the concurrent writer, and how many rows they go to (fewer: some get several). */
  readonly writes: number;
  readonly writtenRows: number;
  /** Rows of the tests that check a behaviour rather than a volume (renames, resumption). */
  readonly small: number;
  readonly batchSize: number;
}

const PLAIN = "volume_plain";
const SEALED = "volume_sealed";

/** Registers a volume suite's hooks (database, key server) and returns its helpers. */
export function useVolumeRig(target: Dialect, sizes: VolumeSizes) {
  const rig = useKeyServerRig();
  const { database, generated } = useTestDatabase(target);
  const indexSecret = randomBytes(32);
  let original: StoredAccount[] | undefined;
  let sealedKept = false;

  const extended = (options: Partial<VaultOptions> = {}, base = database().plain) =>
    base.$extends(vault({ keys: rig.provider, schema: generated(), indexSecret, ...options }));
  // The application beside a migration: on SQLite the same connection (better-sqlite3 would block
  // the thread on a second connection's lock), elsewhere a pool of its own.
  const application = (options: Partial<VaultOptions> = {}) =>
    extended(options, target === "sqlite" ? database().plain : database().client());
  const stored = async () =>
    (await database().plain.account.findMany({ orderBy: { id: "asc" } })) as StoredAccount[];
  const run = async (
    mode: MigrateOptions["mode"],
    prisma: object = extended(),
    options: Partial<MigrateOptions> = {},
  ): Promise<MigrationModelReport> => {
    const report = await migrate(prisma, {
      mode,
      models: ["Account"],
      batchSize: sizes.batchSize,
      ...options,
    });
    return report.models[0] as MigrationModelReport;
  };
  const expectVerifyClean = async (prisma: object = extended(), rows = sizes.rows) =>
    expect(await run("verify", prisma)).toMatchObject({
      scanned: rows,
      failedTotal: 0,
      plaintext: 0,
      staleIndexes: 0,
    });
  /** email, phone and handle of every row, decrypted through the extension (plaintext refused). */
  const readBack = async (prisma = extended()) =>
    (await prisma.account.findMany({ orderBy: { id: "asc" } })).map((r) => [r.email, r.phone, r.handle]);

  /** Account holds the volume's plaintext rows; returns them as first stored. */
  const plainState = async (): Promise<StoredAccount[]> => {
    const plain = database().plain;
    if (original) {
      await seedAccounts(plain, target, 0);
      await copyRows(plain, target, PLAIN, "Account");
      return original;
    }
    await seedAccounts(plain, target, sizes.rows);
    await copyRows(plain, target, "Account", PLAIN);
    original = await stored();
    return original;
  };
  /** Keeps what Account holds as the encrypted state (once a test has checked it). */
  const keepSealedState = async () => {
    await copyRows(database().plain, target, "Account", SEALED);
    sealedKept = true;
  };
  /** Account holds the volume's rows encrypted; returns their plaintext. */
  const sealedState = async (): Promise<StoredAccount[]> => {
    if (!sealedKept) {
      const before = await plainState();
      expect(await run("encrypt")).toMatchObject({ updated: sizes.rows, failedTotal: 0 });
      await keepSealedState();
      return before;
    }
    await seedAccounts(database().plain, target, 0);
    await copyRows(database().plain, target, SEALED, "Account");
    return original as StoredAccount[];
  };

  return {
    rig,
    database,
    generated,
    indexSecret,
    extended,
    application,
    stored,
    run,
    expectVerifyClean,
    readBack,
    plainState,
    sealedState,
    keepSealedState,
  };
}

/**
 * SQLite's write lock between an application and a migration in another process (issue 22): another
 * connection, in a worker thread, holds the lock as a migration's batch (or an application's update)
 * does until it commits. SQLite refuses at once (SQLITE_BUSY, Prisma's P1008) a transaction that read
 * and then writes while another connection holds the lock; one that takes the lock first waits for it.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { migrate } from "../../src/migrate/migrate.js";
import { vault } from "../../src/prisma/extension.js";
import { PrismaClient } from "../generated/sqlite/client/client.js";
import { useTestDatabase } from "../support/databases.js";
import { seedAccounts } from "../support/volume.js";

const { database, generated } = useTestDatabase("sqlite");
const keys = new LocalKeyProvider({ keys: [{ id: "test", key: LocalKeyProvider.generateKey() }] });
const indexSecret = Buffer.alloc(32, 9);
const driver = createRequire(import.meta.url).resolve("better-sqlite3");

/**
 * A connection in a worker thread holding SQLite's write lock (BEGIN IMMEDIATE) from `take()` until
 * it is told to commit, or, with `holdFor`, for that long (the main thread may then be blocked in
 * SQLite's busy wait, and cannot tell it).
 */
const LOCK_HOLDER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 0 });
db.exec("BEGIN IMMEDIATE");
parentPort.postMessage("locked");
const release = () => { db.exec("COMMIT"); db.close(); parentPort.postMessage("released"); };
if (workerData.holdFor !== undefined) setTimeout(release, workerData.holdFor);
else parentPort.once("message", release);
`;

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
});

/** Starts a lock holder; resolves once it holds the lock. */
async function lockHolder(holdFor?: number) {
  const path = database().url.replace(/^file:/, "");
  const worker = new Worker(LOCK_HOLDER, { eval: true, workerData: { driver, path, holdFor } });
  workers.push(worker);
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
  await next();
  const released = next();
  return {
    released,
    release: () => {
      worker.postMessage("release");
      return released;
    },
  };
}

/** A client of its own on the test database (its own connection, as another process has). */
function connection(busyTimeoutMs?: number): PrismaClient {
  const url = database().url;
  return new PrismaClient({
    adapter: new PrismaBetterSqlite3({ url, ...(busyTimeoutMs !== undefined && { timeout: busyTimeoutMs }) }),
  });
}

describe("SQLite's write lock beside a migration in another process", () => {
  it("an update that reads its row's tenant waits for another connection's write lock instead of failing with P1008", async () => {
    await seedAccounts(database().plain, "sqlite", 40);
    const base = connection(60_000);
    try {
      const app = base.$extends(vault({ keys, schema: generated(), indexSecret }));
      const [row] = await base.account.findMany({ take: 1, orderBy: { id: "asc" } });
      const id = row?.id as number;
      // The tenant's data key first, so that the update below sends only its queries.
      await app.account.update({ where: { id }, data: { handle: "warm" }, select: { id: true } });
      // Held well within the busy timeout: only an update that never waits for it can fail.
      const holder = await lockHolder(200);
      await expect(
        app.account.update({ where: { id }, data: { handle: "after the lock" }, select: { id: true } }),
      ).resolves.toEqual({ id });
      await holder.released;
      const after = await app.account.findUnique({ where: { id }, select: { handle: true } });
      expect(after?.handle).toBe("after the lock");
    } finally {
      await base.$disconnect();
    }
  });

  it("a migration whose batch SQLite's busy timeout refused sends it again once the lock is free", async () => {
    const rows = 300;
    await seedAccounts(database().plain, "sqlite", rows);
    // Busy timeout 0: the batch is refused as soon as it meets the lock.
    const base = connection(0);
    try {
      let refused = 0;
      let holder: Awaited<ReturnType<typeof lockHolder>> | undefined;
      const observed = base.$extends({
        query: {
          async $executeRawUnsafe({ args, query }) {
            try {
              return (await query(args)) as number;
            } catch (error) {
              refused++;
              // The lock is let go before the migration sees the refusal: its next try finds it free.
              await holder?.release();
              holder = undefined;
              throw error;
            }
          },
        },
      });
      const prisma = observed.$extends(vault({ keys, schema: generated(), indexSecret }));
      holder = await lockHolder();
      const report = await migrate(prisma, { mode: "encrypt", models: ["Account"], batchSize: rows });
      expect(refused).toBeGreaterThan(0);
      expect(report.models[0]).toMatchObject({ scanned: rows, updated: rows, failedTotal: 0 });
    } finally {
      await base.$disconnect();
    }
  });
});

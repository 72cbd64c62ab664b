/**
 * The event loop beside a migration on SQLite (issue 22). better-sqlite3 answers every query at once,
 * so a chain of awaited queries resolves in microtasks and no timer or I/O runs until it ends: a key
 * call's response, a signal, an HTTP request to a server in the same process. Neither an application's
 * updates through the extension nor a migration may form such a chain. Turns of the event loop and
 * requests answered are counted, never timed.
 */
import { createServer, get, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { migrate } from "../../src/migrate/migrate.js";
import { rowsPerTurn } from "../../src/migrate/turns.js";
import { vault } from "../../src/prisma/extension.js";
import { handleOf } from "../../src/client/handle.js";
import type { ModelSchema } from "../../src/schema/model-schema.js";
import { useTestDatabase } from "../support/databases.js";
import { seedAccounts, TENANTS } from "../support/volume.js";

const { database, generated } = useTestDatabase("sqlite");
const keys = new LocalKeyProvider({ keys: [{ id: "test", key: LocalKeyProvider.generateKey() }] });
const indexSecret = Buffer.alloc(32, 5);
/** Updates an application sends back to back: far more than the turns a request or a page needs. */
const UPDATES = 200;

const extended = () => database().plain.$extends(vault({ keys, schema: generated(), indexSecret }));

let server: Server;
let port: number;
beforeEach(async () => {
  server = createServer((_request, response) => response.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the event loop beside a migration on SQLite", () => {
  it("an application's back-to-back updates that read their context let an HTTP request in the same process be answered before they end", async () => {
    await seedAccounts(database().plain, "sqlite", TENANTS * 5);
    const app = extended();
    const ids = await tenantRows();
    // The tenant's data key is cached first: from then on nothing in an update waits for I/O.
    await updateHandle(app, ids[0] as number, -1);
    let done = 0;
    let answeredAfter: number | undefined;
    const answered = request(port).then(() => {
      answeredAfter = done;
    });
    for (let k = 0; k < UPDATES; k++) {
      await updateHandle(app, ids[k % ids.length] as number, k);
      done++;
    }
    await answered;
    expect(answeredAfter).toBeLessThan(UPDATES);
  });

  it("a migration beside an application's back-to-back updates commits pages before they end", async () => {
    const rows = 2_000;
    await seedAccounts(database().plain, "sqlite", rows);
    const app = extended();
    const ids = await tenantRows();
    await updateHandle(app, ids[0] as number, -1);
    let scanned = 0;
    const migration = migrate(extended(), {
      mode: "encrypt",
      models: ["Account"],
      batchSize: 100,
      onProgress: (progress) => {
        scanned = progress.scanned;
      },
    });
    for (let k = 0; k < UPDATES; k++) await updateHandle(app, ids[k % ids.length] as number, k);
    const scannedWhileUpdating = scanned;
    expect((await migration).models[0]).toMatchObject({ scanned: rows, failedTotal: 0 });
    expect(scannedWhileUpdating).toBeGreaterThanOrEqual(100);
  });

  it("a migration seals a page over several turns of the event loop and writes it in a turn of its own", async () => {
    const rows = 1_000;
    await seedAccounts(database().plain, "sqlite", rows);
    const prisma = extended();
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const report = await migrate(prisma, { mode: "encrypt", models: ["Account"], batchSize: rows });
    ticking = false;
    expect(report.models[0]).toMatchObject({ scanned: rows, updated: rows });
    const account = handleOf(prisma).schema.models.get("Account") as ModelSchema;
    // A turn before each slice of the page, and one before its write.
    expect(turns).toBeGreaterThanOrEqual(Math.ceil(rows / rowsPerTurn(account)) + 1);
  });
});

/** Ids of five rows of one tenant: the application's updates need one data key, cached once. */
async function tenantRows(): Promise<number[]> {
  const rows = await database().plain.account.findMany({
    where: { organizationId: "org_0" },
    select: { id: true },
    take: 5,
  });
  return rows.map((row) => row.id);
}

function updateHandle(app: ReturnType<typeof extended>, id: number, k: number): Promise<unknown> {
  // By id alone: prisma-vault reads the row's tenant first, in a transaction of its own.
  return app.account.update({ where: { id }, data: { handle: `h ${k}` }, select: { id: true } });
}

function request(to: number): Promise<void> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port: to, path: "/", agent: false }, (response) => {
      response.resume();
      response.on("end", resolve);
    }).on("error", reject);
  });
}

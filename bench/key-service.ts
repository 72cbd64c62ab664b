/**
 * What the key service costs (issue 13, item 5): prisma-vault through `WorkOSKeyProvider` and the real
 * `@workos-inc/node` SDK against our key server, with 1 ms and 20 ms of latency injected per request,
 * beside the naive pattern of calling `workos.vault.encrypt()` / `decrypt()` for every value. Counts
 * the key-service requests the server saw, and the time.
 *
 *   npx tsx bench/key-service.ts [--rows 1000] [--naive-rows 100]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { WorkOS } from "@workos-inc/node";
import { alignedTable } from "../src/cli/summary.js";
import { startKeyServer } from "../src/key-server/index.js";
import { LocalKeyProvider, vault } from "../src/index.js";
import { WorkOSKeyProvider } from "../src/workos.js";
import { PrismaClient } from "../test/generated/sqlite/client/client.js";
import { vaultSchema } from "../test/generated/sqlite/vault/index.js";
import { ms } from "./measure.js";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "1000" }, "naive-rows": { type: "string", default: "100" } },
});
const ROWS = Number(values.rows);
const NAIVE_ROWS = Number(values["naive-rows"]);
const TENANTS = 10;
const TOKEN = "sk_test_bench";

const local = new LocalKeyProvider({ keys: [{ id: "bench", key: LocalKeyProvider.generateKey() }] });
const server = await startKeyServer({ provider: local, token: TOKEN });
const workos = new WorkOS(TOKEN, { apiHostname: "127.0.0.1", port: server.port, https: false });
const dir = mkdtempSync(join(tmpdir(), "prisma-vault-bench-keys-"));
const url = `file:${join(dir, "bench.db")}`;
const base = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url }) });
const indexSecret = Buffer.alloc(32, 1);
/** A new extended client: its data-key cache starts empty, as in a new process. */
const coldClient = () =>
  base.$extends(vault({ keys: new WorkOSKeyProvider({ workos }), schema: vaultSchema, indexSecret }));

const row = (i: number) => ({
  organizationId: `org_${i % TENANTS}`,
  name: `n${i}`,
  email: `user${i}@example.com`,
  phone: `+1555${String(i).padStart(7, "0")}`,
  handle: `h${i}`,
});
const FIELDS = ["email", "phone", "handle"] as const;

async function timed(run: () => Promise<unknown>): Promise<{ ms: number; requests: number }> {
  const before = requests();
  const started = performance.now();
  await run();
  return { ms: performance.now() - started, requests: requests() - before };
}
function requests(): number {
  const stats = server.stats();
  return stats.dataKey + stats.decrypt;
}

try {
  await base.$executeRawUnsafe(`CREATE TABLE "Organization" ("id" TEXT PRIMARY KEY, "name" TEXT NOT NULL)`);
  await base.$executeRawUnsafe(
    `CREATE TABLE "Account" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "organizationId" TEXT NOT NULL,
      "name" TEXT, "email" TEXT NOT NULL, "emailIndex" TEXT UNIQUE, "phone" TEXT, "phoneIndex" TEXT,
      "handle" TEXT, "handleIndex" TEXT)`,
  );
  await base.organization.createMany({
    data: Array.from({ length: TENANTS }, (_, i) => ({ id: `org_${i}`, name: `org ${i}` })),
  });
  // Warm-up (JIT, Prisma's first queries), not counted.
  const warm = coldClient();
  await warm.account.createMany({ data: Array.from({ length: 200 }, (_, i) => row(i)) });
  await warm.account.findMany();
  const table = [["latency", "case", "rows", "values", "key requests", "time"]];
  for (const latency of [1, 20]) {
    server.faults.setLatency(latency);
    await base.$executeRawUnsafe(`DELETE FROM "Account"`);
    const rows = Array.from({ length: ROWS }, (_, i) => row(i));
    const add = (name: string, count: number, result: { ms: number; requests: number }) =>
      table.push([
        `${latency} ms`,
        name,
        String(count),
        String(count * 3),
        String(result.requests),
        ms(result.ms),
      ]);
    add(
      "prisma-vault createMany, cold cache",
      ROWS,
      await timed(() => coldClient().account.createMany({ data: rows })),
    );
    const reader = coldClient();
    add("prisma-vault findMany, cold cache", ROWS, await timed(() => reader.account.findMany()));
    add("prisma-vault findMany, warm cache", ROWS, await timed(() => reader.account.findMany()));
    const naive = rows.slice(0, NAIVE_ROWS);
    const sealed: string[][] = [];
    add(
      "naive: workos.vault.encrypt per value",
      NAIVE_ROWS,
      await timed(async () => {
        for (const r of naive) {
          const context = { organizationId: r.organizationId };
          sealed.push(await Promise.all(FIELDS.map((f) => workos.vault.encrypt(r[f], context))));
        }
      }),
    );
    add(
      "naive: workos.vault.decrypt per value",
      NAIVE_ROWS,
      await timed(async () => {
        for (const values of sealed) await Promise.all(values.map((v) => workos.vault.decrypt(v)));
      }),
    );
  }
  console.log(
    `key-service cost: WorkOSKeyProvider through the SDK to the key server, ${TENANTS} tenants, 3 fields a row (naive: ${NAIVE_ROWS} rows, each row's 3 calls at once)`,
  );
  for (const line of alignedTable(table)) console.log(line);
} finally {
  server.faults.reset();
  await base.$disconnect();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

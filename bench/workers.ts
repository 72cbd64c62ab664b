/**
 * `npm run bench:workers`: what prisma-vault costs in a Cloudflare Worker (issue 26), against the same
 * worker on plain Prisma, both in the same workerd (Miniflare, compat/runtimes) with a local D1 database.
 * The workers (bench/workers/) are bundled as the workerd leg bundles its own (test/runtimes/
 * worker-bundle.ts) from the packed package. Each request creates a user and reads the tenant's five
 * newest; prisma-vault seals two values and a blind index, and opens ten.
 *
 *   npm run bench:workers [-- --cold 7 --warm 200] [--smoke]
 *
 * - size: each worker's ES module, raw and gzipped, as Wrangler uploads it (unminified, and
 *   minified), and prisma-vault's share of it; the query compiler's Wasm module is the same in both.
 * - cold: a fresh Miniflare (a new workerd, an empty isolate) per round: its start-up, then its first
 *   request, median of `cold` rounds, plain and prisma-vault interleaved.
 * - warm: `warm` requests on one instance per side after a warm-up, interleaved, on a client kept
 *   across requests (`/kept`) and on one made per request (`/per-request`); median and p99.
 *
 * Times are taken in Node.js around `dispatchFetch`, so they include Miniflare's loopback hop, the same
 * on both sides: compare ratios. Needs `npm run setup:runtimes`.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { alignedTable } from "../src/cli/summary.js";
import { TABLES } from "../test/runtimes/scenario.js";
import { runtimesInstalled } from "../test/runtimes/runtime-app.js";
import {
  bundleWorker,
  loadMiniflare,
  makeWorkerApp,
  startWorker,
  type WorkerBundle,
  type WorkerInstance,
} from "../test/runtimes/worker-bundle.js";
import { packPackage } from "../test/support/packed-app.js";
import { ms, percentile } from "./measure.js";

const { values } = parseArgs({
  options: {
    cold: { type: "string", default: "7" },
    warm: { type: "string", default: "200" },
    smoke: { type: "boolean", default: false },
  },
});
const SMOKE = values.smoke === true;
const COLD_ROUNDS = SMOKE ? 1 : Number(values.cold);
const WARM_REQUESTS = SMOKE ? 5 : Number(values.warm);
const WARM_UP = SMOKE ? 1 : 20;
const SIDES = ["plain", "vault"] as const;
type Sides<T> = Record<(typeof SIDES)[number], T>;

if (!runtimesInstalled()) {
  console.error("bench:workers needs compat/runtimes: npm run setup:runtimes");
  process.exit(1);
}

const bindings = {
  MASTER_KEY: randomBytes(32).toString("base64"),
  INDEX_SECRET: randomBytes(32).toString("base64"),
};
const { supportedCompatibilityDate: date } = await loadMiniflare();
const tmp = await mkdtemp(join(tmpdir(), "prisma-vault-bench-workers-"));
try {
  const started = performance.now();
  const app = await makeWorkerApp(join(tmp, "app"), await packPackage(tmp), [
    new URL("workers/bench-request.ts", import.meta.url),
    new URL("workers/plain-worker.ts", import.meta.url),
    new URL("workers/vault-worker.ts", import.meta.url),
  ]);
  const bundles: Sides<WorkerBundle> = {
    plain: await bundleWorker(app, "plain-worker.ts"),
    vault: await bundleWorker(app, "vault-worker.ts"),
  };
  const minified: Sides<WorkerBundle> = {
    plain: await bundleWorker(app, "plain-worker.ts", { minify: true }),
    vault: await bundleWorker(app, "vault-worker.ts", { minify: true }),
  };
  console.log(
    `\nprisma-vault in a Worker: workerd (Miniflare), compatibility date ${date}, nodejs_compat, local D1; ` +
      `package packed and bundled in ${ms(performance.now() - started)}`,
  );
  printSizes(bundles, minified);

  const cold = { start: series(), first: series() };
  for (let round = 0; round < COLD_ROUNDS; round++) {
    for (const side of SIDES) {
      const begun = performance.now();
      const worker = await startWorker(bundles[side], date, bindings);
      cold.start[side].push(performance.now() - begun);
      try {
        await setUpDatabase(worker);
        cold.first[side].push(await timeRequest(worker, "/kept"));
      } finally {
        await worker.dispose();
      }
    }
  }

  const warm = { kept: series(), perRequest: series() };
  const workers: Sides<WorkerInstance> = {
    plain: await startWorker(bundles.plain, date, bindings),
    vault: await startWorker(bundles.vault, date, bindings),
  };
  try {
    for (const side of SIDES) await setUpDatabase(workers[side]);
    for (const [path, times] of [
      ["/kept", warm.kept],
      ["/per-request", warm.perRequest],
    ] as const) {
      for (let i = 0; i < WARM_UP + WARM_REQUESTS; i++) {
        for (const side of SIDES) {
          const time = await timeRequest(workers[side], path);
          if (i >= WARM_UP) times[side].push(time);
        }
      }
    }
  } finally {
    for (const side of SIDES) await workers[side].dispose();
  }

  const table = [["request", "plain", "prisma-vault", "ratio"]];
  const row = (label: string, times: Sides<number[]>, p = 50) => {
    const [plain, sealed] = [percentile(times.plain, p), percentile(times.vault, p)];
    table.push([label, ms(plain), ms(sealed), ratio(sealed / plain)]);
  };
  row(`cold: new Miniflare until ready (median of ${COLD_ROUNDS})`, cold.start);
  row(`cold: its first request, client made (median of ${COLD_ROUNDS})`, cold.first);
  row(`warm, client kept: median of ${WARM_REQUESTS}`, warm.kept);
  row(`warm, client kept: p99`, warm.kept, 99);
  row(`warm, client per request: median of ${WARM_REQUESTS}`, warm.perRequest);
  row(`warm, client per request: p99`, warm.perRequest, 99);
  console.log("");
  for (const line of alignedTable(table)) console.log(line);
  console.log(
    `each request: create 1 user + findMany 5; machine: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, node ${process.version}`,
  );
} finally {
  await rm(tmp, { recursive: true, force: true });
}

/** The scenario's tables and the bench's tenant, written from Node.js so no request pays for them. */
async function setUpDatabase(worker: WorkerInstance): Promise<void> {
  const db = await worker.getD1Database("DB");
  await db.exec(
    [...TABLES, `INSERT INTO "Organization" ("id", "name") VALUES ('org_bench', 'Bench')`].join("\n"),
  );
}

/** One request's time in ms; fails the bench if the worker did not answer with the emails it read. */
async function timeRequest(worker: WorkerInstance, path: string): Promise<number> {
  const begun = performance.now();
  const response = await worker.dispatchFetch(`http://worker.test${path}`);
  const body = await response.text();
  const time = performance.now() - begun;
  if (response.status !== 200 || !body.includes("@bench.test")) {
    throw new Error(`the worker answered ${response.status}: ${body}`);
  }
  return time;
}

function printSizes(bundles: Sides<WorkerBundle>, minified: Sides<WorkerBundle>): void {
  const share = (bundle: WorkerBundle) =>
    (bundle.packages["prisma-vault"] ?? 0) + (bundle.packages["lru-cache"] ?? 0);
  const table = [["worker module", "plain", "prisma-vault", "ratio", "prisma-vault's share"]];
  for (const [label, pair] of [
    ["unminified", bundles],
    ["minified", minified],
  ] as const) {
    table.push([
      `${label}, raw`,
      kb(pair.plain.bytes),
      kb(pair.vault.bytes),
      ratio(pair.vault.bytes / pair.plain.bytes),
      `${kb(share(pair.vault))} in the module`,
    ]);
    table.push([
      `${label}, gzip`,
      kb(pair.plain.gzipBytes),
      kb(pair.vault.gzipBytes),
      ratio(pair.vault.gzipBytes / pair.plain.gzipBytes),
      `${kb(pair.vault.gzipBytes - pair.plain.gzipBytes)} more gzipped`,
    ]);
  }
  const { wasmBytes, wasmGzipBytes } = bundles.vault;
  table.push([
    "query compiler .wasm (both)",
    kb(wasmBytes),
    kb(wasmBytes),
    "",
    `${kb(wasmGzipBytes)} gzipped`,
  ]);
  for (const line of alignedTable(table)) console.log(line);
  console.log(`node built-ins the prisma-vault worker imports: ${bundles.vault.builtIns.join(", ")}`);
  console.log(`the plain worker's: ${bundles.plain.builtIns.join(", ") || "none"}`);
}

function series(): Sides<number[]> {
  return { plain: [], vault: [] };
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}

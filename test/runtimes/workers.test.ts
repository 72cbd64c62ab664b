/**
 * Issue 26's workerd leg: prisma-vault in a Cloudflare Worker, as a user builds and deploys one. The
 * package packed, a workerd app made with its Prisma client and vaultSchema (makeWorkerApp), each worker
 * of test/runtimes bundled once with esbuild (the query compiler a CompiledWasm module), then run in
 * Miniflare's workerd with a local D1 database and nodejs_compat, on the newest compatibility date this
 * workerd supports and on 2025-09-01. The worker runs the runtime-neutral scenario (scenario.ts) and
 * answers with its report; WorkOSKeyProvider reaches the key server started here over workerd's fetch.
 *
 * Two workers: one makes its client per request (worker.ts), the other makes its client and vault() at
 * module scope (module-scope-worker.ts), where Workers forbid timers, random values and I/O.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRig, TEST_TOKEN, type KeyServerRig } from "../support/key-server.js";
import { packPackage } from "../support/packed-app.js";
import { runtimesInstalled } from "./runtime-app.js";
import type { ScenarioReport } from "./scenario.js";
import {
  bundleWorker,
  loadMiniflare,
  makeWorkerApp,
  startWorker,
  type WorkerBindings,
  type WorkerBundle,
} from "./worker-bundle.js";

const installed = runtimesInstalled();
/**
 * The newest compatibility date this workerd supports, and 2025-09-01: before node:fs and node:http are
 * there by default (2025-09-15), and with timers that are numbers, without unref().
 */
const DATES = installed ? [(await loadMiniflare()).supportedCompatibilityDate, "2025-09-01"] : [];

interface Outcome {
  readonly report: ScenarioReport;
  readonly dataKeys: number;
}

describe.skipIf(!installed)("prisma-vault in a Cloudflare Worker (workerd, D1)", () => {
  let tmp = "";
  let perRequest: WorkerBundle;
  let moduleScope: WorkerBundle;
  let rig: KeyServerRig;
  let bindings: WorkerBindings;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "prisma-vault-workers-"));
    const app = await makeWorkerApp(join(tmp, "app"), await packPackage(tmp));
    perRequest = await bundleWorker(app, "worker.ts");
    moduleScope = await bundleWorker(app, "module-scope-worker.ts");
    rig = await startRig({ token: TEST_TOKEN });
    bindings = {
      MASTER_KEY: randomBytes(32).toString("base64"),
      INDEX_SECRET: randomBytes(32).toString("base64"),
      KEY_SERVER_URL: rig.server.url,
      KEY_SERVER_TOKEN: TEST_TOKEN,
    };
  }, 300_000);

  afterAll(async () => {
    await rig?.close();
    if (tmp !== "") await rm(tmp, { recursive: true, force: true });
  });

  describe.each(DATES)("on compatibility date %s with nodejs_compat", (date) => {
    it("a worker making its client per request encrypts, reads, finds by blind index and refuses another tenant's ciphertext", async () => {
      expectScenarioPassed(await runScenarioIn(perRequest, date));
    }, 60_000);

    it("a worker making its client and vault() at module scope starts, and runs the same scenario", async () => {
      expectScenarioPassed(await runScenarioIn(moduleScope, date));
    }, 60_000);
  });

  /**
   * Starts `bundle` on `date` with a fresh D1 database; returns the scenario's report and the data keys
   * the key server here made for the worker.
   */
  async function runScenarioIn(bundle: WorkerBundle, date: string): Promise<Outcome> {
    const worker = await startWorker(bundle, date, bindings);
    try {
      const before = rig.server.stats().dataKey;
      const response = await worker.dispatchFetch("http://worker.test/");
      const body = await response.text();
      if (response.status !== 200) throw new Error(`the worker answered ${response.status}: ${body}`);
      return { report: JSON.parse(body) as ScenarioReport, dataKeys: rig.server.stats().dataKey - before };
    } finally {
      await worker.dispose();
    }
  }

  function expectScenarioPassed({ report, dataKeys }: Outcome): void {
    expect(report).toEqual({
      users: [
        { name: "Ann", organizationId: "org_acme", email: "ann@acme.test", ssn: "123-45-6789" },
        { name: "Bob", organizationId: "org_globex", email: "bob@globex.test", ssn: "987-65-4321" },
      ],
      stored: [
        { name: "Ann", ssnIsEnvelope: true, plaintextStored: false },
        { name: "Bob", ssnIsEnvelope: true, plaintextStored: false },
      ],
      included: { org_acme: ["ann@acme.test"], org_globex: ["bob@globex.test"] },
      login: "Ann",
      updated: { name: "Ann", ssn: "111-22-3333" },
      crossTenant: "VAULT_DECRYPT_FAILED",
      updatedMany: { count: 2, ssns: ["000-00-0000", "000-00-0000"] },
      workos: { read: "555-01-0001", envelope: true },
    });
    // WorkOSKeyProvider's data key came from this process, over workerd's fetch.
    expect(dataKeys).toBeGreaterThan(0);
  }
});

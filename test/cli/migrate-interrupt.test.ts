/**
 * `prisma-vault migrate encrypt` stopped mid-run as a real child process — SIGTERM, SIGINT, a second
 * signal while a batch waits on a slow key service, kill -9 — then continued with `--resume`: the
 * checkpoint survives, the exit code says how the run stopped, and the resumed run ends where an
 * uninterrupted one ends, scanning only what was left.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlindIndex } from "../../src/core/blind-index.js";
import { isEnvelope } from "../../src/format/envelope.js";
import { startKeyServer, type KeyServer } from "../../src/key-server/server.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import type { MigrationReport } from "../../src/migrate/report.js";
import type { GeneratedVaultSchema } from "../../src/schema/datamodel.js";
import {
  TOKEN,
  checkpointAdvanced,
  copyDatabase,
  decryptedAccounts,
  indexSecret,
  masterKey,
  plainAccount,
  runCli,
  runCliAsync,
  sqliteClient,
  startCli,
  storedAccounts,
  until,
  useCliRig,
} from "../support/migrate-cli.js";

const ROWS = 2_000;
const TENANTS = 5;
const CHECKPOINT = ".prisma-vault/migrate-encrypt-Account.json";
const encrypt = (...extra: string[]) => [
  "migrate",
  "encrypt",
  "--config",
  "vault.config.mjs",
  "--models",
  "Account",
  ...extra,
];
const index = {
  email: new BlindIndex(indexSecret, { model: "Account", field: "email", normalize: "email" }),
  handle: new BlindIndex(indexSecret, { model: "Account", field: "handle" }),
};

describe("prisma-vault migrate, stopped and resumed", () => {
  const rig = useCliRig("stop", ROWS, TENANTS);
  let schema: GeneratedVaultSchema;
  let copies = 0;

  beforeAll(async () => {
    ({ vaultSchema: schema } = await import("../generated/sqlite/vault/index.js"));
  });

  const copy = () => copyDatabase(rig.db(), rig.dir(), `copy-${copies++}`);
  const envelopes = async (file: string) =>
    (await storedAccounts(file)).filter((row) => isEnvelope(row.email)).length;

  /** Every account of `file` is encrypted, decrypts to its seed and has its blind indexes. */
  const expectEncrypted = async (file: string) => {
    const stored = await storedAccounts(file);
    expect(stored).toHaveLength(ROWS);
    expect(stored.every((row) => isEnvelope(row.email) && isEnvelope(row.handle))).toBe(true);
    const rows = await decryptedAccounts(file, schema);
    rows.forEach((row, i) => {
      const seed = plainAccount(i, TENANTS);
      expect({ email: row.email, phone: row.phone, handle: row.handle }).toEqual({
        email: seed.email,
        phone: seed.phone,
        handle: seed.handle,
      });
      expect(stored[i]!.emailIndex).toBe(index.email.compute(seed.email));
      expect(stored[i]!.handleIndex).toBe(index.handle.compute(seed.handle));
    });
  };

  it.each([
    ["SIGTERM", 143, false],
    ["SIGINT", 130, true],
  ] as const)(
    "%s mid-run exits %i after the batch in flight, leaves a checkpoint, and --resume completes",
    async (signal, code, json) => {
      const file = await copy();
      const flags = ["--batch-size", "1", "--concurrency", "1", ...(json ? ["--json"] : [])];
      const run = startCli(encrypt(...flags), { cwd: rig.dir(), database: file });
      await until("a committed batch", () => checkpointAdvanced(join(rig.dir(), CHECKPOINT), "Account"));
      run.child.kill(signal);
      const exit = await run.exited;

      expect(exit.code, run.stderr()).toBe(code);
      expect(run.stderr()).toContain(`prisma-vault: ${signal}: stopping once the batches in flight commit`);
      expect(run.stderr()).toContain(
        `prisma-vault: migrate encrypt stopped before the end; to continue: prisma-vault migrate encrypt ` +
          `--config vault.config.mjs --models Account ${flags.join(" ")} --resume\n`,
      );
      if (json) {
        const report = JSON.parse(run.stdout()) as MigrationReport;
        expect(report).toMatchObject({
          mode: "encrypt",
          interrupted: true,
          checkpoint: join(rig.dir(), CHECKPOINT),
        });
      } else {
        expect(run.stdout()).toMatch(/\ninterrupted after [\d.]+ s: \S+ records what committed\n$/);
      }
      expect(existsSync(join(rig.dir(), CHECKPOINT))).toBe(true);
      const done = await envelopes(file);
      expect(done).toBeGreaterThan(0);
      expect(done).toBeLessThan(ROWS);

      const resumed = runCli(encrypt("--batch-size", "500", "--resume", "--json"), {
        cwd: rig.dir(),
        database: file,
      });
      expect(resumed.stderr).not.toContain("prisma-vault: VAULT");
      expect(resumed.status, resumed.stderr).toBe(0);
      // Graceful: every committed batch is in the checkpoint, so nothing is scanned twice.
      const model = (JSON.parse(resumed.stdout) as MigrationReport).models[0]!;
      expect(model).toMatchObject({ scanned: ROWS - done, updated: ROWS - done, failedTotal: 0 });
      expect(existsSync(join(rig.dir(), CHECKPOINT))).toBe(false);
      await expectEncrypted(file);
    },
    60_000,
  );

  it("kill -9 mid-run, then --resume: an uninterrupted run's end state, scanning what was left", async () => {
    const [killed, whole] = [await copy(), await copy()];
    const flags = ["--batch-size", "10", "--concurrency", "2"];
    const uninterrupted = runCli(encrypt(...flags, "--checkpoint", "whole.json"), {
      cwd: rig.dir(),
      database: whole,
    });
    expect(uninterrupted.status, uninterrupted.stderr).toBe(0);

    const run = startCli(encrypt(...flags), { cwd: rig.dir(), database: killed });
    await until("a committed batch", () => checkpointAdvanced(join(rig.dir(), CHECKPOINT), "Account"));
    run.child.kill("SIGKILL");
    expect((await run.exited).signal).toBe("SIGKILL");
    const done = await envelopes(killed);
    expect(done).toBeLessThan(ROWS);

    const resumed = runCli(encrypt(...flags, "--resume", "--json"), { cwd: rig.dir(), database: killed });
    expect(resumed.status, resumed.stderr).toBe(0);
    const model = (JSON.parse(resumed.stdout) as MigrationReport).models[0]!;
    // What was left, plus at most the batches committed after the last checkpoint (one per slot).
    expect(model.scanned).toBeGreaterThanOrEqual(ROWS - done);
    expect(model.scanned).toBeLessThanOrEqual(ROWS - done + 10 * 2);
    expect(model.updated).toBe(ROWS - done);
    expect(existsSync(join(rig.dir(), CHECKPOINT))).toBe(false);

    await expectEncrypted(killed);
    const [a, b] = [await storedAccounts(killed), await storedAccounts(whole)];
    const indexes = (rows: typeof a) => rows.map((r) => [r.id, r.emailIndex, r.phoneIndex, r.handleIndex]);
    expect(indexes(a)).toEqual(indexes(b));
    expect(await decryptedAccounts(killed, schema)).toEqual(await decryptedAccounts(whole, schema));
  }, 90_000);

  describe("with a key service that answers slowly", () => {
    let server: KeyServer;
    beforeAll(async () => {
      const provider = new LocalKeyProvider({ keys: [{ id: "k1", key: masterKey }] });
      server = await startKeyServer({ provider, token: TOKEN });
    });
    afterAll(() => server?.close());

    it("a second signal exits at once, while the batch in flight still waits for its key", async () => {
      const file = await copy();
      // Under the provider timeout (10 s): the first signal alone would end the run once it is answered.
      server.faults.setLatency(8_000);
      const cli = {
        cwd: rig.dir(),
        database: file,
        env: { PRISMA_VAULT_TEST_KEY_PORT: String(server.port) },
      };
      const args = ["migrate", "encrypt", "--config", "workos.config.mjs", "--models", "Account"];
      const run = startCli(args, cli);
      await until("a data-key request", () => server.stats().dataKey > 0);
      run.child.kill("SIGTERM");
      await until("the first signal's notice", () => run.stderr().includes("stopping once"));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(run.child.exitCode).toBeNull();

      const second = Date.now();
      run.child.kill("SIGTERM");
      const exit = await run.exited;
      expect(exit.code, run.stderr()).toBe(143);
      expect(Date.now() - second).toBeLessThan(3_000);
      expect(run.stderr()).toContain(
        "prisma-vault: SIGTERM: exiting now; the checkpoint records the committed batches\n",
      );
      expect(existsSync(join(rig.dir(), CHECKPOINT))).toBe(true);
      expect(await envelopes(file)).toBe(0);

      server.faults.reset();
      const resumed = await runCliAsync([...args, "--resume", "--json"], cli);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect((JSON.parse(resumed.stdout) as MigrationReport).models[0]).toMatchObject({
        scanned: ROWS,
        updated: ROWS,
      });
      expect(await envelopes(file)).toBe(ROWS);
    }, 60_000);

    it("a key-service outage mid-run exits 1 with a resumable checkpoint; --resume finishes the job", async () => {
      const file = await copy();
      // Rows past the first thousand belong to a tenant the run meets late: its data key is the first
      // request after the outage begins (the others are cached by then).
      const late = sqliteClient(file);
      await late.organization.create({ data: { id: "org_late", name: "late" } });
      await late.account.updateMany({ where: { id: { gt: 1_000 } }, data: { organizationId: "org_late" } });
      await late.$disconnect();
      server.faults.setLatency(60_000, { context: { organizationId: "org_late" } });
      const cli = {
        cwd: rig.dir(),
        database: file,
        env: { PRISMA_VAULT_TEST_KEY_PORT: String(server.port), PRISMA_VAULT_TEST_TIMEOUT_MS: "1000" },
      };
      const args = ["migrate", "encrypt", "--config", "workos.config.mjs", "--models", "Account"];
      const failed = await runCliAsync([...args, "--batch-size", "100"], cli);
      expect(failed.status, failed.stderr).toBe(1);
      expect(failed.stderr).toMatch(/\nprisma-vault: VAULT_KEY_PROVIDER: /);
      expect(failed.stderr).toContain(
        `prisma-vault: migrate encrypt stopped on an error; ${CHECKPOINT} records what committed; once the cause ` +
          `is fixed, continue with: prisma-vault migrate encrypt --config workos.config.mjs --models Account ` +
          `--batch-size 100 --resume\n`,
      );
      expect(failed.stdout).toBe("");
      expect(existsSync(join(rig.dir(), CHECKPOINT))).toBe(true);
      const done = await envelopes(file);
      expect(done).toBeGreaterThanOrEqual(900);
      expect(done).toBeLessThanOrEqual(1_000);
      expect(failed.stderr).not.toContain("@example.com");

      server.faults.reset();
      const resumed = await runCliAsync([...args, "--batch-size", "100", "--resume", "--json"], cli);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect((JSON.parse(resumed.stdout) as MigrationReport).models[0]).toMatchObject({
        scanned: ROWS - done,
        updated: ROWS - done,
        failedTotal: 0,
      });
      expect(await envelopes(file)).toBe(ROWS);
      expect(existsSync(join(rig.dir(), CHECKPOINT))).toBe(false);
    }, 60_000);
  });
});

/**
 * Key calls are bounded in time and shared fairly between tenants, on every database target
 * (timeouts-*.test.ts): a key service that does not answer fails a query with VAULT_KEY_PROVIDER
 * within `timeoutMs` and writes nothing; one tenant whose key calls hang does not stall the others;
 * cold reads still share one key call; prisma-vault's own transactions outlast slow key calls. Keys
 * come from the real WorkOS SDK talking to our key server, whose fault plan delays its answers.
 *
 * The figures each test measures are printed (`[timeouts] …`) for the record.
 */
import { describe, expect, it } from "vitest";
import type { Target } from "../support/databases.js";
import { useExtensionRig } from "../support/extension-rig.js";
import { vaultFailure } from "../support/errors.js";
import { expectNoSecrets, registerSecrets } from "../support/secrets.js";
import { until } from "../support/until.js";

/** A key service that never answers, as far as any test can tell. */
const NEVER_MS = 120_000;
/**
 * How late a timed-out query may fail: timers, the database, a loaded machine. Nothing else would end
 * it this soon (the key server's latency is NEVER_MS, the SDK's own timeout 60 s), and a bound applied
 * twice would show: 10 s twice is past 10 s + SLACK_MS.
 */
const SLACK_MS = 5_000;
/** The longest timeoutMs there is: a call under it ends when its answer comes, which the test decides. */
const FOREVER_MS = 600_000;

registerSecrets("123-45-6789", "987-65-4321", "555-55-5555");

const ssnOf = (i: number) => `900-00-${String(i).padStart(4, "0")}`;

export function timeoutsSuite(target: Target): void {
  // The slowest cases (10 s, 8 s) run on SQLite only, to keep CI short; elsewhere they are not declared.
  const onSqliteOnly = (name: string, body: () => Promise<void>, timeout?: number) =>
    target === "sqlite" ? it(name, body, timeout) : undefined;
  const { rig, database, extended, orgs } = useExtensionRig(target);
  const record = (what: string, figure: number | string) =>
    console.info(
      `[timeouts] ${target}: ${what}: ${typeof figure === "number" ? Math.round(figure) : figure}`,
    );
  /** Runs `work`, returning what it settled with and how long it took. */
  const timed = async <T>(work: () => Promise<T>) => {
    const started = performance.now();
    const result = await work().then(
      (value) => ({ value, error: undefined }),
      (error: unknown) => ({ value: undefined, error }),
    );
    return { ...result, ms: performance.now() - started };
  };

  describe(`key calls are bounded in time and shared fairly on ${target}`, () => {
    it("options.timeoutMs is checked when vault() is called, naming the option and its range", async () => {
      for (const timeoutMs of [0, -1, 1.5, 600_001, Number.NaN, "10"]) {
        const error = await vaultFailure(
          Promise.resolve().then(() => extended({ timeoutMs: timeoutMs as number })),
        );
        expect(error.code).toBe("VAULT_CONFIG");
        expect(error.message).toBe(
          "options.timeoutMs must be a whole number of milliseconds from 1 to 600000",
        );
      }
    });

    it("3,000 concurrent cold reads of one tenant's rows make exactly 1 decryptDataKey call", async () => {
      await orgs("org_a");
      await extended().user.createMany({
        data: Array.from({ length: 3_000 }, (_, i) => ({
          organizationId: "org_a",
          email: `u${i}@a.io`,
          ssn: ssnOf(i),
        })),
      });
      const ids = (
        await database().plain.user.findMany({ select: { id: true }, orderBy: { id: "asc" } })
      ).map((row) => row.id);
      rig.server.resetStats();
      const reader = extended();
      const { value: results, ms } = await timed(() =>
        Promise.all(
          ids.map((id, i) =>
            i % 3 === 2
              ? reader.user.findMany({ where: { id } }).then((rows) => rows[0])
              : reader.user.findUnique({ where: { id } }),
          ),
        ),
      );
      expect(results?.map((user) => user?.ssn)).toEqual(ids.map((_, i) => ssnOf(i)));
      expect(rig.server.stats()).toMatchObject({ decrypt: 1, dataKey: 0 });
      expect(reader.$vault.stats().provider.decryptDataKey).toBe(1);
      record("3,000 cold reads (2,000 findUnique + 1,000 findMany), ms", ms);
      record("3,000 cold reads, decryptDataKey calls at the key server", rig.server.stats().decrypt);
    }, 60_000);

    it("with one tenant's key calls hung, another tenant's 100 reads and 100 writes complete", async () => {
      await orgs("org_a", "org_b");
      // One data key per value: org_a's 8 rows are 8 distinct key calls, enough to fill every slot.
      const perValue = extended({ cache: { maxUses: 1 } });
      for (let i = 0; i < 8; i++) {
        await perValue.user.create({ data: { organizationId: "org_a", email: `a${i}@a.io` } });
      }
      // org_b's 100 rows are under 10 data keys: its reads need key calls too.
      await extended({ cache: { maxUses: 20 } }).user.createMany({
        data: Array.from({ length: 100 }, (_, i) => ({
          organizationId: "org_b",
          email: `b${i}@b.io`,
          ssn: ssnOf(i),
        })),
      });
      const rows = await database().plain.user.findMany({ orderBy: { id: "asc" } });
      const aIds = rows.filter((row) => row.organizationId === "org_a").map((row) => row.id);
      const bIds = rows.filter((row) => row.organizationId === "org_b").map((row) => row.id);
      rig.server.resetStats();
      // org_a's key calls are answered when the test resets the faults, and not before: no time bound
      // ends them meanwhile. Were org_b's work stuck behind them, it would never finish, and the test
      // would time out, however fast or slow the machine.
      rig.server.faults.setLatency(NEVER_MS, { context: { organizationId: "org_a" } });
      const reader = extended({ timeoutMs: FOREVER_MS });

      let hungSettled = 0;
      const hung = aIds.map((id) => reader.user.findUnique({ where: { id } }).finally(() => hungSettled++));
      // Half of the 8 slots: org_a's other 4 calls wait for its own, not for everyone's.
      await until("org_a's first 4 key calls held by the key server", () => rig.server.faults.held === 4);

      const other = await timed(() =>
        Promise.all([
          ...bIds.map((id) => reader.user.findUnique({ where: { id } })),
          ...bIds.map((_, i) =>
            reader.user.create({ data: { organizationId: "org_b", email: `new${i}@b.io`, ssn: ssnOf(i) } }),
          ),
        ]),
      );
      expect(other.error).toBeUndefined();
      // org_b finished while every org_a call was still hung.
      expect(hungSettled).toBe(0);
      expect(rig.server.faults.held).toBe(4);
      const [reads, writes] = [other.value!.slice(0, 100), other.value!.slice(100)];
      expect(reads.map((user) => user?.ssn)).toEqual(bIds.map((_, i) => ssnOf(i)));
      expect(writes.map((user) => user?.ssn)).toEqual(bIds.map((_, i) => ssnOf(i)));
      expect(await database().plain.user.count({ where: { organizationId: "org_b" } })).toBe(200);
      // org_a's 4 hung calls, org_b's 10 keys and 1 new one: org_a's other 4 calls never went out.
      expect(rig.server.stats()).toMatchObject({ decrypt: 4 + 10, dataKey: 1 });
      record("org_b's 100 reads + 100 writes beside 8 hung org_a reads, ms", other.ms);

      // Once answered, org_a's 4 held calls free their slots for its other 4, and all 8 reads complete.
      rig.server.faults.reset();
      const late = await Promise.all(hung);
      expect(late.map((user) => user?.email)).toEqual(aIds.map((_, i) => `a${i}@a.io`));
      expect(rig.server.stats()).toMatchObject({ decrypt: 4 + 10 + 4, dataKey: 1 });
    }, 60_000);

    onSqliteOnly(
      "an update that reads its context first succeeds with 4 s key-service latency and the default timeoutMs (no P2028)",
      async () => {
        await orgs("org_a");
        const ann = await extended().user.create({
          data: { organizationId: "org_a", email: "ann@a.io", ssn: "123-45-6789" },
        });
        rig.server.faults.setLatency(4_000);
        rig.server.resetStats();
        const updated = await timed(() =>
          extended().user.update({ where: { id: ann.id }, data: { ssn: "987-65-4321" } }),
        );
        expect(updated.error).toBeUndefined();
        expect(updated.value).toMatchObject({ email: "ann@a.io", ssn: "987-65-4321" });
        // A new data key, then the old one for the email it returns: two key calls inside one transaction.
        expect(rig.server.stats()).toMatchObject({ dataKey: 1, decrypt: 1 });
        expect(updated.ms).toBeGreaterThan(8_000);
        rig.server.faults.reset();
        expect((await extended().user.findUnique({ where: { id: ann.id } }))?.ssn).toBe("987-65-4321");
        record("update with a context read under 4 s key latency, ms", updated.ms);
      },
      60_000,
    );

    // Last: a request the SDK cannot abort stays at the key server until the faults are reset.
    describe("a key service that never answers", () => {
      const expectTimedOut = (failed: { error: unknown; ms: number }, timeoutMs: number) => {
        expectNoSecrets(failed.error);
        expect(failed.error).toMatchObject({ code: "VAULT_KEY_PROVIDER" });
        expect((failed.error as Error).message).toContain(`timed out after ${timeoutMs} ms`);
        expect(failed.ms).toBeGreaterThanOrEqual(timeoutMs);
        expect(failed.ms).toBeLessThanOrEqual(timeoutMs + SLACK_MS);
      };

      it("fails a create with VAULT_KEY_PROVIDER within timeoutMs (500), and writes nothing", async () => {
        await orgs("org_a");
        rig.server.faults.setLatency(NEVER_MS);
        const prisma = extended({ timeoutMs: 500 });
        const failed = await timed(() =>
          prisma.user.create({ data: { organizationId: "org_a", email: "ann@a.io", ssn: "123-45-6789" } }),
        );
        expectTimedOut(failed, 500);
        expect(await database().raw("User")).toHaveLength(0);
        expect(rig.server.stats().dataKey).toBe(1);
        record("create under a silent key service, timeoutMs 500, failed after ms", failed.ms);
      });

      it("fails a read, and an update that reads its context first, within timeoutMs (500); the row is unchanged", async () => {
        await orgs("org_a");
        const ann = await extended().user.create({
          data: { organizationId: "org_a", email: "ann@a.io", ssn: "123-45-6789" },
        });
        const before = await database().raw("User");
        rig.server.faults.setLatency(NEVER_MS);
        const read = await timed(() =>
          extended({ timeoutMs: 500 }).user.findUnique({ where: { id: ann.id } }),
        );
        expectTimedOut(read, 500);
        const update = await timed(() =>
          extended({ timeoutMs: 500 }).user.update({ where: { id: ann.id }, data: { ssn: "987-65-4321" } }),
        );
        expectTimedOut(update, 500);
        expect(await database().raw("User")).toEqual(before);
        record("read under a silent key service, timeoutMs 500, failed after ms", read.ms);
        record(
          "update (own transaction) under a silent key service, timeoutMs 500, failed after ms",
          update.ms,
        );
      });

      onSqliteOnly(
        "fails a create within the default timeoutMs (10 s), and writes nothing",
        async () => {
          await orgs("org_a");
          rig.server.faults.setLatency(NEVER_MS);
          const failed = await timed(() =>
            extended().user.create({
              data: { organizationId: "org_a", email: "ann@a.io", ssn: "123-45-6789" },
            }),
          );
          expectTimedOut(failed, 10_000);
          expect(await database().raw("User")).toHaveLength(0);
          record("create under a silent key service, default timeoutMs, failed after ms", failed.ms);
        },
        30_000,
      );
    });
  });
}

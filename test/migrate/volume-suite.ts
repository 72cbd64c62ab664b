/**
 * Migrations at volume (issue 12, "Must show"), against every database target (volume-sqlite.test.ts at
 * full volume, volume-postgres.test.ts and volume-mariadb.test.ts small): thousands of plaintext
 * Account rows (3 encrypted fields, 3 blind indexes) over 20 tenants, written with the plain client and
 * migrated through a client extended with vault() whose keys come from the key server through the real
 * WorkOS SDK; what is stored is checked with the plain client, the SDK and `verify`. The plaintext and
 * the encrypted state are built once and copied back for each test that starts from them.
 * Interruption and resumption as a process: test/cli/migrate-interrupt.test.ts.
 */
import { describe, expect, it } from "vitest";
import { associatedData } from "../../src/context/key-context.js";
import { BlindIndex } from "../../src/core/blind-index.js";
import { FieldCipher } from "../../src/core/cipher.js";
import { isEnvelope } from "../../src/format/envelope.js";
import { DataKeyCache } from "../../src/keys/cache.js";
import type { MigrationModelReport } from "../../src/migrate/report.js";
import type { VaultOptions } from "../../src/prisma/options.js";
import {
  blobOf,
  concurrentWriter,
  plainAccount,
  seedAccounts,
  TENANTS,
  type PlainAccountRow,
  type StoredAccount,
  type WriterResult,
} from "../support/volume.js";
import { useVolumeRig, type VolumeSizes } from "./volume-rig.js";

const FIELDS = ["email", "phone", "handle"] as const;

/** Account as the test schema annotates it, but `email` keeps the binding it had before a rename. */
const RENAMED: VaultOptions["models"] = {
  Account: {
    context: ["organizationId"],
    fields: {
      email: { index: "emailIndex", normalize: "email", aadAs: "OldAccount.email" },
      phone: { index: "phoneIndex", normalize: "phone", scope: "tenant" },
      handle: { index: "handleIndex" },
    },
  },
};

export function volumeSuite(target: "sqlite" | "postgres" | "mariadb", sizes: VolumeSizes): void {
  const v = useVolumeRig(target, sizes);
  const N = sizes.rows;
  const S = sizes.small;

  describe(`migrations at volume on ${target} (${N} rows, ${TENANTS} tenants)`, () => {
    it("encrypt seals every value under its row's tenant, verify finds all sound, a rerun writes nothing", async () => {
      const before = await v.plainState();
      const client = v.extended();
      expect(await v.run("encrypt", client)).toMatchObject({
        scanned: N,
        updated: N,
        conflicts: 0,
        failedTotal: 0,
      });
      const after = await v.stored();
      const shape = (rows: StoredAccount[], value: (s: string) => unknown) =>
        rows.map((r) => [...FIELDS.map((f) => (r[f] === null ? null : value(r[f]))), r.emailIndex !== null]);
      expect(shape(after, isEnvelope)).toEqual(shape(before, () => true).map((r) => r.with(-1, true)));
      // The official SDK opens a sample through the key server with the documented associated data,
      // and refuses a value under another tenant's.
      for (const i of sample(N, TENANTS)) {
        const row = after[i] as StoredAccount;
        for (const field of FIELDS) {
          const value = row[field];
          if (value === null) continue;
          const aad = associatedData("Account", field, { organizationId: row.organizationId });
          expect(await rig().workos.vault.decrypt(value, aad)).toBe(before[i]?.[field]);
        }
        if (i % 4 !== 0) continue;
        const other = associatedData("Account", "email", { organizationId: `${row.organizationId}_x` });
        await expect(rig().workos.vault.decrypt(row.email, other)).rejects.toThrow();
      }
      const calls = client.$vault.stats().provider.createDataKey;
      expect(calls).toBeGreaterThan(0);
      expect(calls).toBeLessThanOrEqual(TENANTS);
      await v.expectVerifyClean();
      expect(await v.readBack()).toEqual(before.map(fieldsOf));
      await v.keepSealedState();
      expect(await v.run("encrypt")).toMatchObject({ scanned: N, updated: 0, conflicts: 0 });
    });

    for (const mode of ["encrypt", "rotate"] as const) {
      it(`while ${mode} runs, ${sizes.writes} concurrent updates through the extension all survive`, async () => {
        const before = mode === "encrypt" ? await v.plainState() : await v.sealedState();
        const sealed = await v.stored();
        const oldBlobs = new Set(mode === "rotate" ? sealed.flatMap(blobsOf) : []);
        rig().server.resetStats();
        let running = true;
        // During encrypt the application reads plaintext rows it has not yet seen sealed.
        const app = v.application(mode === "encrypt" ? { plaintext: "read" } : {});
        const migration = v.run(mode).finally(() => {
          running = false;
        });
        const writer = concurrentWriter(
          app,
          before.map((r) => r.id),
          { writes: sizes.writes, rows: sizes.writtenRows, running: () => running },
        );
        const [report, written] = await Promise.all([migration, writer]);
        console.info(`[volume ${target}] ${mode} beside writes: ${JSON.stringify(counts(report, written))}`);
        expect(written.overlapping).toBeGreaterThan(0);
        expect(report.scanned).toBe(N);
        // A row the writer changed on every retry is reported, not overwritten; a rerun takes it.
        expect(report.failed.every((f) => f.code === "MIGRATION_CONFLICT")).toBe(true);
        if (report.failedTotal > 0) await v.run(mode);
        const expected = before.map((r) => {
          const latest = written.latest.get(r.id);
          return latest ? [latest.email, r.phone, latest.handle] : fieldsOf(r);
        });
        expect(await v.readBack()).toEqual(expected);
        await v.expectVerifyClean();
        if (mode === "encrypt") return;
        // rotate: every value under a data key created meanwhile (by the run, or the writer's client),
        // indexes of the rows the writer left alone unchanged.
        const rotated = await v.stored();
        expect(rotated.flatMap(blobsOf).filter((blob) => oldBlobs.has(blob))).toEqual([]);
        const indexes = (rows: StoredAccount[]) =>
          rows
            .filter((r) => !written.latest.has(r.id))
            .map((r) => [r.emailIndex, r.phoneIndex, r.handleIndex]);
        expect(indexes(rotated)).toEqual(indexes(sealed));
        const runCalls = rig().server.stats().dataKey - app.$vault.stats().provider.createDataKey;
        expect(runCalls).toBeGreaterThan(0);
        expect(runCalls).toBeLessThanOrEqual(TENANTS);
      });
    }

    it("a field renamed with aadAs: rotate re-seals it under its own name, read afterwards without aadAs", async () => {
      const before = await seedRenamed();
      const renamed = v.extended({ models: RENAMED });
      expect(await v.run("encrypt", renamed)).toMatchObject({ updated: S, failedTotal: 0 });
      // Until the rotation a client without aadAs cannot open the emails (so this test can fail).
      expect(await v.run("verify")).toMatchObject({ scanned: S, failedTotal: S });
      expect(await v.run("rotate", renamed)).toMatchObject({ scanned: S, updated: S, failedTotal: 0 });
      expect(await v.readBack()).toEqual(before.map(fieldsOf));
      expect(await v.run("verify")).toMatchObject({ failedTotal: 0, plaintext: 0 });
    });

    // rotate moves the field's blind index to its own name too: once aadAs is dropped, lookups work.
    it("after that rotate, the renamed field's blind index answers lookups without aadAs", async () => {
      const before = await seedRenamed();
      const renamed = v.extended({ models: RENAMED });
      await v.run("encrypt", renamed);
      await v.run("rotate", renamed);
      expect(await v.run("verify")).toMatchObject({ failedTotal: 0, staleIndexes: 0 });
      const probe = before[Math.floor(S / 2)] as StoredAccount;
      expect(await v.extended().account.findFirst({ where: { email: probe.email } })).toMatchObject({
        id: probe.id,
      });
    });

    it("decrypt restores every original plaintext byte for byte, empty and non-ASCII strings included", async () => {
      const before = await v.sealedState();
      expect(before.some((r) => r.handle === "")).toBe(true);
      expect(before.some((r) => /[^\x20-\x7e]/.test(r.handle ?? ""))).toBe(true);
      const sealed = await v.stored();
      expect(await v.run("decrypt")).toMatchObject({ scanned: N, updated: N, failedTotal: 0 });
      const after = await v.stored();
      const utf8 = (r: StoredAccount) =>
        FIELDS.map((f) => (r[f] === null ? null : Buffer.from(r[f], "utf8").toString("hex")));
      expect(after.map(fieldsOf)).toEqual(before.map(fieldsOf));
      expect(after.map(utf8)).toEqual(before.map(utf8));
      // Indexes are left as they are (a later encrypt, or a rollback, keeps its lookups).
      const indexes = (r: StoredAccount) => [r.emailIndex, r.phoneIndex, r.handleIndex];
      expect(after.map(indexes)).toEqual(sealed.map(indexes));
      expect(await v.run("decrypt")).toMatchObject({ updated: 0 });
    });
  });

  /**
   * `small` plaintext rows whose emails are sealed as before a rename: by FieldCipher directly, with
   * the associated data of `OldAccount.email` and an index keyed by that name. Returns the plaintext.
   */
  async function seedRenamed(): Promise<StoredAccount[]> {
    const cipher = new FieldCipher(new DataKeyCache(rig().provider));
    const oldIndex = new BlindIndex(v.indexSecret, {
      model: "Account",
      field: "email",
      normalize: "email",
      keyName: "OldAccount.email",
    });
    const plain = Array.from({ length: S }, (_, i) => plainAccount(i));
    const emails = await cipher.sealAll(
      plain.map(({ email, organizationId }) => {
        const context = { organizationId };
        const aad = associatedData("OldAccount", "email", context);
        return { text: email, ref: { model: "Account", field: "email", context, aad } };
      }),
    );
    await seedAccounts(v.database().plain, target, S, {
      row: (i) => {
        const row = plain[i] as PlainAccountRow;
        return { ...row, email: emails[i] as string, emailIndex: oldIndex.compute(row.email) };
      },
    });
    return (await v.stored()).map((r, i) => ({ ...r, email: plain[i]?.email as string }));
  }

  function rig() {
    return v.rig;
  }
}

/** One row position per tenant, spread over `0 … rows - 1`. */
function sample(rows: number, count: number): number[] {
  const step = Math.floor(rows / count / TENANTS) * TENANTS;
  return Array.from({ length: count }, (_, k) => k * step + (k % TENANTS));
}

function fieldsOf(r: Pick<StoredAccount, "email" | "phone" | "handle">): (string | null)[] {
  return [r.email, r.phone, r.handle];
}

function counts(report: MigrationModelReport, written: WriterResult) {
  const { scanned, updated, skipped, conflicts, failedTotal, durationMs } = report;
  return {
    scanned,
    updated,
    skipped,
    conflicts,
    failedTotal,
    durationMs,
    overlapping: written.overlapping,
    rowsWritten: written.latest.size,
  };
}

function blobsOf(row: StoredAccount): string[] {
  return FIELDS.map((f) => row[f])
    .filter(isText)
    .map(blobOf);
}

function isText(value: string | null): value is string {
  return typeof value === "string";
}

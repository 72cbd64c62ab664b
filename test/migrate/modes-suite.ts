/**
 * The migration modes (encrypt, decrypt, rekey, rotate, verify) against every database target
 * (modes-sqlite.test.ts, modes-postgres.test.ts, modes-mariadb.test.ts): plaintext rows written with
 * the plain client, migrated through a client extended with vault(), checked with the plain client
 * (what is stored) and through the extension (what reads back).
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { associatedData } from "../../src/context/key-context.js";
import { BlindIndex } from "../../src/core/blind-index.js";
import { decodeEnvelope, isEnvelope } from "../../src/format/envelope.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { localMasterKeyId } from "../../src/format/local-blob.js";
import type { KeyProvider } from "../../src/keys/provider.js";
import { migrate } from "../../src/migrate/migrate.js";
import type { MigrateOptions } from "../../src/migrate/options.js";
import { vault } from "../../src/prisma/extension.js";
import type { VaultOptions } from "../../src/prisma/options.js";
import { useTestDatabase, type Target } from "../support/databases.js";
import { vaultFailure } from "../support/errors.js";
import { useKeyServerRig } from "../support/key-server.js";
import { registerSecrets } from "../support/secrets.js";
import { until } from "../support/until.js";

const indexSecret = randomBytes(32);
const emailIndex = new BlindIndex(indexSecret, { model: "Account", field: "email", normalize: "email" });

interface StoredAccount {
  id: number;
  organizationId: string;
  name: string | null;
  email: string;
  emailIndex: string | null;
  phone: string | null;
  phoneIndex: string | null;
  handle: string | null;
  handleIndex: string | null;
}

/** Plaintexts of this suite, non-ASCII and empty ones included. */
const EMAILS = ["ana@x.io", "björn@exämple.org", "李@例子.cn", "zoë+tag@x.io", "😀@emoji.io"];
const HANDLES = ["", "h ü ß", "tab\there", "'quote\"", "a".repeat(300)];
registerSecrets(...EMAILS.filter((e) => e !== ""), "h ü ß", "tab\there", "'quote\"", "+1 555 0199");

const key = () => randomBytes(32).toString("base64");

export function modesSuite(target: Target): void {
  const rig = useKeyServerRig();
  const { database, generated } = useTestDatabase(target);

  const extended = (options: Partial<VaultOptions> = {}) =>
    database().plain.$extends(vault({ keys: rig.provider, schema: generated(), indexSecret, ...options }));
  const stored = async () =>
    (await database().plain.account.findMany({ orderBy: { id: "asc" } })) as StoredAccount[];
  const run = (
    mode: MigrateOptions["mode"],
    options: Partial<MigrateOptions> = {},
    prisma: object = extended(),
  ) => migrate(prisma, { mode, models: ["Account"], batchSize: 7, ...options });

  /** `rows` plaintext accounts over `tenants` organizations, written with the plain client. */
  const seedPlain = async (rows: number, tenants = 3) => {
    const organizations = Array.from({ length: tenants }, (_, i) => `org_${i}`);
    await database().plain.organization.createMany({ data: organizations.map((id) => ({ id, name: id })) });
    await database().plain.account.createMany({
      data: Array.from({ length: rows }, (_, i) => ({
        organizationId: organizations[i % tenants] as string,
        name: `n${i}`,
        email: `${i}.${EMAILS[i % EMAILS.length]}`,
        phone: i % 4 === 0 ? null : "+1 555 0199",
        handle: HANDLES[i % HANDLES.length] as string,
      })),
    });
    return stored();
  };

  describe(`migrate modes on ${target}`, () => {
    it("encrypt seals every plaintext value under its row's tenant, fills indexes, and a rerun writes nothing", async () => {
      const before = await seedPlain(40);
      const report = await run("encrypt");
      expect(report.models[0]).toMatchObject({ scanned: 40, updated: 40, conflicts: 0, failedTotal: 0 });
      const after = await stored();
      for (const [i, row] of after.entries()) {
        const plain = before[i] as StoredAccount;
        expect(isEnvelope(row.email)).toBe(true);
        expect(row.phone === null).toBe(plain.phone === null);
        expect(row.emailIndex).toBe(emailIndex.compute(plain.email));
        // The official SDK opens it, through our key server, with the documented associated data.
        if (i < 3) {
          const aad = associatedData("Account", "email", { organizationId: row.organizationId });
          expect(await rig.workos.vault.decrypt(row.email, aad)).toBe(plain.email);
        }
      }
      const read = await extended().account.findMany({ orderBy: { id: "asc" } });
      expect(read.map((r) => [r.email, r.phone, r.handle])).toEqual(
        before.map((r) => [r.email, r.phone, r.handle]),
      );
      expect((await run("encrypt")).models[0]).toMatchObject({ updated: 0, skipped: 40 + 30 + 40 });
      expect((await run("verify")).models[0]).toMatchObject({
        failedTotal: 0,
        plaintext: 0,
        staleIndexes: 0,
      });
    });

    it("verify counts plaintext values and stale indexes, and changes nothing", async () => {
      await seedPlain(10);
      const plain = await run("verify");
      expect(plain.models[0]).toMatchObject({
        scanned: 10,
        updated: 0,
        plaintext: 10 + 7 + 10,
        failedTotal: 0,
      });
      await run("encrypt");
      const first = (await stored())[0] as StoredAccount;
      await database().plain.account.update({ where: { id: first.id }, data: { emailIndex: "stale" } });
      const snapshot = await stored();
      expect((await run("verify")).models[0]).toMatchObject({
        plaintext: 0,
        staleIndexes: 1,
        failedTotal: 0,
      });
      expect(await stored()).toEqual(snapshot);
    });

    it("decrypt restores the original plaintext byte for byte, and a rerun writes nothing", async () => {
      const before = await seedPlain(25);
      await run("encrypt");
      const report = await run("decrypt");
      expect(report.models[0]).toMatchObject({ updated: 25, failedTotal: 0 });
      const after = await stored();
      expect(after.map((r) => [r.email, r.phone, r.handle])).toEqual(
        before.map((r) => [r.email, r.phone, r.handle]),
      );
      expect((await run("decrypt")).models[0]).toMatchObject({ updated: 0 });
    });

    it("rotate re-seals every value under data keys created by the run, plaintext unchanged", async () => {
      const before = await seedPlain(20);
      await run("encrypt");
      const sealed = await stored();
      const oldBlobs = new Set(sealed.map((r) => blobOf(r.email)));
      const report = await run("rotate");
      expect(report.models[0]).toMatchObject({ updated: 20, failedTotal: 0 });
      const rotated = await stored();
      for (const [i, row] of rotated.entries()) {
        expect(row.email).not.toBe(sealed[i]?.email);
        expect(oldBlobs.has(blobOf(row.email))).toBe(false);
        expect(row.emailIndex).toBe(sealed[i]?.emailIndex);
      }
      const read = await extended().account.findMany({ orderBy: { id: "asc" } });
      expect(read.map((r) => [r.email, r.phone, r.handle])).toEqual(
        before.map((r) => [r.email, r.phone, r.handle]),
      );
    });

    it("rotate zeroes the data keys it created once it is done: its own cache is cleared", async () => {
      await seedPlain(12);
      await run("encrypt");
      const created: Uint8Array[] = [];
      const local = rig.provider;
      const recording: KeyProvider = {
        name: "recording",
        createDataKey: async (context) => {
          const key = await local.createDataKey(context);
          created.push(key.key);
          return key;
        },
        decryptDataKey: (blob) => local.decryptDataKey(blob),
      };
      const report = await run("rotate", {}, extended({ keys: recording }));
      expect(report.models[0]).toMatchObject({ updated: 12, failedTotal: 0 });
      // One data key per tenant, all zeroed; the rows read back with a fresh client.
      expect(created).toHaveLength(3);
      for (const key of created) expect(key.every((b) => b === 0)).toBe(true);
      const read = await extended().account.findMany();
      expect(read).toHaveLength(12);
    });

    it("rotate zeroes the data keys it created when the run stops on an error too", async () => {
      await seedPlain(12);
      await run("encrypt");
      const created: Uint8Array[] = [];
      const local = rig.provider;
      let calls = 0;
      const failing: KeyProvider = {
        name: "failing",
        createDataKey: async (context) => {
          // The third tenant's key fails; the two created before it must not outlive the run.
          if (++calls === 3) throw new Error("the key service is down");
          const key = await local.createDataKey(context);
          created.push(key.key);
          return key;
        },
        decryptDataKey: (blob) => local.decryptDataKey(blob),
      };
      const error = await vaultFailure(run("rotate", {}, extended({ keys: failing })));
      expect(error.code).toBe("VAULT_KEY_PROVIDER");
      // The other two may still be on their way when the run ends: zeroed when they arrive.
      const zeroed = () => created.length === 2 && created.every((key) => key.every((b) => b === 0));
      await until("the keys the stopped run created are zeroed", zeroed, 2_000);
    });

    it("a rotate stopped after its first batches resumes where it stopped: nothing re-sealed twice", async () => {
      const before = await seedPlain(40);
      await run("encrypt");
      const sealed = await stored();
      const checkpoint = join(tmpdir(), `prisma-vault-rotate-${randomBytes(6).toString("hex")}.json`);
      const controller = new AbortController();
      const first = await run("rotate", {
        batchSize: 10,
        concurrency: 1,
        checkpoint,
        signal: controller.signal,
        onProgress: (progress) => {
          if (progress.scanned > 0) controller.abort();
        },
      });
      expect(first.interrupted).toBe(true);
      const done = first.models[0]?.updated ?? 0;
      expect(done).toBeGreaterThan(0);
      expect(done).toBeLessThan(40);
      const halfway = await stored();
      const second = await run("rotate", { batchSize: 10, concurrency: 1, checkpoint, resume: true });
      // The resumed run takes only the rows left: the first run's re-sealed rows keep their values.
      expect(second.models[0]).toMatchObject({ scanned: 40 - done, updated: 40 - done, failedTotal: 0 });
      expect(existsSync(checkpoint)).toBe(false);
      const rotated = await stored();
      expect(rotated.slice(0, done).map((r) => r.email)).toEqual(halfway.slice(0, done).map((r) => r.email));
      const oldBlobs = new Set(sealed.map((r) => blobOf(r.email)));
      expect(rotated.every((r) => !oldBlobs.has(blobOf(r.email)))).toBe(true);
      const read = await extended().account.findMany({ orderBy: { id: "asc" } });
      expect(read.map((r) => r.email)).toEqual(before.map((r) => r.email));
    });

    it("rekey re-wraps every blob under the new master key with one call per blob; the old key can go", async () => {
      const old = { id: "old", key: key() };
      const fresh = { id: "new", key: key() };
      const before = await seedPlain(30);
      await run("encrypt", {}, extended({ keys: new LocalKeyProvider({ keys: [old] }) }));
      const sealed = await stored();
      const blobs = new Set(
        sealed
          .flatMap((r) => [r.email, r.phone, r.handle])
          .filter(isText)
          .map(blobOf),
      );
      const both = extended({ keys: new LocalKeyProvider({ keys: [fresh, old] }) });
      const report = await run("rekey", {}, both);
      expect(report.models[0]).toMatchObject({ updated: 30, failedTotal: 0 });
      const stats = both.$vault.stats();
      expect(stats.provider.rekey).toBeGreaterThan(0);
      expect(stats.provider.rekey).toBeLessThanOrEqual(blobs.size);
      const rekeyed = await stored();
      for (const [i, row] of rekeyed.entries()) {
        for (const field of ["email", "phone", "handle"] as const) {
          const value = row[field];
          if (value === null) continue;
          expect(localMasterKeyId(decodeEnvelope(value).encryptedKeys)).toBe("new");
          // The ciphertext is untouched: only the key blob changed.
          const was = decodeEnvelope(sealed[i]?.[field] as string);
          expect(Buffer.from(decodeEnvelope(value).ciphertext)).toEqual(Buffer.from(was.ciphertext));
        }
      }
      const onlyNew = extended({ keys: new LocalKeyProvider({ keys: [fresh] }) });
      const read = await onlyNew.account.findMany({ orderBy: { id: "asc" } });
      expect(read.map((r) => [r.email, r.phone, r.handle])).toEqual(
        before.map((r) => [r.email, r.phone, r.handle]),
      );
      const again = extended({ keys: new LocalKeyProvider({ keys: [fresh, old] }) });
      expect((await run("rekey", {}, again)).models[0]).toMatchObject({ updated: 0 });
      expect(again.$vault.stats().provider.rekey).toBe(0);
    });

    it("three shards run at once cover every row exactly once, each reading only its own", async () => {
      const before = await seedPlain(60);
      const reports = await Promise.all([0, 1, 2].map((i) => run("encrypt", { shard: [i, 3] }, extended())));
      const scanned = reports.map((r) => r.models[0]?.scanned ?? 0);
      expect(scanned.reduce((a, b) => a + b, 0)).toBe(60);
      expect(scanned.every((n) => n > 0 && n < 60)).toBe(true);
      expect(reports.map((r) => r.models[0]?.conflicts)).toEqual([0, 0, 0]);
      expect(reports.every((r) => r.shard !== undefined)).toBe(true);
      const read = await extended().account.findMany({ orderBy: { id: "asc" } });
      expect(read.map((r) => r.email)).toEqual(before.map((r) => r.email));
      expect((await stored()).every((r) => isEnvelope(r.email))).toBe(true);
    });

    it("corrupt rows are reported by id, field and code, and do not stop the run", async () => {
      const local = new LocalKeyProvider({ keys: [{ id: "k1", key: key() }] });
      const client = extended({ keys: local });
      await seedPlain(12);
      await run("encrypt", {}, client);
      const rows = await stored();
      const [a, b, c] = rows as [StoredAccount, StoredAccount, StoredAccount];
      const flipped = Buffer.from(a.email, "base64");
      flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1;
      const foreign = rows.find((r) => r.organizationId !== b.organizationId) as StoredAccount;
      const missingKey = await migrateOne(new LocalKeyProvider({ keys: [{ id: "gone", key: key() }] }), c);
      await database().plain.account.update({
        where: { id: a.id },
        data: { email: flipped.toString("base64") },
      });
      await database().plain.account.update({ where: { id: b.id }, data: { email: foreign.email } });
      await database().plain.account.update({ where: { id: c.id }, data: { email: missingKey } });
      const report = await run("verify", {}, client);
      expect(report.models[0]?.failed).toEqual(
        expect.arrayContaining([
          { id: a.id, field: "email", code: "VAULT_DECRYPT_FAILED" },
          { id: b.id, field: "email", code: "VAULT_DECRYPT_FAILED" },
          { id: c.id, field: "email", code: "VAULT_KEY_UNAVAILABLE" },
        ]),
      );
      expect(report.models[0]).toMatchObject({ scanned: 12, failedTotal: 3 });
      const rotated = await run("rotate", {}, client);
      // Rows a, b and c still have their other fields re-sealed; their emails are left as they are.
      expect(rotated.models[0]).toMatchObject({ updated: 12, failedTotal: 3 });
      expect((await stored()).find((r) => r.id === a.id)?.email).toBe(flipped.toString("base64"));
      expect(JSON.stringify(rotated)).not.toMatch(/@/);
    });

    it("a key-service outage stops the run with VAULT_KEY_PROVIDER; a rerun finishes the job", async () => {
      await seedPlain(30);
      rig.server.faults.failNext(1_000, 503);
      const error = await vaultFailure(run("encrypt", { batchSize: 10 }, extended({ timeoutMs: 2_000 })));
      expect(error.code).toBe("VAULT_KEY_PROVIDER");
      expect((await stored()).some((r) => isEnvelope(r.email))).toBe(false);
      rig.server.faults.reset();
      expect((await run("encrypt")).models[0]).toMatchObject({ updated: 30 });
    });
  });

  /** `row.email` sealed by `provider` in the row's tenant: an envelope under a key the client lacks. */
  async function migrateOne(provider: KeyProvider, row: StoredAccount): Promise<string> {
    const other = extended({ keys: provider });
    const probe = await other.account.create({
      data: { organizationId: row.organizationId, name: "probe", email: "probe@x.io" },
    });
    const sealed = (await database().plain.account.findUnique({ where: { id: probe.id } })) as StoredAccount;
    await database().plain.account.delete({ where: { id: probe.id } });
    return sealed.email;
  }
}

function blobOf(envelope: string): string {
  return Buffer.from(decodeEnvelope(envelope).encryptedKeys).toString("base64");
}

function isText(value: string | null): value is string {
  return typeof value === "string";
}

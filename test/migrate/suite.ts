/**
 * The blind-index backfill (`migrate(prisma, { mode: "index" })`), run against every database target
 * (sqlite.test.ts, postgres.test.ts, mariadb.test.ts). Keys come from the real @workos-inc/node SDK
 * talking to our key server. Rows are written through the extension, then their index columns are
 * emptied with the plain client: the state of a table whose indexes were declared after its data.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BlindIndex } from "../../src/core/blind-index.js";
import { isEnvelope } from "../../src/format/envelope.js";
import type { KeyProvider } from "../../src/keys/provider.js";
import { migrate } from "../../src/migrate/migrate.js";
import type { MigrateOptions } from "../../src/migrate/options.js";
import type { MigrationProgress } from "../../src/migrate/report.js";
import { vault } from "../../src/prisma/extension.js";
import type { VaultOptions } from "../../src/prisma/options.js";
import { useTestDatabase, type Target } from "../support/databases.js";
import { vaultFailure } from "../support/errors.js";
import { useKeyServerRig } from "../support/key-server.js";
import { registerSecrets } from "../support/secrets.js";

const indexSecret = randomBytes(32);

/** The indexes the backfill must produce, computed apart from the extension's schema. */
const expected = {
  email: new BlindIndex(indexSecret, { model: "Account", field: "email", normalize: "email" }),
  phone: new BlindIndex(indexSecret, {
    model: "Account",
    field: "phone",
    normalize: "phone",
    scope: "tenant",
  }),
  handle: new BlindIndex(indexSecret, { model: "Account", field: "handle" }),
};
const BASE64URL_32 = /^[A-Za-z0-9_-]{43}$/;

interface AccountSeed {
  readonly organizationId: string;
  readonly name: string;
  readonly email: string;
  readonly phone?: string | null;
  readonly handle?: string | null;
}

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

/** The plaintexts this suite writes: no error it provokes may show one (test/support/secrets.ts). */
registerSecrets(
  "+1 (555) 010-0000",
  "+1 555 0100",
  "+15550100000",
  "a1@x.io",
  "a2@x.io",
  "a@x.io",
  "b1@x.io",
  "b@x.io",
  "legacy",
  "legacy@x.io",
  "moved@x.io",
  "s@x.io",
);

export function migrateSuite(target: Target): void {
  const rig = useKeyServerRig();
  const { database, generated } = useTestDatabase(target);

  /** A fresh extended client: its own data-key cache, so the migration's decryptions reach the provider. */
  const extended = (options: Partial<VaultOptions> = {}) =>
    database().plain.$extends(vault({ keys: rig.provider, schema: generated(), indexSecret, ...options }));

  /** Writes `accounts` through the extension, then empties every index column. */
  const seed = async (accounts: readonly AccountSeed[]) => {
    const organizations = [...new Set(accounts.map((a) => a.organizationId))];
    await database().plain.organization.createMany({ data: organizations.map((id) => ({ id, name: id })) });
    await extended().account.createMany({ data: [...accounts] });
    await database().plain.account.updateMany({
      data: { emailIndex: null, phoneIndex: null, handleIndex: null },
    });
  };
  const stored = async () =>
    (await database().plain.account.findMany({ orderBy: { id: "asc" } })) as StoredAccount[];
  const byName = async () => new Map((await stored()).map((row) => [row.name, row]));
  const run = (options: Partial<MigrateOptions> = {}, prisma: object = extended()) =>
    migrate(prisma, { mode: "index", ...options });

  describe(`migrate index on ${target}`, () => {
    it("fills every missing index of 10,000 rows over several organizations", async () => {
      const accounts = Array.from({ length: 10_000 }, (_, i) => ({
        organizationId: `org_${i % 7}`,
        name: String(i),
        email: ` User${i}@Example.com `,
        phone: i % 3 === 0 ? null : `+1 (555) ${String(i).padStart(7, "0")}`,
        handle: `@user${i}`,
      }));
      await seed(accounts);
      expect((await stored()).every((row) => row.emailIndex === null)).toBe(true);
      const progress: MigrationProgress[] = [];

      const report = await run({ batchSize: 1000, onProgress: (p) => progress.push(p) });

      console.info(`${target}: backfilled 10,000 rows in ${report.durationMs} ms`);
      expect(report).toMatchObject({ mode: "index", dryRun: false });
      expect(report.models).toEqual([
        {
          model: "Account",
          scanned: 10_000,
          updated: 10_000,
          skipped: 0,
          conflicts: 0,
          failed: [],
          failedTotal: 0,
          durationMs: expect.any(Number) as number,
        },
      ]);
      expect(progress.map((p) => p.scanned)).toEqual([
        0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000,
      ]);
      expect(progress.every((p) => p.total === 10_000 && p.model === "Account")).toBe(true);
      const rows = await stored();
      expect(rows).toHaveLength(10_000);
      for (const row of rows) {
        const seeded = accounts[Number(row.name)] as AccountSeed;
        const context = { organizationId: row.organizationId };
        expect(isEnvelope(row.email)).toBe(true);
        expect(row.emailIndex).toBe(expected.email.compute(seeded.email));
        expect(row.emailIndex).toMatch(BASE64URL_32);
        expect(row.phoneIndex).toBe(seeded.phone ? expected.phone.compute(seeded.phone, context) : null);
        expect(row.handleIndex).toBe(expected.handle.compute(seeded.handle as string));
      }
      // A second run over the same 10,000 rows changes nothing.
      const again = await run({ batchSize: 1000 });
      expect(again.models[0]).toMatchObject({ scanned: 0, updated: 0, conflicts: 0, failed: [] });
      expect(await stored()).toEqual(rows);
    }, 120_000);

    it("a second run finds nothing to do", async () => {
      await seed([
        { organizationId: "org_a", name: "a", email: "a@x.io", phone: "+1 555 0100", handle: "a" },
        { organizationId: "org_b", name: "b", email: "b@x.io", phone: null, handle: null },
      ]);
      expect((await run()).models[0]).toMatchObject({ scanned: 2, updated: 2 });
      const after = await stored();
      expect((await run()).models[0]).toMatchObject({ scanned: 0, updated: 0, conflicts: 0, failed: [] });
      expect(await stored()).toEqual(after);
    });

    it("a dry run computes everything and writes nothing", async () => {
      await seed(
        Array.from({ length: 25 }, (_, i) => ({
          organizationId: "org_a",
          name: `n${i}`,
          email: `u${i}@x.io`,
        })),
      );
      const before = await stored();
      const report = await run({ dryRun: true, batchSize: 10 });
      expect(report.dryRun).toBe(true);
      expect(report.models[0]).toMatchObject({ scanned: 25, updated: 25, conflicts: 0, failed: [] });
      expect(await stored()).toEqual(before);
      expect((await run()).models[0]).toMatchObject({ updated: 25 });
    });

    it("a row changed between read and write is a conflict and keeps the other writer's value", async () => {
      await seed(
        ["a", "b", "c", "d"].map((name) => ({
          organizationId: "org_a",
          name,
          email: `${name}@x.io`,
          phone: "+1 555 0100",
        })),
      );
      const target = (await byName()).get("c") as StoredAccount;
      const application = extended();
      // The migration's first decryption waits for the application's write: after the read, before the write.
      let interleave: (() => Promise<unknown>) | undefined = () =>
        application.account.update({ where: { id: target.id }, data: { email: "moved@x.io" } });
      const keys: KeyProvider = {
        name: "interleaving",
        createDataKey: (context) => rig.provider.createDataKey(context),
        async decryptDataKey(blob) {
          const write = interleave;
          interleave = undefined;
          await write?.();
          return rig.provider.decryptDataKey(blob);
        },
      };

      const report = await run({}, extended({ keys }));

      expect(interleave).toBeUndefined();
      // The conflicted row is re-read and completed from its new value in the same run.
      expect(report.models[0]).toMatchObject({ scanned: 4, updated: 4, conflicts: 1, failed: [] });
      const row = (await byName()).get("c") as StoredAccount;
      expect(row.email).not.toBe(target.email);
      expect(await application.account.findUnique({ where: { id: target.id } })).toMatchObject({
        email: "moved@x.io",
      });
      // Not the index of the value the migration read: the writer's.
      expect(row.emailIndex).toBe(expected.email.compute("moved@x.io"));
      expect((await run()).models[0]).toMatchObject({ updated: 0, conflicts: 0 });
      const done = (await byName()).get("c") as StoredAccount;
      expect(done.emailIndex).toBe(expected.email.compute("moved@x.io"));
      expect(done.phoneIndex).toBe(expected.phone.compute("+15550100", { organizationId: "org_a" }));
    });

    it("a value that does not decrypt is reported by id and field, and the run goes on", async () => {
      await seed([
        { organizationId: "org_a", name: "a1", email: "a1@x.io", handle: "h1" },
        { organizationId: "org_a", name: "a2", email: "a2@x.io", handle: "h2" },
        { organizationId: "org_b", name: "b1", email: "b1@x.io", handle: "h3" },
      ]);
      const rows = await byName();
      const victim = rows.get("a2") as StoredAccount;
      const foreign = (rows.get("b1") as StoredAccount).email;
      // Another tenant's ciphertext copied into this row: its associated data names org_b.
      await database().plain.account.update({ where: { id: victim.id }, data: { email: foreign } });

      const report = await run({ batchSize: 1 });

      const model = report.models[0];
      expect(model).toMatchObject({ scanned: 3, updated: 3, conflicts: 0 });
      expect(model?.failed).toEqual([{ id: victim.id, field: "email", code: "VAULT_DECRYPT_FAILED" }]);
      const after = await byName();
      expect(after.get("a2")?.emailIndex).toBeNull();
      expect(after.get("a2")?.handleIndex).toBe(expected.handle.compute("h2"));
      expect(after.get("b1")?.emailIndex).toBe(expected.email.compute("b1@x.io"));
      expect(JSON.stringify(report)).not.toContain(foreign);
      expect(JSON.stringify(report)).not.toContain("b1@x.io");
    });

    it("plaintext values are skipped for the encrypt migration, never indexed", async () => {
      await seed([{ organizationId: "org_a", name: "sealed", email: "s@x.io" }]);
      await database().plain.account.create({
        data: { organizationId: "org_a", name: "plain", email: "legacy@x.io", handle: "legacy" },
      });

      const report = await run();

      expect(report.models[0]).toMatchObject({ scanned: 2, updated: 1, skipped: 2, failed: [] });
      const plain = (await byName()).get("plain") as StoredAccount;
      expect(plain).toMatchObject({ email: "legacy@x.io", emailIndex: null, handleIndex: null });
      expect(JSON.stringify(report)).not.toContain("legacy");
    });

    it("the tenant-scoped phone index differs across organizations for the same phone", async () => {
      await seed([
        { organizationId: "org_a", name: "a", email: "a@x.io", phone: "+1 (555) 010-0000" },
        { organizationId: "org_a", name: "a2", email: "a2@x.io", phone: "+15550100000" },
        { organizationId: "org_b", name: "b", email: "b@x.io", phone: "+1 (555) 010-0000" },
      ]);
      await run();
      const rows = await byName();
      const [a, a2, b] = ["a", "a2", "b"].map((name) => rows.get(name)?.phoneIndex);
      expect(a).toBe(expected.phone.compute("+15550100000", { organizationId: "org_a" }));
      expect(a2).toBe(a);
      expect(b).toBe(expected.phone.compute("+15550100000", { organizationId: "org_b" }));
      expect(b).not.toBe(a);
    });

    it("the key provider failing aborts the run with VAULT_KEY_PROVIDER and writes nothing", async () => {
      await seed([{ organizationId: "org_a", name: "a", email: "a@x.io" }]);
      // Unreachable, as opposed to refusing a blob (which is the value's failure, not the provider's).
      const keys: KeyProvider = {
        name: "unreachable",
        createDataKey: (context) => rig.provider.createDataKey(context),
        decryptDataKey: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:1")),
      };
      const error = await vaultFailure(run({}, extended({ keys })));
      expect(error.code).toBe("VAULT_KEY_PROVIDER");
      expect((await stored())[0]?.emailIndex).toBeNull();
    });

    it("refuses bad options, unknown models and models without an index before reading", async () => {
      const prisma = extended();
      expect((await vaultFailure(run({ batchSize: 0 }, prisma))).code).toBe("VAULT_CONFIG");
      expect((await vaultFailure(run({ models: ["Nope"] }, prisma))).model).toBe("Nope");
      expect((await vaultFailure(run({ models: ["User"] }, prisma))).code).toBe("VAULT_CONFIG");
      expect((await vaultFailure(run({ batch: 10 } as never, prisma))).message).toMatch(
        /unknown option "batch"/,
      );
      expect((await vaultFailure(run({}, database().plain))).code).toBe("VAULT_CONFIG");
    });

    it("by default migrates every model with a blind index; models picks them", async () => {
      await seed([{ organizationId: "org_a", name: "a", email: "a@x.io" }]);
      expect((await run({ dryRun: true })).models.map((m) => m.model)).toEqual(["Account"]);
      expect((await run({ models: ["Account"] })).models[0]).toMatchObject({ updated: 1 });
    });
  });
}

/**
 * Moving between key providers (issue 15, "Must show"), on every database target that runs it
 * (provider-move-sqlite.test.ts, provider-move-postgres.test.ts): Account rows over 10 tenants sealed
 * through vault({ keys: local }) with a LocalKeyProvider of the test's own, then `migrate rotate`
 * through a KeyRouter that makes new data keys elsewhere and keeps the old ring decrypt-only, beside a
 * concurrent writer on the same client; afterwards the rows are read, verified and inspected with the
 * new provider alone. No mocks: the key server and the real WorkOS SDK (test/support/key-server.ts).
 *
 * The overlap of move and writer is arranged, not left to speed: the old ring opens its first key only
 * once the writer has made its first writes, and as every page holds rows of every tenant, no page of
 * the move is written before then. So a thousand rows show what ten thousand did (issue 15's volume,
 * when the overlap was a matter of luck and a loaded machine took up to 30 s); `npm run bench`
 * measures migrations at volume.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeEnvelope } from "../../src/format/envelope.js";
import { hasPrefix } from "../../src/format/has-prefix.js";
import { WORKOS_KEY_BLOB_MAGIC } from "../../src/format/workos-blob.js";
import { LOCAL_KEY_BLOB_MAGIC } from "../../src/format/local-blob.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import type { DecryptedDataKey, KeyProvider } from "../../src/keys/provider.js";
import { KeyRouter } from "../../src/keys/router.js";
import { migrate } from "../../src/migrate/migrate.js";
import type { MigrationModelReport } from "../../src/migrate/report.js";
import { vault } from "../../src/prisma/extension.js";
import type { VaultOptions } from "../../src/prisma/options.js";
import { useTestDatabase } from "../support/databases.js";
import { vaultFailure } from "../support/errors.js";
import { useKeyServerRig } from "../support/key-server.js";
import { concurrentWriter, plainAccount, seedAccounts, type StoredAccount } from "../support/volume.js";

/** Tenants of this suite: org_0 … org_9. */
const TENANTS = 10;
const FIELDS = ["email", "phone", "handle"] as const;
/** Writes the writer makes before the old ring opens its first key for the move. */
const WRITES_BEFORE_MOVE = 10;
/** The longest timeoutMs there is: the move's key calls wait for the writer, however slow it is. */
const FOREVER_MS = 600_000;

export interface ProviderMoveSizes {
  /** Rows of the local → WorkOS move. */
  readonly rows: number;
  /** Concurrent updates, and how many rows they go to. */
  readonly writes: number;
  readonly writtenRows: number;
  /** Rows the concurrent writer creates meanwhile (in a few tenants). */
  readonly creates: number;
  /** Rows of the one-tenant move to its own ring. */
  readonly small: number;
  readonly batchSize: number;
}

/** 1,000 rows over 10 tenants in 10 pages, beside 100 updates of 60 rows and 30 creates. */
export const MOVE_SIZES: ProviderMoveSizes = {
  rows: 1_000,
  writes: 100,
  writtenRows: 60,
  creates: 30,
  small: 200,
  batchSize: 100,
};

export function providerMoveSuite(target: "sqlite" | "postgres", sizes = MOVE_SIZES): void {
  const rig = useKeyServerRig();
  const { database, generated } = useTestDatabase(target);
  const indexSecret = randomBytes(32);
  const ring = (id: string) => new LocalKeyProvider({ keys: [{ id, key: randomBytes(32) }] });

  const extended = (keys: KeyProvider, options: Partial<VaultOptions> = {}, base = database().plain) =>
    base.$extends(vault({ keys, schema: generated(), indexSecret, ...options }));
  const stored = async () =>
    (await database().plain.account.findMany({ orderBy: { id: "asc" } })) as StoredAccount[];
  const run = async (mode: "encrypt" | "rotate" | "verify", prisma: object) =>
    (await migrate(prisma, { mode, models: ["Account"], batchSize: sizes.batchSize }))
      .models[0] as MigrationModelReport;
  const fieldsOf = (r: { email: string; phone: string | null; handle: string | null }) => [
    r.email,
    r.phone,
    r.handle,
  ];
  /** Every stored envelope's key blob. */
  const blobs = (rows: readonly StoredAccount[]) =>
    rows.flatMap((r) => FIELDS.flatMap((f) => (r[f] === null ? [] : [decodeEnvelope(r[f]).encryptedKeys])));

  /** `rows` accounts over the 10 tenants, sealed through vault({ keys }) by `migrate encrypt`. */
  const sealWith = async (keys: KeyProvider, rows: number) => {
    await seedAccounts(database().plain, target, rows, {
      row: (i) => ({ ...plainAccount(i), organizationId: `org_${i % TENANTS}` }),
    });
    const before = await stored();
    expect(await run("encrypt", extended(keys))).toMatchObject({ updated: rows, failedTotal: 0 });
    return before;
  };

  describe(`moving between key providers on ${target}`, () => {
    it(`local ring → WorkOS: ${sizes.rows} rows over ${TENANTS} tenants move with migrate rotate beside a writer, then read with WorkOSKeyProvider alone`, async () => {
      const local = ring("dev-1");
      const before = await sealWith(local, sizes.rows);
      expect(blobs(await stored()).every((blob) => local.owns(blob))).toBe(true);
      rig.server.resetStats();

      // The old ring's first key waits for the writer's first writes (the writer needs none of the
      // ring's keys: it seals under WorkOS's and reads no encrypted field back). One call only, for one
      // tenant: held, it takes one of the client's key-call slots, which the writer needs too.
      let writes = 0;
      let writerStarted!: () => void;
      const gate = new Promise<void>((resolve) => (writerStarted = resolve));
      const router = new KeyRouter({
        default: rig.provider,
        routes: [],
        decryptOnly: [waitingFor(gate, local)],
      });
      // One client for the migration and the application beside it (on SQLite its one connection,
      // as better-sqlite3 would block the thread on a second connection's lock).
      const base = target === "sqlite" ? database().plain : database().client();
      const moving = extended(router, { timeoutMs: FOREVER_MS }, base);
      let running = true;
      const migration = run("rotate", moving).finally(() => {
        running = false;
      });
      const counted = {
        account: {
          update: async (args: Parameters<typeof moving.account.update>[0]) => {
            const updated = await moving.account.update(args);
            if (++writes === WRITES_BEFORE_MOVE) writerStarted();
            return updated;
          },
        },
      };
      const writer = concurrentWriter(
        counted,
        before.map((r) => r.id),
        { writes: sizes.writes, rows: sizes.writtenRows, lanes: 3, running: () => running },
      );
      // New rows of three tenants, created while the move runs.
      const creating = (async () => {
        const created: { organizationId: string; email: string; phone: string; handle: string }[] = [];
        for (let k = 0; k < sizes.creates; k++) {
          const data = {
            organizationId: `org_${[1, 4, 7][k % 3] as number}`,
            email: `new${k}@creator.io`,
            phone: `+44 20 ${String(k).padStart(6, "0")}`,
            handle: `créé ${k}`,
          };
          await moving.account.create({ data, select: { id: true } });
          created.push(data);
        }
        return created;
      })();
      const [first, written, created] = await Promise.all([migration, writer, creating]);
      expect(written.overlapping).toBeGreaterThanOrEqual(WRITES_BEFORE_MOVE);
      expect(first.scanned).toBeGreaterThanOrEqual(sizes.rows);
      // Only conflicts (a row the writer changed on every retry) may be left; a rerun takes them.
      expect(first.failed.every((f) => f.code === "MIGRATION_CONFLICT")).toBe(true);
      let runs = 1;
      if (first.failedTotal > 0) {
        expect(await run("rotate", moving)).toMatchObject({ failedTotal: 0 });
        runs++;
      }

      // What was written last, by anyone: the seed, the writer's updates, the created rows.
      const expected = [
        ...before.map((r) => {
          const latest = written.latest.get(r.id);
          return latest ? [latest.email, r.phone, latest.handle] : fieldsOf(r);
        }),
        ...created.map(fieldsOf),
      ];
      // A fresh client with the WorkOS provider alone: nothing cached, no local ring anywhere.
      const workosOnly = () => extended(rig.provider, {}, database().client());
      const reader = workosOnly();
      const read = await reader.account.findMany({ orderBy: { id: "asc" } });
      expect(read.map(fieldsOf)).toEqual(expected);
      expect(await run("verify", workosOnly())).toMatchObject({
        scanned: sizes.rows + sizes.creates,
        failedTotal: 0,
        plaintext: 0,
        staleIndexes: 0,
      });

      // No local blob left: every stored key blob is WorkOS's format and no ring owns it.
      const after = blobs(await stored());
      const values = (r: StoredAccount) => FIELDS.filter((f) => r[f] !== null).length;
      expect(after.length).toBe(before.reduce((n, r) => n + values(r), 0) + sizes.creates * 3);
      expect(after.filter((blob) => !hasPrefix(blob, WORKOS_KEY_BLOB_MAGIC)).length).toBe(0);
      expect(after.filter((blob) => hasPrefix(blob, LOCAL_KEY_BLOB_MAGIC) || local.owns(blob)).length).toBe(
        0,
      );

      // Data keys requested from the key server: one per tenant per rotate run (its own cache, empty
      // at the start), plus one per tenant the application wrote to (its client's cache), nothing per
      // row. The writer's updates go to every tenant, so that is at most 10 more.
      const appKeys = moving.$vault.stats().provider.createDataKey;
      const writtenTenants = new Set([
        ...before.filter((r) => written.latest.has(r.id)).map((r) => r.organizationId),
        ...created.map((c) => c.organizationId),
      ]);
      expect(appKeys).toBe(writtenTenants.size);
      expect(rig.server.stats().dataKey).toBe(TENANTS * runs + appKeys);
      expect(rig.server.stats().dataKey).toBeLessThanOrEqual(TENANTS * (runs + 1));
      // The local ring was only ever asked to open, never to make a key.
      expect(router.stats()["local"]).toMatchObject({ createDataKey: 0, rekey: 0 });
      expect(router.stats()["local"]?.decryptDataKey).toBeGreaterThan(0);
      console.info(
        `[provider move ${target}] ${sizes.rows} rows: ${runs} rotate run(s), ` +
          `${first.conflicts} conflicts, ${written.overlapping} overlapping writes, ` +
          `server ${JSON.stringify({ dataKey: rig.server.stats().dataKey, decrypt: rig.server.stats().decrypt })}`,
      );
    });

    it("one tenant with data moves to its own ring: its blobs become that ring's, the others stay on the default", async () => {
      const local = ring("dev-1");
      const tenantRing = ring("org3-1");
      const before = await sealWith(local, sizes.small);
      const router = new KeyRouter({
        default: local,
        routes: [{ when: (context) => context["organizationId"] === "org_3", provider: tenantRing }],
      });
      expect(await run("rotate", extended(router))).toMatchObject({
        scanned: sizes.small,
        updated: sizes.small,
        failedTotal: 0,
      });
      const rows = await stored();
      const owners = (r: StoredAccount) =>
        FIELDS.flatMap((f) => {
          if (r[f] === null) return [];
          const blob = decodeEnvelope(r[f]).encryptedKeys;
          return [[tenantRing.owns(blob), local.owns(blob)]];
        });
      const moved = rows.filter((r) => r.organizationId === "org_3");
      expect(moved.length).toBe(sizes.small / TENANTS);
      expect(moved.flatMap(owners).every(([t, l]) => t === true && l === false)).toBe(true);
      expect(
        rows
          .filter((r) => r.organizationId !== "org_3")
          .flatMap(owners)
          .every(([t, l]) => t === false && l === true),
      ).toBe(true);
      // A fresh client reads every row back through the router.
      const reader = extended(router, {}, database().client());
      expect((await reader.account.findMany({ orderBy: { id: "asc" } })).map(fieldsOf)).toEqual(
        before.map(fieldsOf),
      );
      expect(await run("verify", extended(router, {}, database().client()))).toMatchObject({
        failedTotal: 0,
        plaintext: 0,
        staleIndexes: 0,
      });
      // The default ring alone no longer holds org_3's keys (and is not asked): they really moved.
      const defaultOnly = extended(new KeyRouter({ default: local, routes: [] }), { onDecryptError: "null" });
      const refused = await vaultFailure(
        defaultOnly.account.findFirst({ where: { organizationId: "org_3" } }),
      );
      expect(refused.code).toBe("VAULT_KEY_UNAVAILABLE");
      expect(await defaultOnly.account.count({ where: { organizationId: "org_2" } })).toBe(
        sizes.small / TENANTS,
      );
    });
  });
}

/** `ring`, whose first decryptDataKey call waits for `gate`; the rest is the ring's own. */
function waitingFor(gate: Promise<void>, ring: LocalKeyProvider): KeyProvider {
  let first = true;
  return {
    name: ring.name,
    createDataKey: (context) => ring.createDataKey(context),
    decryptDataKey: async (blob): Promise<DecryptedDataKey> => {
      if (first) {
        first = false;
        await gate;
      }
      return ring.decryptDataKey(blob);
    },
    recognizes: (blob) => ring.recognizes(blob),
    owns: (blob) => ring.owns(blob),
    isCurrent: (blob) => ring.isCurrent(blob),
  };
}

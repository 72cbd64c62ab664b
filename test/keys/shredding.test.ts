/**
 * Crypto-shredding a tenant (issue 15, DESIGN.md §6) on SQLite: tenant A on its own ring ("ka"), B on
 * the default ring. Once "ka" is destroyed and declared destroyed, A's values are VAULT_DECRYPT_FAILED
 * (null under onDecryptError: "null", so A's rows can be listed and deleted), B's read normally, and
 * `migrate verify` reports exactly A's values; with "ka" merely absent they are VAULT_KEY_UNAVAILABLE.
 * What blind indexes still say about a shredded row is pinned as well.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BlindIndex } from "../../src/core/blind-index.js";
import { VaultConfigError } from "../../src/errors.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { KeyRouter } from "../../src/keys/router.js";
import { migrate } from "../../src/migrate/migrate.js";
import type { MigrationModelReport } from "../../src/migrate/report.js";
import { vault } from "../../src/prisma/extension.js";
import type { VaultOptions } from "../../src/prisma/options.js";
import { useTestDatabase } from "../support/databases.js";
import { vaultFailure } from "../support/errors.js";

const indexSecret = randomBytes(32);
const A = "org_a";
const B = "org_b";
/** A handle both tenants have: its index is global. */
const SHARED_HANDLE = "shared handle ü";
/** A phone both tenants have: its index is tenant-scoped. */
const SHARED_PHONE = "+1 555 0100";

describe("crypto-shredding a tenant on SQLite", () => {
  const { database, generated } = useTestDatabase("sqlite");
  const aKey = randomBytes(32);
  const bRing = new LocalKeyProvider({ keys: [{ id: "kd", key: randomBytes(32) }] });
  const isA = (context: Record<string, string>) => context["organizationId"] === A;
  const routed = (aRing: LocalKeyProvider | undefined) =>
    new KeyRouter({ default: bRing, routes: aRing ? [{ when: isA, provider: aRing }] : [] });
  const client = (keys: KeyRouter, options: Partial<VaultOptions> = {}) =>
    database()
      .client()
      .$extends(vault({ keys, schema: generated(), indexSecret, ...options }));
  const verify = async (keys: KeyRouter) =>
    (await migrate(client(keys), { mode: "verify", models: ["Account"], batchSize: 50 }))
      .models[0] as MigrationModelReport;

  /** 12 rows of A (8 with a phone) and 9 of B, all with a handle: A has 12 + 8 + 12 = 32 values. */
  const seed = async () => {
    await database().plain.organization.createMany({ data: [A, B].map((id) => ({ id, name: id })) });
    const writer = client(routed(new LocalKeyProvider({ keys: [{ id: "ka", key: aKey }] })));
    const rows = [
      ...Array.from({ length: 12 }, (_, i) => ({
        organizationId: A,
        email: `a${i}@a.io`,
        phone: i < 8 ? (i === 0 ? SHARED_PHONE : `+1 555 1${i}`) : null,
        handle: i === 0 ? SHARED_HANDLE : `a-${i}`,
      })),
      ...Array.from({ length: 9 }, (_, i) => ({
        organizationId: B,
        email: `b${i}@b.io`,
        phone: i === 0 ? SHARED_PHONE : null,
        handle: i === 0 ? SHARED_HANDLE : `b-${i}`,
      })),
    ];
    for (const data of rows) await writer.account.create({ data });
    return rows;
  };

  it("a destroyed and declared ring: A's values fail as VAULT_DECRYPT_FAILED, null under onDecryptError, and A's rows delete; B is untouched", async () => {
    const rows = await seed();
    const bRows = rows.filter((r) => r.organizationId === B);
    // The ring must hold a live key: one with only destroyed keys is refused (see the report's gaps).
    expect(() => new LocalKeyProvider({ keys: [], destroyedKeys: ["ka"] })).toThrow(VaultConfigError);
    const shredded = routed(
      new LocalKeyProvider({ keys: [{ id: "ka-2", key: randomBytes(32) }], destroyedKeys: ["ka"] }),
    );

    const strict = client(shredded);
    expect((await vaultFailure(strict.account.findFirst({ where: { organizationId: A } }))).code).toBe(
      "VAULT_DECRYPT_FAILED",
    );
    const pick = (r: { email: string | null; phone: string | null; handle: string | null }) => [
      r.email,
      r.phone,
      r.handle,
    ];
    expect(
      (await strict.account.findMany({ where: { organizationId: B }, orderBy: { id: "asc" } })).map(pick),
    ).toEqual(bRows.map(pick));

    // verify reports exactly A's 32 values, all as VAULT_DECRYPT_FAILED, and none of B's.
    const report = await verify(shredded);
    expect(report).toMatchObject({ scanned: 21, failedTotal: 32, plaintext: 0 });
    expect(new Set(report.failed.map((f) => f.code))).toEqual(new Set(["VAULT_DECRYPT_FAILED"]));
    const aIds = (await database().plain.account.findMany({ where: { organizationId: A } })).map((r) => r.id);
    expect(new Set(report.failed.map((f) => f.id))).toEqual(new Set(aIds));

    // Under onDecryptError: "null" A's rows list (their encrypted fields null) and delete.
    const lenient = client(shredded, { onDecryptError: "null" });
    const listed = await lenient.account.findMany({ where: { organizationId: A }, orderBy: { id: "asc" } });
    expect(listed.map((r) => [r.id, ...pick(r)])).toEqual(aIds.map((id) => [id, null, null, null]));
    expect(await lenient.account.deleteMany({ where: { organizationId: A } })).toEqual({ count: 12 });
    expect(await database().plain.account.count()).toBe(9);
    expect((await lenient.account.findMany({ orderBy: { id: "asc" } })).map(pick)).toEqual(bRows.map(pick));
    expect(await verify(shredded)).toMatchObject({ scanned: 9, failedTotal: 0 });
  });

  it("without the declaration (A's ring absent, or a ring without ka) A's values are VAULT_KEY_UNAVAILABLE, even under onDecryptError: null", async () => {
    await seed();
    const undeclared = [
      routed(undefined),
      routed(new LocalKeyProvider({ keys: [{ id: "ka-2", key: randomBytes(32) }] })),
    ];
    for (const keys of undeclared) {
      const lenient = client(keys, { onDecryptError: "null" });
      const error = await vaultFailure(lenient.account.findMany({ where: { organizationId: A } }));
      expect(error.code).toBe("VAULT_KEY_UNAVAILABLE");
      expect(await lenient.account.count({ where: { organizationId: B } })).toBe(9);
      const report = await verify(keys);
      expect(report).toMatchObject({ scanned: 21, failedTotal: 32 });
      expect(new Set(report.failed.map((f) => f.code))).toEqual(new Set(["VAULT_KEY_UNAVAILABLE"]));
    }
  });

  it("what blind indexes still tell about a shredded tenant: equality, by anyone holding the index secret", async () => {
    await seed();
    const shredded = routed(
      new LocalKeyProvider({ keys: [{ id: "ka-2", key: randomBytes(32) }], destroyedKeys: ["ka"] }),
    );
    const lenient = client(shredded, { onDecryptError: "null" });
    const stored = await database().plain.account.findMany({ orderBy: { id: "asc" } });
    const [a0, b0] = [stored.find((r) => r.organizationId === A), stored.find((r) => r.organizationId === B)];

    // Global index (handle): the shredded row's index still equals the other tenant's for the same
    // value, and a lookup by value still finds the shredded row (its value itself reads as null).
    const handle = new BlindIndex(indexSecret, { model: "Account", field: "handle" });
    expect(a0?.handleIndex).toBe(b0?.handleIndex);
    expect(a0?.handleIndex).toBe(handle.compute(SHARED_HANDLE));
    const found = await lenient.account.findMany({
      where: { handle: SHARED_HANDLE },
      orderBy: { id: "asc" },
    });
    expect(found.map((r) => [r.organizationId, r.handle])).toEqual([
      [A, null],
      [B, SHARED_HANDLE],
    ]);
    // The global email index confirms a guessed email of a shredded row just the same.
    expect(await lenient.account.findFirst({ where: { email: "a3@a.io" } })).toMatchObject({
      organizationId: A,
      email: null,
    });

    // Tenant-scoped index (phone): no cross-tenant equality (the two indexes differ) …
    expect(a0?.phoneIndex).not.toBeNull();
    expect(a0?.phoneIndex).not.toBe(b0?.phoneIndex);
    // … but it is keyed by the index secret and the tenant's context, not by A's ring: shredding the
    // ring leaves it answering equality within A (a guessed phone still finds A's row).
    const phone = new BlindIndex(indexSecret, {
      model: "Account",
      field: "phone",
      normalize: "phone",
      scope: "tenant",
    });
    expect(a0?.phoneIndex).toBe(phone.compute(SHARED_PHONE, { organizationId: A }));
    expect(
      await lenient.account.findMany({
        where: { organizationId: A, phone: SHARED_PHONE },
        select: { id: true },
      }),
    ).toEqual([{ id: a0?.id }]);
  });
});

/**
 * Upserts and bulk creates through vaultMiddleware on the real RC. An upsert's `DO UPDATE` branch is
 * sealed under the inserted row's tenant only when its conflict target holds the tenant (User's
 * unique (organizationId, externalId)), so the row it updates is known to share it; an upsert on the
 * primary key alone that updates an encrypted field is refused before anything is sent. createAll
 * seals each row under its own tenant, and `onConflict: "skip"` leaves the existing row as it was.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { vaultFailure } from "../support/errors.js";
import { registerSecrets } from "../support/secrets.js";
import { seedTenant, storedEnvelopes, tenantRows, usersOf } from "./support/seed.js";
import { sentStatements } from "./support/sent-statements.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { vaultRig } from "./support/vault-rig.js";

const app = usePrisma8App("upserts");

const ENVELOPE = /^[A-Za-z0-9+/]+=*$/;

describe("vaultMiddleware: upserts", () => {
  it("an upsert on (organizationId, externalId) seals its create branch and its update branch under the row's tenant", async () => {
    const rig = vaultRig(app());
    const tenant = await seedTenant(app(), rig);
    const externalId = `ext-${randomUUID()}`;
    registerSecrets("upsert-created-ssn", "upsert-updated-ssn");
    const upsert = (ssn: string) =>
      usersOf(rig.db).upsert({
        create: { organizationId: tenant.orgId, externalId, email: `${externalId}@example.com`, ssn },
        update: { ssn },
        conflictOn: { organizationId: tenant.orgId, externalId },
      });
    const created = await upsert("upsert-created-ssn");
    expect(created).toMatchObject({ externalId, ssn: "upsert-created-ssn" });
    const [first] = await app().sql<{ ssn: string }>(`SELECT "ssn" FROM "User" WHERE "id" = $1`, [
      created["id"],
    ]);
    expect(first?.ssn).toMatch(ENVELOPE);

    const updated = await upsert("upsert-updated-ssn");
    expect(updated).toMatchObject({ id: created["id"], ssn: "upsert-updated-ssn" });
    const [second] = await app().sql<{ ssn: string }>(`SELECT "ssn" FROM "User" WHERE "id" = $1`, [
      created["id"],
    ]);
    expect(second?.ssn).toMatch(ENVELOPE);
    expect(second?.ssn).not.toBe(first?.ssn);

    const cold = vaultRig(app());
    const read = await usersOf(cold.db)
      .where({ id: created["id"], organizationId: tenant.orgId })
      .all()
      .toArray();
    expect(read).toEqual([
      expect.objectContaining({ email: `${externalId}@example.com`, ssn: "upsert-updated-ssn" }),
    ]);
  });

  it("an upsert on the primary key that updates ssn is refused with VAULT_CONTEXT_MISSING before anything is sent", async () => {
    const sent = sentStatements();
    const rig = vaultRig(app(), { before: [sent.middleware] });
    const tenant = await seedTenant(app(), rig);
    const [user] = tenant.users;
    const before = await tenantRows(app(), tenant.orgId);
    sent.clear();
    const error = await vaultFailure(
      usersOf(rig.db).upsert({
        create: { id: user!.id, organizationId: tenant.orgId, email: user!.email },
        update: { ssn: "upsert-by-primary-key" },
      }),
    );
    expect([error.code, error.model, error.field]).toEqual(["VAULT_CONTEXT_MISSING", "User", "ssn"]);
    expect(sent.sql).toEqual([]);
    expect(await tenantRows(app(), tenant.orgId)).toEqual(before);
  });

  it("an upsert whose update branch moves the row to another tenant is refused before anything is sent", async () => {
    const sent = sentStatements();
    const rig = vaultRig(app(), { before: [sent.middleware] });
    const tenant = await seedTenant(app(), rig);
    const other = await seedTenant(app(), rig);
    const externalId = `ext-${randomUUID()}`;
    sent.clear();
    const error = await vaultFailure(
      usersOf(rig.db).upsert({
        create: { organizationId: tenant.orgId, externalId, email: `${externalId}@example.com` },
        update: { organizationId: other.orgId, email: `${externalId}@example.com`, ssn: "moved-by-upsert" },
        conflictOn: { organizationId: tenant.orgId, externalId },
      }),
    );
    expect([error.code, error.model]).toEqual(["VAULT_UNSUPPORTED_QUERY", "User"]);
    expect(sent.sql).toEqual([]);
  });
});

describe("vaultMiddleware: createAll", () => {
  it("createAll of 30 rows interleaving 3 tenants seals each row under its own tenant", async () => {
    const rig = vaultRig(app());
    const orgs = await Promise.all([1, 2, 3].map(() => seedTenant(app(), rig, 0)));
    const tag = randomUUID().slice(0, 8);
    const data = Array.from({ length: 30 }, (_, i) => ({
      organizationId: orgs[i % 3]!.orgId,
      email: `bulk${i}-${tag}@example.com`,
      ssn: `bulk-ssn-${i}-${tag}`,
    }));
    registerSecrets(...data.flatMap((d) => [d.email, d.ssn]));
    const created = await usersOf(rig.db).createAll(data).toArray();
    expect(created.map((u) => [u["organizationId"], u["email"], u["ssn"]])).toEqual(
      data.map((d) => [d.organizationId, d.email, d.ssn]),
    );
    expect(rig.keys.calls()).toBe(3);
    const cold = vaultRig(app());
    for (const org of orgs) {
      const rows = await usersOf(cold.db).where({ organizationId: org.orgId }).all().toArray();
      const expected = data.filter((d) => d.organizationId === org.orgId).map((d) => d.ssn);
      expect(rows.map((u) => u["ssn"]).sort()).toEqual(expected.sort());
    }
    expect(cold.keys.calls()).toBe(3);
  });

  it("createAll with onConflict skip inserts the new rows sealed and leaves the conflicting row as it was", async () => {
    const rig = vaultRig(app());
    const tenant = await seedTenant(app(), rig, 0);
    const externalId = `ext-${randomUUID()}`;
    registerSecrets("kept-ssn-original", "skipped-ssn-dropped", "fresh-ssn-inserted");
    await usersOf(rig.db).create({
      organizationId: tenant.orgId,
      externalId,
      email: "kept@example.com",
      ssn: "kept-ssn-original",
    });
    const kept = await storedEnvelopes(app(), tenant.orgId);
    const inserted = await usersOf(rig.db)
      .createAll(
        [
          {
            organizationId: tenant.orgId,
            externalId,
            email: "skipped@example.com",
            ssn: "skipped-ssn-dropped",
          },
          {
            organizationId: tenant.orgId,
            externalId: `${externalId}-2`,
            email: "fresh@example.com",
            ssn: "fresh-ssn-inserted",
          },
        ],
        { onConflict: "skip", conflictOn: ["organizationId", "externalId"] },
      )
      .toArray();
    expect(inserted.map((u) => u["ssn"])).toEqual(["fresh-ssn-inserted"]);
    const stored = await storedEnvelopes(app(), tenant.orgId);
    expect(stored.slice(0, kept.length)).toEqual(kept);
    for (const value of stored) expect(value).toMatch(ENVELOPE);
    const read = await usersOf(vaultRig(app()).db).where({ organizationId: tenant.orgId }).all().toArray();
    expect(read.map((u) => [u["email"], u["ssn"]]).sort()).toEqual([
      ["fresh@example.com", "fresh-ssn-inserted"],
      ["kept@example.com", "kept-ssn-original"],
    ]);
  });
});

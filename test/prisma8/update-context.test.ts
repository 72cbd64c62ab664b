/**
 * The update-context rule on the real RC: an update seals under the context of the row it changes,
 * never a guessed one. Prisma 8's `update()` pre-reads the id, then sends `UPDATE … WHERE id = <id>`;
 * the tenant pinned in the caller's where is carried over and added to the UPDATE's WHERE, so a row
 * moved meanwhile matches nothing and is reported. An update that cannot know the context, or moves a
 * row without sealing every field again, is refused with nothing written.
 */
import { describe, expect, it } from "vitest";
import { vaultFailure } from "../support/errors.js";
import type { Prisma8Middleware } from "./support/prisma8-app.js";
import { seedTenant, storedEnvelopes, tenantRows, usersOf } from "./support/seed.js";
import { sentStatements } from "./support/sent-statements.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { vaultRig } from "./support/vault-rig.js";

const app = usePrisma8App("update_context");

describe("vaultMiddleware: the key context of an update", () => {
  it("update by id alone is refused with VAULT_CONTEXT_MISSING; no UPDATE is sent and the row is unchanged", async () => {
    const sent = sentStatements();
    const rig = vaultRig(app(), { before: [sent.middleware] });
    const tenant = await seedTenant(app(), rig);
    const [user] = tenant.users;
    const before = await tenantRows(app(), tenant.orgId);
    sent.clear();
    const error = await vaultFailure(
      Promise.resolve(usersOf(rig.db).where({ id: user!.id }).update({ ssn: "guessed-context" })),
    );
    expect([error.code, error.model, error.field]).toEqual(["VAULT_CONTEXT_MISSING", "User", "ssn"]);
    expect(error.message).toContain("put organizationId in the where beside the id");
    expect(sent.sql.filter((sql) => !/^select/i.test(sql))).toEqual([]);
    expect(await tenantRows(app(), tenant.orgId)).toEqual(before);
  });

  it("20 concurrent updates with the tenant in where, across 3 tenants, each seal under their own row's tenant", async () => {
    const rig = vaultRig(app());
    const tenants = await Promise.all([7, 7, 6].map((count) => seedTenant(app(), rig, count)));
    const targets = tenants.flatMap((t) =>
      t.users.map((u) => ({ orgId: t.orgId, id: u.id, ssn: `new-${u.ssn}` })),
    );
    expect(targets).toHaveLength(20);
    const updated = await Promise.all(
      targets.map((t) => usersOf(rig.db).where({ id: t.id, organizationId: t.orgId }).update({ ssn: t.ssn })),
    );
    expect(updated.map((row) => row?.["ssn"])).toEqual(targets.map((t) => t.ssn));
    // A cold client opens each row with its own tenant's key: a value sealed under another would not open.
    const cold = vaultRig(app());
    for (const tenant of tenants) {
      const rows = await usersOf(cold.db).where({ organizationId: tenant.orgId }).all().toArray();
      const expected = targets.filter((t) => t.orgId === tenant.orgId).map((t) => [t.id, t.ssn]);
      expect(rows.map((row) => [row["id"], row["ssn"]]).sort()).toEqual(expected.sort());
    }
    expect(cold.keys.calls()).toBe(3);
  });

  it("a row moved to another tenant between the pre-read and the UPDATE: the UPDATE matches nothing, VAULT_CONTEXT_MISSING, nothing sealed under the stale tenant", async () => {
    const rig0 = vaultRig(app());
    const tenant = await seedTenant(app(), rig0);
    const other = await seedTenant(app(), rig0);
    const [user] = tenant.users;
    let armed = true;
    // Runs the concurrent move once, on the UPDATE's way to vaultMiddleware: after Prisma's pre-read.
    const mover: Prisma8Middleware = {
      name: "concurrent-move",
      familyId: "sql",
      async beforeCompile(draft) {
        if (armed && draft.ast.kind === "update") {
          armed = false;
          await app().sql(`UPDATE "User" SET "organizationId" = $1 WHERE "id" = $2`, [other.orgId, user!.id]);
        }
        return undefined;
      },
    };
    const { db } = vaultRig(app(), { before: [mover] });
    const [stored] = await app().sql<{ ssn: string }>(`SELECT "ssn" FROM "User" WHERE "id" = $1`, [user!.id]);
    const error = await vaultFailure(
      Promise.resolve(
        usersOf(db).where({ id: user!.id, organizationId: tenant.orgId }).update({ ssn: "stale-tenant" }),
      ),
    );
    expect(armed).toBe(false);
    expect(error.code).toBe("VAULT_CONTEXT_MISSING");
    const [after] = await app().sql(`SELECT "organizationId", "ssn" FROM "User" WHERE "id" = $1`, [user!.id]);
    expect(after).toEqual({ organizationId: other.orgId, ssn: stored!.ssn });
  });

  it("a tenant move that does not write every encrypted field is refused; the row is unchanged", async () => {
    const sent = sentStatements();
    const rig = vaultRig(app(), { before: [sent.middleware] });
    const tenant = await seedTenant(app(), rig);
    const other = await seedTenant(app(), rig);
    const [user] = tenant.users;
    const before = await tenantRows(app(), tenant.orgId);
    const where = usersOf(rig.db).where({ id: user!.id, organizationId: tenant.orgId });
    for (const data of [{ organizationId: other.orgId }, { organizationId: other.orgId, ssn: "moved-ssn" }]) {
      sent.clear();
      const error = await vaultFailure(Promise.resolve(where.update(data)));
      expect([error.code, error.model]).toEqual(["VAULT_UNSUPPORTED_QUERY", "User"]);
      expect(sent.sql.filter((sql) => !/^select/i.test(sql))).toEqual([]);
    }
    expect(await tenantRows(app(), tenant.orgId)).toEqual(before);
  });

  it("a tenant move that writes every encrypted field re-seals the row, which reads back under its new tenant (also with select('id'))", async () => {
    const rig = vaultRig(app());
    const tenant = await seedTenant(app(), rig, 2);
    const other = await seedTenant(app(), rig);
    const [first, second] = tenant.users;
    const moved = await usersOf(rig.db)
      .where({ id: first!.id, organizationId: tenant.orgId })
      .update({ organizationId: other.orgId, email: `moved-${first!.email}`, ssn: `moved-${first!.ssn}` });
    expect(moved).toMatchObject({
      organizationId: other.orgId,
      email: `moved-${first!.email}`,
      ssn: `moved-${first!.ssn}`,
    });
    const narrow = await usersOf(rig.db)
      .where({ id: second!.id, organizationId: tenant.orgId })
      .select("id")
      .update({ organizationId: other.orgId, email: `moved-${second!.email}`, ssn: `moved-${second!.ssn}` });
    expect(narrow).toEqual({ id: second!.id });
    const cold = vaultRig(app());
    const rows = await usersOf(cold.db).where({ organizationId: other.orgId }).all().toArray();
    expect(rows.map((u) => [u["id"], u["email"], u["ssn"]]).sort()).toEqual(
      [
        [other.users[0]!.id, other.users[0]!.email, other.users[0]!.ssn],
        [first!.id, `moved-${first!.email}`, `moved-${first!.ssn}`],
        [second!.id, `moved-${second!.email}`, `moved-${second!.ssn}`],
      ].sort(),
    );
    const byEmail = await usersOf(cold.db)
      .where({ email: `moved-${second!.email}` })
      .all()
      .toArray();
    expect(byEmail.map((u) => u["id"])).toEqual([second!.id]);
  });

  it("updateAll with the tenant pinned in where re-seals every row of that tenant and no other", async () => {
    const rig = vaultRig(app());
    const tenant = await seedTenant(app(), rig, 3);
    const other = await seedTenant(app(), rig, 2);
    const untouched = await storedEnvelopes(app(), other.orgId);
    const rows = await usersOf(rig.db)
      .where({ organizationId: tenant.orgId })
      .updateAll({ ssn: "bulk-ssn" })
      .toArray();
    expect(rows.map((u) => u["ssn"])).toEqual(["bulk-ssn", "bulk-ssn", "bulk-ssn"]);
    const cold = vaultRig(app());
    const read = await usersOf(cold.db).where({ organizationId: tenant.orgId }).all().toArray();
    expect(read.map((u) => u["ssn"])).toEqual(["bulk-ssn", "bulk-ssn", "bulk-ssn"]);
    expect(await storedEnvelopes(app(), other.orgId)).toEqual(untouched);
  });

  it("updateAll whose where does not pin the tenant is refused with VAULT_CONTEXT_MISSING; nothing changes", async () => {
    const rig = vaultRig(app());
    const tenant = await seedTenant(app(), rig, 2);
    const before = await tenantRows(app(), tenant.orgId);
    const emails = tenant.users.map((u) => u.email);
    const error = await vaultFailure(
      usersOf(rig.db)
        .where((u) => u["email"]!.in(emails))
        .updateAll({ ssn: "no-tenant" })
        .toArray(),
    );
    expect([error.code, error.model, error.field]).toEqual(["VAULT_CONTEXT_MISSING", "User", "ssn"]);
    expect(await tenantRows(app(), tenant.orgId)).toEqual(before);
  });
});

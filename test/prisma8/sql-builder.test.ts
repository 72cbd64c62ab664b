/**
 * The SQL builder lane (`db.sql.public.User`) through vaultMiddleware. On a query over one table the
 * builder names columns bare (`select("ssn")`, `f.ssn` render `"ssn"`, an identifier, not
 * `"User"."ssn"`), and those are the same encrypted columns: a read opens them, an equality on the
 * indexed email goes to its blind index, and whatever cannot run over ciphertext is refused before
 * anything is sent, as on the ORM lane.
 */
import { describe, expect, it } from "vitest";
import { vaultFailure } from "../support/errors.js";
import { seedTenant, storedEnvelopes } from "./support/seed.js";
import { sentStatements } from "./support/sent-statements.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { vaultRig } from "./support/vault-rig.js";

const app = usePrisma8App("sql_builder");

/** An insert's `returning`, which the untyped fixture contract does not spell out. */
interface Returning {
  returning(...columns: string[]): { build(): never };
}

async function setup() {
  const sent = sentStatements();
  const rig = vaultRig(app(), { before: [sent.middleware] });
  const tenant = await seedTenant(app(), rig, 2);
  sent.clear();
  return { rig, sent, tenant, table: rig.db.sql.public!.User!, runtime: rig.db.runtime() };
}

describe("vaultMiddleware on the SQL builder lane", () => {
  it("select of bare encrypted columns opens them: no envelope reaches the caller", async () => {
    const { tenant, table, runtime } = await setup();
    const rows = await runtime
      .query(
        table
          .select("id", "email", "ssn")
          .where((f, fns) => fns.eq(f.organizationId!, tenant.orgId as never))
          .build(),
      )
      .toArray();
    const expected = tenant.users.map((u) => ({ id: u.id, email: u.email, ssn: u.ssn }));
    expect([...rows].sort((a, b) => Number(a["id"]) - Number(b["id"]))).toEqual(expected);
    const envelopes = await storedEnvelopes(app(), tenant.orgId);
    expect(JSON.stringify(rows)).not.toContain(envelopes[0]);
  });

  it("where email = x finds the row by its blind index", async () => {
    const { tenant, table, runtime } = await setup();
    const [, second] = tenant.users;
    const rows = await runtime
      .query(
        table
          .select("id")
          .where((f, fns) => fns.eq(f.email!, second!.email as never))
          .build(),
      )
      .toArray();
    expect(rows).toEqual([{ id: second!.id }]);
  });

  it("insert … returning seals ssn in the database and returns it opened", async () => {
    const { tenant, table, runtime } = await setup();
    const ssn = `builder-ssn-${tenant.orgId}`;
    const [row] = (await runtime
      .query(
        (
          table.insert([
            { organizationId: tenant.orgId, email: `builder-${tenant.orgId}@example.com`, ssn } as never,
          ]) as unknown as Returning
        )
          .returning("id", "ssn")
          .build(),
      )
      .toArray()) as Record<string, unknown>[];
    expect(row?.["ssn"]).toBe(ssn);
    const [stored] = await app().sql<{ ssn: string }>(`SELECT "ssn" FROM "User" WHERE "id" = $1`, [
      row?.["id"],
    ]);
    expect(stored?.ssn).not.toBe(ssn);
    expect(stored?.ssn).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it("a comparison or an ordering on a bare encrypted column is refused before anything is sent", async () => {
    const { sent, table, runtime } = await setup();
    const gt = table
      .select("id")
      .where((f, fns) => fns.gt(f.email!, "a" as never))
      .build();
    const ordered = (table.select("id") as unknown as { orderBy(column: string): { build(): typeof gt } })
      .orderBy("ssn")
      .build();
    for (const [plan, field] of [
      [gt, "email"],
      [ordered, "ssn"],
    ] as const) {
      const error = await vaultFailure(runtime.query(plan).toArray());
      expect([error.code, error.model, error.field]).toEqual(["VAULT_UNSUPPORTED_QUERY", "User", field]);
    }
    expect(sent.sql).toEqual([]);
  });
});

describe("vaultMiddleware on the SQL builder lane: updates", () => {
  it("an update whose where pins the tenant by its bare column re-seals the value under it", async () => {
    const { tenant, table, runtime } = await setup();
    const [first] = tenant.users;
    await runtime.execute(
      (table as any)
        .update({ ssn: "builder-updated" })
        .where((f: any, fns: any) => fns.and(fns.eq(f.id, first!.id), fns.eq(f.organizationId, tenant.orgId)))
        .build(),
    );
    const { db } = vaultRig(app());
    const [read] = await db.orm.public!.User!.where({ id: first!.id }).all().toArray();
    expect(read).toMatchObject({ ssn: "builder-updated" });
  });

  it("an update by id alone through the builder is VAULT_CONTEXT_MISSING and changes nothing", async () => {
    const { tenant, table, runtime } = await setup();
    const [first] = tenant.users;
    const before = await storedEnvelopes(app(), tenant.orgId);
    const failure = await vaultFailure(
      runtime.execute(
        (table as any)
          .update({ ssn: "never" })
          .where((f: any, fns: any) => fns.eq(f.id, first!.id))
          .build(),
      ),
    );
    expect(failure).toMatchObject({ code: "VAULT_CONTEXT_MISSING", model: "User" });
    expect(await storedEnvelopes(app(), tenant.orgId)).toEqual(before);
  });
});

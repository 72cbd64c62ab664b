/**
 * Queries the ORM builds over a derived table: `distinct()` ranks rows in a sub-select named as the
 * table itself, and an included relation with `distinct()` or a `combine()` branch nests one sub-select
 * more. Each encrypted value of such a result is opened, or the query is refused: never a value that
 * still holds its envelope.
 */
import { describe, expect, it } from "vitest";
import { vaultFailure } from "../support/errors.js";
import { seedTenant, storedEnvelopes, usersOf } from "./support/seed.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { vaultRig } from "./support/vault-rig.js";

const app = usePrisma8App("derived_tables");

/** A collection's refinements that the untyped fixture contract does not spell out. */
interface Refine {
  distinct(field: string): Refine;
  orderBy(order: (fields: Record<string, { asc(): never }>) => never): Refine;
  distinctOn(field: string): Refine;
  limit(n: number): Refine;
  count(): Refine;
  combine(branches: Record<string, Refine>): Refine;
}
const refine = (callback: (posts: Refine) => Refine): never => callback as never;

describe("vaultMiddleware over derived tables", () => {
  it("distinct() on the tenant opens every encrypted value, with all fields and with a narrow select", async () => {
    const rig = vaultRig(app());
    const tenant = await seedTenant(app(), rig, 2);
    const users = usersOf(rig.db).where({ organizationId: tenant.orgId });
    const all = await users.distinct("organizationId").all().toArray();
    expect(all).toHaveLength(1);
    expect(tenant.users.map((u) => [u.email, u.ssn])).toContainEqual([all[0]?.["email"], all[0]?.["ssn"]]);
    const narrow = await users.select("id", "email").distinct("organizationId").all().toArray();
    expect(narrow).toHaveLength(1);
    expect(tenant.users.map((u) => ({ id: u.id, email: u.email }))).toContainEqual(narrow[0]);
  });

  it("an included relation with distinctOn opens its values", async () => {
    const rig = vaultRig(app());
    const tenant = await seedTenant(app(), rig, 1);
    const [user] = tenant.users;
    const [read] = await usersOf(rig.db)
      .where({ id: user!.id })
      .include(
        "posts" as never,
        refine((p) => p.orderBy((x) => x["organizationId"]!.asc()).distinctOn("organizationId")),
      )
      .all()
      .toArray();
    expect((read?.["posts"] as { body: string }[]).map((p) => p.body)).toEqual([user!.body]);
  });

  it.each([
    ["distinct", refine((p) => p.distinct("organizationId"))],
    ["combine with a row branch", refine((p) => p.combine({ recent: p.limit(1), total: p.count() }))],
  ])("an included relation with %s never returns a value still sealed: refused", async (_name, branch) => {
    const rig = vaultRig(app());
    const tenant = await seedTenant(app(), rig, 1);
    const envelopes = await storedEnvelopes(app(), tenant.orgId);
    const read = usersOf(rig.db)
      .where({ id: tenant.users[0]!.id })
      .include("posts" as never, branch)
      .all()
      .toArray();
    // Were it answered, no envelope may be in it; it is not: refused, and the error shows none either.
    const error = await vaultFailure(
      read.then((rows) => {
        for (const envelope of envelopes) expect(JSON.stringify(rows)).not.toContain(envelope);
      }),
    );
    expect([error.code, error.model, error.field]).toEqual(["VAULT_UNSUPPORTED_QUERY", "Post", "body"]);
  });
});

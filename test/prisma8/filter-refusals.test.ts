/**
 * Filters, ordering, grouping, distinct values and aggregates that cannot run over ciphertext are
 * refused by vaultMiddleware with `VAULT_UNSUPPORTED_QUERY`, naming the model and field, before
 * anything is sent (support/refused-before-sending.ts). Each refusal has a neighbour that is
 * answered, so a refusal that fired for the wrong reason would show.
 */
import { and, or } from "@prisma/orm-postgres/orm-client";
import { describe, expect, it } from "vitest";
import { refusalSetup, refusedBeforeSending, on, type Fields } from "./support/refused-before-sending.js";
import { usersOf } from "./support/seed.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";

const app = usePrisma8App("filter_refusals");
const setup = () => refusalSetup(app());

/** An ordered collection's distinctOn, which the untyped fixture contract does not spell out. */
interface DistinctOn {
  distinctOn(field: string): { all(): { toArray(): Promise<unknown[]> } };
}

/** The aggregate builder of the ORM, which the untyped fixture contract does not spell out. */
interface Aggregates {
  count(): unknown;
  max(field: string): unknown;
  min(field: string): unknown;
}

/** A to-many relation in a where, which the untyped fixture contract does not spell out. */
interface ToMany {
  some(where: (row: Fields) => unknown): never;
}

describe("vaultMiddleware refuses filters that cannot run over ciphertext", () => {
  it.each([
    ["like", on((u) => u["email"]!.like("%example.com"))],
    ["ilike", on((u) => u["email"]!.ilike("%EXAMPLE.COM"))],
    ["gt", on((u) => u["email"]!.gt("a"))],
    ["lt", on((u) => u["email"]!.lt("z"))],
    [
      "like nested in or/and",
      on((u) => or(u["id"]!.eq(0), and(u["organizationId"]!.eq(1), u["email"]!.like("a%")))),
    ],
  ])("%s on the indexed email is refused (User.email)", async (_name, where) => {
    const { rig, sent, tenant } = await setup();
    await refusedBeforeSending(
      { app: app(), sent, orgId: tenant.orgId },
      () => usersOf(rig.db).where(where).all().toArray(),
      "User",
      "email",
    );
  });

  it("equality on ssn, which has no blind index, is refused; the same equality on the indexed email is answered", async () => {
    const { rig, sent, tenant } = await setup();
    const [first] = tenant.users;
    const ctx = { app: app(), sent, orgId: tenant.orgId };
    await refusedBeforeSending(
      ctx,
      () => usersOf(rig.db).where({ ssn: first!.ssn }).all().toArray(),
      "User",
      "ssn",
    );
    await refusedBeforeSending(
      ctx,
      () =>
        usersOf(rig.db)
          .where((u) => u.ssn!.in([first!.ssn]))
          .all()
          .toArray(),
      "User",
      "ssn",
    );
    const found = await usersOf(rig.db).where({ email: first!.email }).all().toArray();
    expect(found.map((u) => u["id"])).toEqual([first!.id]);
  });

  it("a relation filter (some) on ssn, which has no blind index, is refused; some on the indexed email is answered", async () => {
    const { rig, sent, tenant } = await setup();
    const [first] = tenant.users;
    const orgs = rig.db.orm.public!.Organization!;
    await refusedBeforeSending(
      { app: app(), sent, orgId: tenant.orgId },
      () =>
        orgs
          .where(on((o) => (o["users"] as unknown as ToMany).some((u) => u["ssn"]!.eq(first!.ssn))))
          .all()
          .toArray(),
      "User",
      "ssn",
    );
    const found = await orgs
      .where(on((o) => (o["users"] as unknown as ToMany).some((u) => u["email"]!.eq(first!.email))))
      .all()
      .toArray();
    expect(found.map((o) => o["id"])).toEqual([tenant.orgId]);
  });
});

describe("vaultMiddleware refuses sorting, grouping, distinct values and aggregates over ciphertext", () => {
  it("orderBy an encrypted field is refused; orderBy id is answered", async () => {
    const { rig, sent, tenant } = await setup();
    const ctx = { app: app(), sent, orgId: tenant.orgId };
    const users = usersOf(rig.db).where({ organizationId: tenant.orgId });
    await refusedBeforeSending(
      ctx,
      () =>
        users
          .orderBy((u) => u.email!.asc())
          .all()
          .toArray(),
      "User",
      "email",
    );
    await refusedBeforeSending(
      ctx,
      () =>
        users
          .orderBy((u) => u.ssn!.desc())
          .all()
          .toArray(),
      "User",
      "ssn",
    );
    const sorted = await users
      .orderBy((u) => u.id!.desc())
      .all()
      .toArray();
    expect(sorted.map((u) => u["ssn"])).toEqual(tenant.users.map((u) => u.ssn).reverse());
  });

  it("groupBy an encrypted field is refused; groupBy the tenant is answered", async () => {
    const { rig, sent, tenant } = await setup();
    const users = usersOf(rig.db).where({ organizationId: tenant.orgId });
    const count = (a: unknown) => ({ n: (a as Aggregates).count() });
    await refusedBeforeSending(
      { app: app(), sent, orgId: tenant.orgId },
      () => users.groupBy("ssn" as never).aggregate(count as never),
      "User",
      "ssn",
    );
    const groups = await users.groupBy("organizationId" as never).aggregate(count as never);
    expect(groups).toEqual([{ organizationId: tenant.orgId, n: 2 }]);
  });

  it("distinct and distinctOn an encrypted field are refused; distinct on the tenant is answered", async () => {
    const { rig, sent, tenant } = await setup();
    const ctx = { app: app(), sent, orgId: tenant.orgId };
    const users = usersOf(rig.db).where({ organizationId: tenant.orgId });
    await refusedBeforeSending(ctx, () => users.distinct("ssn").all().toArray(), "User", "ssn");
    await refusedBeforeSending(
      ctx,
      () => (users.orderBy((u) => u.id!.asc()) as unknown as DistinctOn).distinctOn("email").all().toArray(),
      "User",
      "email",
    );
    const one = await users.distinct("organizationId").all().toArray();
    expect(one).toHaveLength(1);
    expect(tenant.users.map((u) => u.ssn)).toContain(one[0]?.["ssn"]);
  });

  it("max and min of an encrypted field are refused; count is answered", async () => {
    const { rig, sent, tenant } = await setup();
    const ctx = { app: app(), sent, orgId: tenant.orgId };
    const users = usersOf(rig.db).where({ organizationId: tenant.orgId });
    const max = (a: unknown) => ({ m: (a as Aggregates).max("ssn") });
    const min = (a: unknown) => ({ m: (a as Aggregates).min("email") });
    await refusedBeforeSending(ctx, () => users.aggregate(max as never), "User", "ssn");
    await refusedBeforeSending(ctx, () => users.aggregate(min as never), "User", "email");
    const counted = await users.aggregate(((a: unknown) => ({ n: (a as Aggregates).count() })) as never);
    expect(counted).toEqual({ n: 2 });
  });
});

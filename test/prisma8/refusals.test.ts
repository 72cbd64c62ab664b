/**
 * What vaultMiddleware cannot answer over ciphertext is refused with `VAULT_UNSUPPORTED_QUERY`, naming
 * the model and field, before anything is sent: no statement reaches the driver (a recorder placed
 * beside the middleware sees none), no row comes back, the database is unchanged, and the error shows
 * no plaintext, key or ciphertext. Each refusal has a neighbour that is allowed, so a refusal that
 * fired for the wrong reason would show.
 */
import { and, or } from "@prisma/orm-postgres/orm-client";
import { describe, expect, it } from "vitest";
import { vaultFailure } from "../support/errors.js";
import type { Prisma8App, Prisma8Db } from "./support/prisma8-app.js";
import { seedTenant, tenantRows, usersOf, type SeededTenant } from "./support/seed.js";
import { sentStatements, type SentStatements } from "./support/sent-statements.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { vaultRig, type VaultRig } from "./support/vault-rig.js";

const app = usePrisma8App("refusals");

interface Setup {
  readonly rig: VaultRig;
  readonly sent: SentStatements;
  readonly tenant: SeededTenant;
}

async function setup(): Promise<Setup> {
  const sent = sentStatements();
  const rig = vaultRig(app(), { before: [sent.middleware] });
  const tenant = await seedTenant(app(), rig, 2);
  sent.clear();
  return { rig, sent, tenant };
}

/** One field of the ORM's where and orderBy proxies, which the untyped fixture contract does not spell out. */
interface Field {
  eq(value: unknown): never;
  in(values: readonly unknown[]): never;
  like(pattern: string): never;
  ilike(pattern: string): never;
  gt(value: unknown): never;
  lt(value: unknown): never;
  asc(): never;
  desc(): never;
}
type Fields = Readonly<Record<string, Field>>;

/** A where or orderBy callback over {@link Fields}, as the ORM takes it. */
const on = (callback: (fields: Fields) => unknown): never => callback as never;

/** A prepared statement, as `db.prepare` gives it. */
interface Prepared {
  query(runtime: unknown, params: Readonly<Record<string, unknown>>): PromiseLike<Record<string, unknown>[]>;
}

/** `db.prepare(declaration, build)`, typed loosely: the untyped fixture contract names no codec types. */
function prepare(
  db: Prisma8Db,
  declaration: Record<string, string>,
  build: (params: Record<string, never>) => unknown,
) {
  return db.prepare(declaration as never, build as never) as unknown as Promise<Prepared>;
}

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

/** `run()` is refused with VAULT_UNSUPPORTED_QUERY on `model.field`, nothing sent, the tenant's rows unchanged. */
async function refusedBeforeSending(
  { app: theApp, sent, orgId }: { app: Prisma8App; sent: SentStatements; orgId: number },
  run: () => PromiseLike<unknown>,
  model: string,
  field: string,
  because?: RegExp,
): Promise<void> {
  const before = await tenantRows(theApp, orgId);
  sent.clear();
  const error = await vaultFailure(Promise.resolve().then(run));
  expect({ code: error.code, model: error.model, field: error.field }).toEqual({
    code: "VAULT_UNSUPPORTED_QUERY",
    model,
    field,
  });
  // Where two checks would refuse alike, the message shows which one did (the code is the contract).
  if (because) expect(error.message).toMatch(because);
  expect(sent.sql).toEqual([]);
  expect(await tenantRows(theApp, orgId)).toEqual(before);
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

describe("vaultMiddleware refuses raw SQL that names an encrypted column", () => {
  it("a raw select and a raw update naming ssn are refused; raw SQL naming no encrypted column runs", async () => {
    const { rig, sent, tenant } = await setup();
    const ctx = { app: app(), sent, orgId: tenant.orgId };
    const { db } = rig;
    await refusedBeforeSending(
      ctx,
      () =>
        db
          .runtime()
          .query(
            db.raw.sql`SELECT "ssn" FROM "User" WHERE "organizationId" = ${tenant.orgId}`
              .returnsRow({ ssn: "pg/text@1" })
              .build(),
          )
          .toArray(),
      "User",
      "ssn",
    );
    await refusedBeforeSending(
      ctx,
      () =>
        db
          .runtime()
          .execute(
            db.raw.sql`UPDATE "User" SET "ssn" = ${"plain-by-hand"} WHERE "organizationId" = ${tenant.orgId}`
              .affectedCount()
              .build(),
          ),
      "User",
      "ssn",
    );
    const ids = await db
      .runtime()
      .query(
        db.raw.sql`SELECT "id" FROM "User" WHERE "organizationId" = ${tenant.orgId} ORDER BY "id"`
          .returnsRow({ id: "pg/int4@1" })
          .build(),
      )
      .toArray();
    expect(ids.map((r) => r["id"])).toEqual(tenant.users.map((u) => u.id));
  });
});

describe("vaultMiddleware refuses writes it cannot seal", () => {
  it("writing the blind-index column by hand is refused, in a create and in an update", async () => {
    const { rig, sent, tenant } = await setup();
    const ctx = { app: app(), sent, orgId: tenant.orgId };
    const [first] = tenant.users;
    await refusedBeforeSending(
      ctx,
      () =>
        usersOf(rig.db).create({
          organizationId: tenant.orgId,
          email: "hand@example.com",
          emailIndex: "forged",
        }),
      "User",
      "email",
    );
    await refusedBeforeSending(
      ctx,
      () =>
        usersOf(rig.db).where({ organizationId: tenant.orgId }).updateAll({ emailIndex: "forged" }).toArray(),
      "User",
      "email",
    );
    // The refused update's pre-read may be sent; its UPDATE never is.
    sent.clear();
    const error = await vaultFailure(
      Promise.resolve(
        usersOf(rig.db)
          .where({ id: first!.id, organizationId: tenant.orgId })
          .update({ emailIndex: "forged" }),
      ),
    );
    expect([error.code, error.model, error.field]).toEqual(["VAULT_UNSUPPORTED_QUERY", "User", "email"]);
    expect(sent.sql.filter((s) => !/^select/i.test(s))).toEqual([]);
  });

  it("a value that is no string for an encrypted field is refused, in a create and in an updateAll", async () => {
    const { rig, sent, tenant } = await setup();
    const ctx = { app: app(), sent, orgId: tenant.orgId };
    await refusedBeforeSending(
      ctx,
      () =>
        usersOf(rig.db).create({
          organizationId: tenant.orgId,
          email: "num@example.com",
          ssn: 123456789,
        }),
      "User",
      "ssn",
    );
    await refusedBeforeSending(
      ctx,
      () => usersOf(rig.db).where({ organizationId: tenant.orgId }).updateAll({ ssn: 42 }).toArray(),
      "User",
      "ssn",
    );
  });
});

describe("vaultMiddleware refuses prepared statements over encrypted fields", () => {
  it("the SQL builder's prepared lookup by email (the guide's example) is refused when it is prepared", async () => {
    const { rig, sent, tenant } = await setup();
    const { db } = rig;
    await refusedBeforeSending(
      { app: app(), sent, orgId: tenant.orgId },
      () =>
        prepare(db, { email: "pg/text@1" }, (params) =>
          db.sql
            .public!.User!.select("id", "email")
            .where((f, fns) => fns.eq(f.email!, params["email"]!))
            .limit(1)
            .build(),
        ),
      "User",
      "email",
      /prepared statement/,
    );
  });

  it("the ORM's prepared first() filtering email or ssn is refused when it is prepared", async () => {
    const { rig, sent, tenant } = await setup();
    const ctx = { app: app(), sent, orgId: tenant.orgId };
    const { db } = rig;
    await refusedBeforeSending(
      ctx,
      () =>
        prepare(db, { email: "pg/text@1" }, (p) =>
          usersOf(db)
            .where(on((u) => u["email"]!.eq(p["email"])))
            .prepared.first(),
        ),
      "User",
      "email",
      /prepared statement/,
    );
    await refusedBeforeSending(
      ctx,
      () =>
        prepare(db, { ssn: "pg/text@1" }, (p) =>
          usersOf(db)
            .where(on((u) => u["ssn"]!.eq(p["ssn"])))
            .prepared.first(),
        ),
      "User",
      "ssn",
    );
  });

  it("a prepared update writing ssn is refused; a prepared lookup by the tenant runs and its values open", async () => {
    const { rig, sent, tenant } = await setup();
    const { db } = rig;
    await refusedBeforeSending(
      { app: app(), sent, orgId: tenant.orgId },
      () =>
        prepare(db, { ssn: "pg/text@1" }, (params) =>
          db.sql
            .public!.User!.update({ ssn: params["ssn"] } as never)
            .where((f, fns) => fns.eq(f.organizationId!, tenant.orgId as never))
            .build(),
        ),
      "User",
      "ssn",
    );
    const lookup = await prepare(db, { org: "pg/int4@1" }, (p) =>
      usersOf(db)
        .where(on((u) => u["organizationId"]!.eq(p["org"])))
        .prepared.all(),
    );
    const rows = await lookup.query(db.runtime(), { org: tenant.orgId });
    expect(rows.map((u) => u["ssn"]).sort()).toEqual(tenant.users.map((u) => u.ssn).sort());
  });
});

/**
 * Raw SQL naming an encrypted column, writes vaultMiddleware cannot seal (a blind-index column given by
 * hand, a value that is no string) and prepared statements over encrypted fields are refused with
 * `VAULT_UNSUPPORTED_QUERY`, naming the model and field, before anything is sent
 * (support/refused-before-sending.ts). Each has a neighbour that runs.
 */
import { describe, expect, it } from "vitest";
import { vaultFailure } from "../support/errors.js";
import type { Prisma8Db } from "./support/prisma8-app.js";
import { refusalSetup, refusedBeforeSending, on } from "./support/refused-before-sending.js";
import { usersOf } from "./support/seed.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";

const app = usePrisma8App("statement_refusals");
const setup = () => refusalSetup(app());

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

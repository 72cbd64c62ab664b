/**
 * vaultMiddleware on the real Prisma 8 RC and PostgreSQL: what an application writes is sealed in the
 * database and reads back as it was written, at the top level and in included relations, with one
 * key-provider call per tenant.
 */
import { describe, expect, it } from "vitest";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { vaultRig } from "./support/vault-rig.js";

const app = usePrisma8App("round_trips");

const ENVELOPE = /^[A-Za-z0-9+/]+=*$/;

describe("vaultMiddleware: round trips", () => {
  it("create seals email and ssn; the database holds envelopes and the blind index; reads open them", async () => {
    const { db } = vaultRig(app());
    const org = await db.orm.public!.Organization!.create({ name: "acme" });
    const created = await db.orm.public!.User!.create({
      organizationId: org["id"],
      email: "ada@example.com",
      ssn: "123-45-6789",
    });
    expect(created).toMatchObject({ email: "ada@example.com", ssn: "123-45-6789" });
    const [stored] = await app().sql(`SELECT "email", "emailIndex", "ssn" FROM "User" WHERE "id" = $1`, [
      created["id"],
    ]);
    expect(stored?.["email"]).toMatch(ENVELOPE);
    expect(stored?.["ssn"]).toMatch(ENVELOPE);
    expect(stored?.["email"]).not.toContain("ada");
    expect(stored?.["emailIndex"]).toMatch(/^[0-9a-f]{64}$|^[A-Za-z0-9_-]+$/);
    const read = await db.orm.public!.User!.where({ id: created["id"] }).all().toArray();
    expect(read).toEqual([expect.objectContaining({ email: "ada@example.com", ssn: "123-45-6789" })]);
  });
});

describe("vaultMiddleware: relations, filters and updates", () => {
  it("nested creates, two-level and to-one includes, narrow selects: every value opens, one key call per tenant", async () => {
    const { db, keys } = vaultRig(app());
    const orgs = await Promise.all(
      ["a", "b", "c"].map((name) => db.orm.public!.Organization!.create({ name })),
    );
    for (const [i, org] of orgs.entries()) {
      await db.orm.public!.User!.create({
        organizationId: org["id"],
        email: `u${i}@example.com`,
        ssn: `ssn-${i}`,
        posts: (post: any) =>
          post.create([
            { organizationId: org["id"], body: `body-${i}-1` },
            { organizationId: org["id"], body: `body-${i}-2` },
          ]),
      });
    }
    expect(keys.calls()).toBe(3);
    const ids = orgs.map((o) => o["id"]);
    const cold = vaultRig(app()).db;
    const nested = await cold.orm
      .public!.Organization!.where((o: any) => o.id.in(ids))
      .include("users" as never, (u: any) => u.include("posts"))
      .all()
      .toArray();
    const bodies = nested.flatMap((o: any) => o.users.flatMap((u: any) => u.posts.map((p: any) => p.body)));
    expect(bodies.sort()).toEqual(["body-0-1", "body-0-2", "body-1-1", "body-1-2", "body-2-1", "body-2-2"]);
    expect(nested.flatMap((o: any) => o.users.map((u: any) => u.ssn)).sort()).toEqual([
      "ssn-0",
      "ssn-1",
      "ssn-2",
    ]);
    const toOne = await db.orm
      .public!.Post!.where((p: any) => p.organizationId.in(ids))
      .include("author" as never)
      .all()
      .toArray();
    expect(toOne.map((p: any) => p.author.email).sort()).toEqual([
      "u0@example.com",
      "u0@example.com",
      "u1@example.com",
      "u1@example.com",
      "u2@example.com",
      "u2@example.com",
    ]);
    const narrow = await db.orm
      .public!.User!.where((u: any) => u.organizationId.in(ids))
      .select("id" as never, "ssn" as never)
      .all()
      .toArray();
    expect(narrow.map((u: any) => Object.keys(u).sort())).toEqual([
      ["id", "ssn"],
      ["id", "ssn"],
      ["id", "ssn"],
    ]);
    expect(narrow.map((u: any) => u.ssn).sort()).toEqual(["ssn-0", "ssn-1", "ssn-2"]);
  });

  it("where on an indexed field (eq, in) finds rows by blind index; update with the tenant in where re-seals", async () => {
    const { db } = vaultRig(app());
    const org = await db.orm.public!.Organization!.create({ name: "find" });
    const other = await db.orm.public!.Organization!.create({ name: "other" });
    const ada = await db.orm.public!.User!.create({
      organizationId: org["id"],
      email: "Ada.Find@Example.com",
      ssn: "1",
    });
    await db.orm.public!.User!.create({ organizationId: other["id"], email: "bob@example.com", ssn: "2" });
    const found = await db.orm.public!.User!.where({ email: "ada.find@example.com" }).all().toArray();
    expect(found.map((u: any) => u.id)).toEqual([ada["id"]]);
    const some = await db.orm
      .public!.User!.where((u: any) => u.email.in(["ada.find@example.com", "bob@example.com"]))
      .all()
      .toArray();
    expect(some).toHaveLength(2);
    const updated = await db.orm
      .public!.User!.where({ id: ada["id"], organizationId: org["id"] })
      .update({ ssn: "999" });
    expect(updated).toMatchObject({ ssn: "999", email: "Ada.Find@Example.com" });
    const again = await db.orm.public!.User!.where({ id: ada["id"] }).all().toArray();
    expect(again[0]).toMatchObject({ ssn: "999" });
    const all = await db.orm.public!.User!.where({ organizationId: org["id"] }).updateAll({ ssn: "all" });
    expect(all.map((u: any) => u.ssn)).toEqual(["all"]);
  });
});

describe("vaultMiddleware: stats and close", () => {
  it("stats() counts the cache; after close() a query needing a key is VAULT_CONFIG and nothing is written", async () => {
    const { db, middleware } = vaultRig(app());
    const org = await db.orm.public!.Organization!.create({ name: "closing" });
    await db.orm.public!.User!.create({ organizationId: org["id"], email: "close@example.com", ssn: "1" });
    expect(middleware.stats()).toMatchObject({ aead: "node" });
    await middleware.close();
    await expect(
      db.orm.public!.User!.create({ organizationId: org["id"], email: "after@example.com", ssn: "2" }),
    ).rejects.toMatchObject({ code: "VAULT_CONFIG", message: expect.stringContaining("close()") });
    await expect(
      db.orm.public!.User!.where({ organizationId: org["id"] }).all().toArray(),
    ).rejects.toMatchObject({
      code: "VAULT_CONFIG",
    });
    expect(
      await app().sql(`SELECT count(*)::int AS n FROM "User" WHERE "organizationId" = $1`, [org["id"]]),
    ).toEqual([{ n: 1 }]);
  });
});

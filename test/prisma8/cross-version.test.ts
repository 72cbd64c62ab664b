/**
 * One database, two Prismas (issue 30, item 4): rows written by Prisma 7's `vault()` read through Prisma
 * 8's `vaultMiddleware`, and the other way round, with the same keys and options. Both write the same
 * envelopes and associated data, and the same blind index, so a `where` by email on one finds the rows
 * the other wrote, and included relations open on both.
 */
import { describe, expect, it } from "vitest";
import { usePrisma7On } from "./support/prisma7-on-prisma8.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { vaultRig } from "./support/vault-rig.js";

const app = usePrisma8App("cross_version");
const prisma7 = usePrisma7On(app);

const ENVELOPE = /^[A-Za-z0-9+/]+=*$/;

/** A Prisma 8 row's id (its rows are untyped here), as Prisma 7's typed arguments take it. */
const idOf = (row: Record<string, unknown>): number => row["id"] as number;

/** What the database holds for a user, read with SQL past both Prismas. */
async function storedUser(id: number) {
  const [row] = await app().sql<{ email: string; emailIndex: string | null; ssn: string | null }>(
    `SELECT "email", "emailIndex", "ssn" FROM "User" WHERE "id" = $1`,
    [id],
  );
  return row;
}

describe("Prisma 7 writes, Prisma 8 reads", () => {
  it("users and posts created by vault() open through the middleware: by email, top level and two-level includes", async () => {
    const p7 = prisma7.vault();
    const org = await p7.organization.create({ data: { name: "seven" } });
    const ada = await p7.user.create({
      data: {
        organizationId: org.id,
        email: "Ada.Seven@Example.com",
        ssn: "111-11-1111",
        posts: {
          create: [
            { organizationId: org.id, body: "seven-1" },
            { organizationId: org.id, body: "seven-2" },
          ],
        },
      },
    });
    const stored = await storedUser(ada.id);
    expect(stored?.email).toMatch(ENVELOPE);
    expect(stored?.ssn).toMatch(ENVELOPE);
    expect(stored?.emailIndex).toBeTruthy();

    const { db, keys } = vaultRig(app());
    // The index is normalized ("email"): the middleware's where finds what vault() indexed.
    const found = await db.orm.public!.User!.where({ email: "ada.seven@example.com" }).all().toArray();
    expect(found).toEqual([
      expect.objectContaining({ id: ada.id, email: "Ada.Seven@Example.com", ssn: "111-11-1111" }),
    ]);
    const withPosts = await db.orm
      .public!.User!.where({ id: ada.id })
      .include("posts" as never)
      .all()
      .toArray();
    expect(withPosts.flatMap((u: any) => u.posts.map((p: any) => p.body)).sort()).toEqual([
      "seven-1",
      "seven-2",
    ]);
    const nested = await db.orm
      .public!.Organization!.where({ id: org.id })
      .include("users" as never, (u: any) => u.include("posts"))
      .all()
      .toArray();
    expect(nested.flatMap((o: any) => o.users.map((u: any) => u.ssn))).toEqual(["111-11-1111"]);
    expect(
      nested.flatMap((o: any) => o.users.flatMap((u: any) => u.posts.map((p: any) => p.body))).sort(),
    ).toEqual(["seven-1", "seven-2"]);
    // One tenant, one data key: the middleware opened vault()'s key blob once.
    expect(keys.calls()).toBe(1);
  });

  it("a row vault() updated (tenant in where) reads back through the middleware with its new value", async () => {
    const p7 = prisma7.vault();
    const org = await p7.organization.create({ data: { name: "seven-update" } });
    const user = await p7.user.create({
      data: { organizationId: org.id, email: "upd7@example.com", ssn: "old" },
    });
    await p7.user.update({ where: { id: user.id, organizationId: org.id }, data: { ssn: "new" } });
    const { db } = vaultRig(app());
    const [read] = await db.orm.public!.User!.where({ email: "upd7@example.com" }).all().toArray();
    expect(read).toMatchObject({ id: user.id, ssn: "new" });
  });
});

describe("Prisma 8 writes, Prisma 7 reads", () => {
  it("users and posts created through the middleware open through vault(): by email, top level and two-level includes", async () => {
    const { db } = vaultRig(app());
    const org = await db.orm.public!.Organization!.create({ name: "eight" });
    const bob = await db.orm.public!.User!.create({
      organizationId: org["id"],
      email: "Bob.Eight@Example.com",
      ssn: "888-88-8888",
      posts: (post: any) =>
        post.create([
          { organizationId: org["id"], body: "eight-1" },
          { organizationId: org["id"], body: "eight-2" },
        ]),
    });
    expect((await storedUser(idOf(bob)))?.ssn).toMatch(ENVELOPE);

    const p7 = prisma7.vault();
    const found = await p7.user.findMany({
      where: { email: "bob.eight@example.com" },
      include: { posts: true },
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ id: idOf(bob), email: "Bob.Eight@Example.com", ssn: "888-88-8888" });
    expect(found[0]?.posts.map((p) => p.body).sort()).toEqual(["eight-1", "eight-2"]);
    const nested = await p7.organization.findUnique({
      where: { id: idOf(org) },
      include: { users: { include: { posts: true } } },
    });
    expect(nested?.users.map((u) => u.ssn)).toEqual(["888-88-8888"]);
    expect(nested?.users.flatMap((u) => u.posts.map((p) => p.body)).sort()).toEqual(["eight-1", "eight-2"]);
    const toOne = await p7.post.findMany({ where: { authorId: idOf(bob) }, include: { author: true } });
    expect(toOne.map((p) => p.author.email)).toEqual(["Bob.Eight@Example.com", "Bob.Eight@Example.com"]);
  });

  it("a row the middleware updated (tenant in where) reads back through vault() with its new value", async () => {
    const { db } = vaultRig(app());
    const org = await db.orm.public!.Organization!.create({ name: "eight-update" });
    const user = await db.orm.public!.User!.create({
      organizationId: org["id"],
      email: "upd8@example.com",
      ssn: "old",
    });
    await db.orm.public!.User!.where({ id: user["id"], organizationId: org["id"] }).update({ ssn: "new" });
    const read = await prisma7.vault().user.findFirst({ where: { email: "upd8@example.com" } });
    expect(read).toMatchObject({ id: user["id"], ssn: "new" });
  });
});

describe("one blind index for both", () => {
  it("the same email gets the same index from vault() and from the middleware; an in() on either finds both rows", async () => {
    const p7 = prisma7.vault();
    const { db } = vaultRig(app());
    const org = await p7.organization.create({ data: { name: "both" } });
    const fromSeven = await p7.user.create({ data: { organizationId: org.id, email: "Same@Example.com" } });
    const fromEight = await db.orm.public!.User!.create({
      organizationId: org.id,
      email: "same@example.com",
    });
    const [seven, eight] = [await storedUser(fromSeven.id), await storedUser(idOf(fromEight))];
    expect(seven?.emailIndex).toBeTruthy();
    expect(seven?.emailIndex).toBe(eight?.emailIndex);
    // Different envelopes all the same: each value is sealed under a fresh IV.
    expect(seven?.email).not.toBe(eight?.email);

    const ids = [fromSeven.id, idOf(fromEight)].sort();
    const by8 = await db.orm
      .public!.User!.where((u: any) => u.email.in(["same@example.com", "nobody@example.com"]))
      .all()
      .toArray();
    expect(by8.map((u: any) => u.id).sort()).toEqual(ids);
    const by7 = await p7.user.findMany({
      where: { email: { in: ["SAME@example.com", "nobody@example.com"] } },
    });
    expect(by7.map((u) => u.id).sort()).toEqual(ids);
    expect(by7.map((u) => u.email).sort()).toEqual(["Same@Example.com", "same@example.com"]);
  });
});

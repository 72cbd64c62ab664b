/**
 * The Prisma 8 harness itself (issue 30), before any prisma-vault code runs on it: the fixture contract
 * emitted and its tables created by compat/prisma8's CLI, the release candidate's ORM writing and reading
 * through them, `sql` seeing the same rows past Prisma, and a middleware handed to `client()` reached by
 * every query.
 */
import type { Contract } from "@prisma/orm-postgres/contract/types";
import type { SqlStorage } from "@prisma/orm-postgres/family-contract/types";
import type { RelationMutator } from "@prisma/orm-postgres/orm-client";
import { describe, expect, it } from "vitest";
import type { Prisma8Middleware } from "./support/prisma8-app.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";

const app = usePrisma8App("harness");

/** A nested write's callback parameter, spelled out: on the untyped contract it would be `any`. */
type PostMutator = RelationMutator<Contract<SqlStorage>, "Post">;

describe("the Prisma 8 harness", () => {
  it("a plain client creates, reads with include and updates by where; sql sees the rows", async () => {
    const db = app().client();
    const org = await db.orm.public!.Organization!.create({ name: "acme" });
    const user = await db.orm.public!.User!.create({
      organizationId: org["id"],
      email: "ada@example.com",
      ssn: "123-45-6789",
      posts: (post: PostMutator) =>
        post.create([{ organizationId: org["id"], body: "hello", title: "first" }]),
    });

    const read = await db.orm
      .public!.User!.where({ email: "ada@example.com" })
      .include("posts" as never) // the contract is untyped here (no contract.d.ts at compile time)
      .all()
      .toArray();
    expect(read).toEqual([
      expect.objectContaining({
        id: user["id"],
        organizationId: org["id"],
        ssn: "123-45-6789",
        posts: [expect.objectContaining({ authorId: user["id"], body: "hello", title: "first" })],
      }),
    ]);

    await db.orm
      .public!.User!.where({ id: user["id"], organizationId: org["id"] })
      .update({ ssn: "987-65-4321" });
    expect(await app().sql(`SELECT "email", "ssn" FROM "User" WHERE "id" = $1`, [user["id"]])).toEqual([
      { email: "ada@example.com", ssn: "987-65-4321" },
    ]);
    expect(await app().sql(`SELECT "authorId", "organizationId", "body" FROM "Post"`)).toEqual([
      { authorId: user["id"], organizationId: org["id"], body: "hello" },
    ]);
  });

  it("a middleware given to client() sees every query's AST before it is compiled", async () => {
    const kinds: string[] = [];
    const spy: Prisma8Middleware = {
      name: "spy",
      familyId: "sql",
      beforeCompile(draft) {
        kinds.push(draft.ast.kind);
        return Promise.resolve(undefined); // pass-through: the AST as it came
      },
    };
    const db = app().client([spy]);
    const org = await db.orm.public!.Organization!.create({ name: "globex" });
    await db.orm.public!.AuditLog!.create({ action: "created", subject: `org ${String(org["id"])}` });
    await db.orm.public!.Organization!.where({ id: org["id"] }).update({ name: "globex inc" });
    const rows = await db.orm.public!.Organization!.where({ id: org["id"] }).all().toArray();

    expect(rows).toEqual([expect.objectContaining({ name: "globex inc" })]);
    // Two creates, the update (Prisma 8 reads the matching ids first, then updates by them), the read.
    expect(kinds).toEqual(["insert", "insert", "select", "update", "select"]);
    expect(await app().sql(`SELECT "action" FROM "AuditLog"`)).toEqual([{ action: "created" }]);
  });
});

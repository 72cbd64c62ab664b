/**
 * The official WorkOS SDK and the Prisma 8 middleware read each other's envelopes (issue 30, item 4):
 * the middleware's keys are a WorkOSKeyProvider over `@workos-inc/node` talking to our key server, as in
 * the Prisma 7 interop tests (test/prisma/suite.ts). What the middleware writes, `workos.vault.decrypt`
 * opens with `associatedData(model, field, context)`; what `workos.vault.encrypt` seals with the row's
 * context and associated data, stored with SQL, the middleware opens (and finds by its blind index).
 *
 * Runs on the installed SDK (the latest) only: Prisma 8 needs Node >= 22.18, and CI's leg with the
 * oldest SDK runs on Node 20, where test/prisma8 skips.
 */
import { describe, expect, it } from "vitest";
import { associatedData } from "../../src/context/key-context.js";
import { BlindIndex } from "../../src/core/blind-index.js";
import { useKeyServerRig } from "../support/key-server.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { vaultRig } from "./support/vault-rig.js";

const app = usePrisma8App("workos_interop");
const rig = useKeyServerRig();

const ENVELOPE = /^[A-Za-z0-9+/]+=*$/;

/** The key context of a fixture row: its organization's id, as the text every key context holds. */
const contextOf = (organizationId: unknown) => ({ organizationId: String(organizationId) });

describe("the WorkOS SDK and the Prisma 8 middleware, one key service", () => {
  it("workos.vault.decrypt opens what the middleware wrote, with associatedData(model, field, row context)", async () => {
    const { db } = vaultRig(app(), { keys: rig.provider });
    const org = await db.orm.public!.Organization!.create({ name: "sdk-reads" });
    const user = await db.orm.public!.User!.create({
      organizationId: org["id"],
      email: "grace@example.com",
      ssn: "222-22-2222",
      posts: (post: any) => post.create([{ organizationId: org["id"], body: "a post for the SDK" }]),
    });
    const [stored] = await app().sql<{ email: string; ssn: string; body: string }>(
      `SELECT u."email", u."ssn", p."body" FROM "User" u JOIN "Post" p ON p."authorId" = u."id" WHERE u."id" = $1`,
      [user["id"]],
    );
    expect(stored?.ssn).toMatch(ENVELOPE);
    const context = contextOf(org["id"]);
    const open = (envelope: string | undefined, model: string, field: string) =>
      rig.workos.vault.decrypt(envelope as string, associatedData(model, field, context));
    expect(await open(stored?.email, "User", "email")).toBe("grace@example.com");
    expect(await open(stored?.ssn, "User", "ssn")).toBe("222-22-2222");
    expect(await open(stored?.body, "Post", "body")).toBe("a post for the SDK");
    // Bound to its field: the SDK refuses the ssn under the email's associated data.
    await expect(open(stored?.ssn, "User", "email")).rejects.toThrow();
  });

  it("envelopes workos.vault.encrypt sealed with the row's context and associated data, stored with SQL, open through the middleware", async () => {
    const { db, indexSecret } = vaultRig(app(), { keys: rig.provider });
    const org = await db.orm.public!.Organization!.create({ name: "sdk-writes" });
    const context = contextOf(org["id"]);
    const seal = (text: string, model: string, field: string) =>
      rig.workos.vault.encrypt(text, context, associatedData(model, field, context));
    // An application outside Prisma fills the blind index with the same secret and normalizer.
    const emailIndex = new BlindIndex(indexSecret, { model: "User", field: "email", normalize: "email" });
    const [row] = await app().sql<{ id: number }>(
      `INSERT INTO "User" ("organizationId", "email", "emailIndex", "ssn") VALUES ($1, $2, $3, $4) RETURNING "id"`,
      [
        org["id"],
        await seal("Linus@Example.com", "User", "email"),
        emailIndex.compute("Linus@Example.com"),
        await seal("333-33-3333", "User", "ssn"),
      ],
    );
    await app().sql(`INSERT INTO "Post" ("organizationId", "authorId", "body") VALUES ($1, $2, $3)`, [
      org["id"],
      row?.id,
      await seal("written by the SDK", "Post", "body"),
    ]);

    const found = await db.orm
      .public!.User!.where({ email: "linus@example.com" })
      .include("posts" as never)
      .all()
      .toArray();
    expect(found).toEqual([
      expect.objectContaining({
        id: row?.id,
        email: "Linus@Example.com",
        ssn: "333-33-3333",
        posts: [expect.objectContaining({ body: "written by the SDK" })],
      }),
    ]);
  });

  it("an SDK envelope sealed for one tenant and stored in another tenant's row is refused, never returned", async () => {
    const { db } = vaultRig(app(), { keys: rig.provider });
    const mine = await db.orm.public!.Organization!.create({ name: "sdk-mine" });
    const theirs = await db.orm.public!.Organization!.create({ name: "sdk-theirs" });
    const context = contextOf(mine["id"]);
    const ssn = await rig.workos.vault.encrypt(
      "444-44-4444",
      context,
      associatedData("User", "ssn", context),
    );
    const user = await db.orm.public!.User!.create({
      organizationId: theirs["id"],
      email: "moved@example.com",
    });
    await app().sql(`UPDATE "User" SET "ssn" = $1 WHERE "id" = $2`, [ssn, user["id"]]);
    await expect(db.orm.public!.User!.where({ id: user["id"] }).all().toArray()).rejects.toMatchObject({
      code: "VAULT_DECRYPT_FAILED",
    });
  });
});

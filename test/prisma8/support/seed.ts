/**
 * Rows a test of test/prisma8 starts from: one organization and its users (and their posts), written
 * through the middleware with plaintexts unique to the call, every plaintext, the keys and the stored
 * envelopes declared secret (test/support/secrets.ts), and ways to compare the tenant's rows before
 * and after a refused query.
 */
import { randomUUID } from "node:crypto";
import { registerSecrets } from "../../support/secrets.js";
import type { Prisma8App, Prisma8Db } from "./prisma8-app.js";
import type { VaultRig } from "./vault-rig.js";

/** One seeded user, as written. */
export interface SeededUser {
  readonly id: number;
  readonly email: string;
  readonly ssn: string;
  readonly body: string;
  readonly postId: number;
}

/** One organization with its users. */
export interface SeededTenant {
  readonly orgId: number;
  readonly users: readonly SeededUser[];
  /** Every plaintext written, to look for in results and errors. */
  readonly plaintexts: readonly string[];
}

/**
 * Creates an organization with `count` users, each with one post, through `rig.db`. Plaintexts carry a
 * fresh tag, so tests of one file (one database) never see each other's rows by value.
 *
 * @example const tenant = await seedTenant(app(), rig, 2);
 */
export async function seedTenant(app: Prisma8App, rig: VaultRig, count = 1): Promise<SeededTenant> {
  const tag = randomUUID().slice(0, 8);
  const org = await rig.db.orm.public!.Organization!.create({ name: `org-${tag}` });
  const orgId = org["id"] as number;
  const users: SeededUser[] = [];
  for (let i = 0; i < count; i++) {
    const email = `user${i}-${tag}@example.com`;
    const ssn = `ssn-${i}-${tag}`;
    const body = `body of post ${i} ${tag}`;
    const user = await rig.db.orm.public!.User!.create({ organizationId: orgId, email, ssn });
    const post = await rig.db.orm.public!.Post!.create({ organizationId: orgId, authorId: user["id"], body });
    users.push({ id: user["id"] as number, email, ssn, body, postId: post["id"] as number });
  }
  const plaintexts = users.flatMap((u) => [u.email, u.ssn, u.body]);
  registerSecrets(...plaintexts, rig.masterKey, rig.indexSecret);
  registerSecrets(...(await storedEnvelopes(app, orgId)));
  return { orgId, users, plaintexts };
}

/** Every envelope the tenant's rows hold, as stored. */
export async function storedEnvelopes(app: Prisma8App, orgId: number): Promise<string[]> {
  const users = await app.sql<{ email: string; ssn: string | null }>(
    `SELECT "email", "ssn" FROM "User" WHERE "organizationId" = $1 ORDER BY "id"`,
    [orgId],
  );
  const posts = await app.sql<{ body: string }>(
    `SELECT "body" FROM "Post" WHERE "organizationId" = $1 ORDER BY "id"`,
    [orgId],
  );
  return [...users.flatMap((u) => [u.email, u.ssn ?? ""]), ...posts.map((p) => p.body)].filter(
    (v) => v !== "",
  );
}

/** The tenant's User and Post rows as PostgreSQL stores them, in id order: compare before and after. */
export async function tenantRows(app: Prisma8App, orgId: number): Promise<unknown[]> {
  const users = await app.sql(`SELECT * FROM "User" WHERE "organizationId" = $1 ORDER BY "id"`, [orgId]);
  const posts = await app.sql(`SELECT * FROM "Post" WHERE "organizationId" = $1 ORDER BY "id"`, [orgId]);
  return [...users, ...posts];
}

/** The ORM's User model of `db`. */
export function usersOf(db: Prisma8Db): NonNullable<NonNullable<Prisma8Db["orm"]["public"]>["User"]> {
  return db.orm.public!.User!;
}

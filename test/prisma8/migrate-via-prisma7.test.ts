/**
 * `migrate` on a Prisma 8 database, run from Prisma 7 (issue 30, item 4, route (b)): the migration engine
 * works through a Prisma 7 client extended with `vault()`, so a Prisma 8 app runs it from a Prisma 7
 * client generated over the same database (`prisma db pull` + `prisma generate`; here
 * support/prisma7.schema.prisma), with the same keys and `models` as its middleware. Rows written in
 * plaintext with SQL are encrypted by `migrate(…, { mode: "encrypt" })` and by the CLI's
 * `migrate encrypt`; the Prisma 8 middleware then reads them, and `verify` passes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { migrate } from "../../src/migrate/migrate.js";
import type { MigrationReport } from "../../src/migrate/report.js";
import { indexSecret, masterKey, runCli } from "../support/migrate-cli.js";
import { usePrisma7On } from "./support/prisma7-on-prisma8.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { MODELS, vaultRig } from "./support/vault-rig.js";

const app = usePrisma8App("migrate_via_prisma7");
const prisma7 = usePrisma7On(app);

/** The CLI rig's master key and index secret (its runCli passes them in the environment): one set for all. */
const keys = new LocalKeyProvider({ keys: [{ id: "k1", key: masterKey }] });
const prisma8 = () => vaultRig(app(), { keys, indexSecret });
const prisma7Vault = () => prisma7.vault({ keys, indexSecret });

const ENVELOPE = /^[A-Za-z0-9+/]+=*$/;

/** An organization with users and posts written in plaintext with SQL, as before prisma-vault. */
async function seedPlaintext(name: string) {
  const [org] = await app().sql<{ id: number }>(
    `INSERT INTO "Organization" ("name") VALUES ($1) RETURNING "id"`,
    [name],
  );
  const orgId = org?.id as number;
  const users = await app().sql<{ id: number }>(
    `INSERT INTO "User" ("organizationId", "email", "ssn") VALUES ($1, $2, $3), ($1, $4, NULL) RETURNING "id"`,
    [orgId, `Ada.${name}@Example.com`, `ssn-${name}`, `bob.${name}@example.com`],
  );
  await app().sql(
    `INSERT INTO "Post" ("organizationId", "authorId", "body") VALUES ($1, $2, $3), ($1, $2, $4)`,
    [orgId, users[0]?.id, `${name} post 1`, `${name} post 2`],
  );
  return orgId;
}

/** What the database holds for an organization's users and posts. */
async function stored(orgId: number) {
  const users = await app().sql<{ email: string; emailIndex: string | null; ssn: string | null }>(
    `SELECT "email", "emailIndex", "ssn" FROM "User" WHERE "organizationId" = $1 ORDER BY "id"`,
    [orgId],
  );
  const posts = await app().sql<{ body: string }>(`SELECT "body" FROM "Post" WHERE "organizationId" = $1`, [
    orgId,
  ]);
  return { users, posts };
}

/** The organization's rows are sealed: envelopes, blind indexes filled, a null left null. */
async function expectSealed(orgId: number) {
  const { users, posts } = await stored(orgId);
  expect(users.map((u) => u.email)).toEqual([
    expect.stringMatching(ENVELOPE),
    expect.stringMatching(ENVELOPE),
  ]);
  expect(users.map((u) => u.emailIndex)).toEqual([expect.any(String), expect.any(String)]);
  expect(users.map((u) => u.ssn)).toEqual([expect.stringMatching(ENVELOPE), null]);
  expect(posts.map((p) => p.body)).toEqual([
    expect.stringMatching(ENVELOPE),
    expect.stringMatching(ENVELOPE),
  ]);
}

/** The Prisma 8 middleware reads the organization's rows: by email (blind index) and through includes. */
async function expectPrisma8Reads(orgId: number, name: string) {
  const { db } = prisma8();
  const found = await db.orm
    .public!.User!.where({ email: `ada.${name.toLowerCase()}@example.com` })
    .include("posts" as never)
    .all()
    .toArray();
  expect(found).toEqual([
    expect.objectContaining({ email: `Ada.${name}@Example.com`, ssn: `ssn-${name}`, organizationId: orgId }),
  ]);
  expect(found.flatMap((u: any) => u.posts.map((p: any) => p.body)).sort()).toEqual([
    `${name} post 1`,
    `${name} post 2`,
  ]);
  const nested = await db.orm
    .public!.Organization!.where({ id: orgId })
    .include("users" as never)
    .all()
    .toArray();
  expect(nested.flatMap((o: any) => o.users.map((u: any) => u.email)).sort()).toEqual([
    `Ada.${name}@Example.com`,
    `bob.${name}@example.com`,
  ]);
}

/** Every model of the report passed: nothing failed, no plaintext, no stale index. */
function expectClean(report: MigrationReport) {
  expect(report.models.map((m) => m.model).sort()).toEqual(["Post", "User"]);
  for (const model of report.models) {
    expect({ model: model.model, failedTotal: model.failedTotal, plaintext: model.plaintext ?? 0 }).toEqual({
      model: model.model,
      failedTotal: 0,
      plaintext: 0,
    });
    expect(model.staleIndexes ?? 0).toBe(0);
  }
}

describe("migrate from Prisma 7 on a Prisma 8 database", () => {
  it("migrate(encrypt) through a Prisma 7 client seals plaintext rows; the middleware reads them; verify passes", async () => {
    const orgId = await seedPlaintext("Api");
    const encrypted = await migrate(prisma7Vault(), { mode: "encrypt" });
    expect(encrypted.models.every((m) => m.failedTotal === 0)).toBe(true);
    await expectSealed(orgId);
    await expectPrisma8Reads(orgId, "Api");
    // A row the middleware writes afterwards is one verify accepts too.
    await prisma8().db.orm.public!.User!.create({
      organizationId: orgId,
      email: "late@example.com",
      ssn: "late",
    });
    expectClean(await migrate(prisma7Vault(), { mode: "verify" }));
    // encrypt is idempotent: a second run writes nothing.
    const again = await migrate(prisma7Vault(), { mode: "encrypt" });
    expect(again.models.map((m) => m.updated)).toEqual([0, 0]);
  });

  describe("the CLI, with a config that exports the Prisma 7 client", () => {
    let dir = "";
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "prisma-vault-p8-migrate-"));
      const require = createRequire(import.meta.url);
      const url = (path: string) => new URL(`../../${path}`, import.meta.url).href;
      // What a user's vault.config.mjs holds; the CLI reads PRISMA_VAULT_KEYS and PRISMA_VAULT_INDEX_KEY.
      writeFileSync(
        join(dir, "vault.config.mjs"),
        `import { PrismaPg } from "${pathToFileURL(require.resolve("@prisma/adapter-pg")).href}";
import { LocalKeyProvider, vault } from "${url("src/index.ts")}";
import { PrismaClient } from "${url("test/generated/prisma7-on-prisma8/client/client.ts")}";

const models = ${JSON.stringify(MODELS)};
const adapter = new PrismaPg({ connectionString: process.env.DATABASE_URL });
export default new PrismaClient({ adapter }).$extends(vault({ keys: LocalKeyProvider.fromEnv(), models }));
`,
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const cli = (mode: string) =>
      runCli(["migrate", mode, "--config", "vault.config.mjs", "--json"], {
        cwd: dir,
        env: { DATABASE_URL: app().url },
      });

    it("prisma-vault migrate encrypt, then migrate verify, exit 0; the middleware reads the rows", async () => {
      const orgId = await seedPlaintext("Cli");
      const encrypted = cli("encrypt");
      expect(encrypted.status, encrypted.stderr).toBe(0);
      await expectSealed(orgId);
      await expectPrisma8Reads(orgId, "Cli");
      const verified = cli("verify");
      expect(verified.status, verified.stderr).toBe(0);
      expectClean(JSON.parse(verified.stdout) as MigrationReport);
    });
  });
});

/**
 * The extension suite, run against every database target (sqlite.test.ts, postgres.test.ts,
 * mariadb.test.ts). Keys come from the real @workos-inc/node SDK talking to our key server, so every
 * provider call is counted at the server and every stored value can be checked with workos.vault.decrypt.
 */
import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { associatedData } from "../../src/context/key-context.js";
import { isEnvelope } from "../../src/format/envelope.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { vault } from "../../src/prisma/extension.js";
import { handleOf } from "../../src/client/handle.js";
import type { VaultOptions } from "../../src/prisma/options.js";
import { useTestDatabase, type Target, type TestDatabase } from "../support/databases.js";
import { anyFailure, vaultFailure } from "../support/errors.js";
import { useKeyServerRig } from "../support/key-server.js";
import { registerSecrets } from "../support/secrets.js";

type PrismaObject = Record<string, unknown>;

/** Keys the blind indexes of the test schema's Account model. */
const indexSecret = randomBytes(32);

/** The plaintexts this suite writes: no error it provokes may show one (test/support/secrets.ts). */
registerSecrets(
  "111-11",
  "123-45-6789",
  "1@x.io",
  "222-22",
  "2@x.io",
  "a@x.io",
  "again@x.io",
  "ann's post",
  "ann@x.io",
  "b@x.io",
  "back@x.io",
  "bio text",
  "bob@x.io",
  "bulk note",
  "c@x.io",
  "changed body",
  "child@x.io",
  "coc body",
  "first bio",
  "fluent body",
  "fluent ssn",
  "fluent@x.io",
  "in batch",
  "in itx",
  "itx@x.io",
  "legacy plaintext",
  "likes tea",
  "many body",
  "mover@x.io",
  "n@x.io",
  "nest@x.io",
  "never@x.io",
  "new@x.io",
  "p@x.io",
  "pin@x.io",
  "q@x.io",
  "s@x.io",
  "second bio",
  "secret body",
  "third body",
  "tx@x.io",
  "up@x.io",
  "x@x.io",
  "y@x.io",
);

/** `defaults` go into every vault() of the suite (sqlite-native.test.ts: `{ aead: "native" }`). */
export function extensionSuite(target: Target, defaults: Partial<VaultOptions> = {}): void {
  const rig = useKeyServerRig();
  const { database, generated, opened } = useTestDatabase(target);

  const extended = (
    options: Partial<VaultOptions> = {},
    clientOptions?: Parameters<TestDatabase["client"]>[0],
  ) =>
    (clientOptions ? database().client(clientOptions) : database().plain).$extends(
      vault({ keys: rig.provider, schema: generated(), indexSecret, ...defaults, ...options }),
    );
  type Client = ReturnType<typeof extended>;
  let prisma: Client;
  beforeEach(() => {
    if (opened()) prisma = extended();
  });

  const orgs = async (...ids: string[]) => {
    for (const id of ids) await database().plain.organization.create({ data: { id, name: id } });
  };
  /** What the column really holds, read with raw SQL. */
  const stored = async (table: string, id: number, column: string) => {
    const rows = await database().raw(table);
    const row = rows.find((r) => Number(r["id"]) === id);
    return row?.[column] as string | null | undefined;
  };
  /** The stored value is an envelope, not the plaintext, and the WorkOS SDK decrypts it with our AAD. */
  const expectSealed = async (
    table: string,
    id: number,
    field: string,
    plain: string,
    context: PrismaObject,
  ) => {
    const value = await stored(table, id, field);
    expect(isEnvelope(value)).toBe(true);
    // Short plaintexts occur in random base64 by chance; compare those whole.
    if (plain.length >= 6) expect(value).not.toContain(plain);
    else expect(value).not.toBe(plain);
    const text = await rig.workos.vault.decrypt(
      value as string,
      associatedData(table, field, context as Record<string, string>),
    );
    expect(text).toBe(plain);
  };

  const on = defaults.aead === undefined ? target : `${target}, aead: "${defaults.aead}"`;
  describe(`prisma-vault on ${on}`, () => {
    if (defaults.aead !== undefined && defaults.aead !== "auto") {
      it(`seals and opens through the ${defaults.aead} AEAD backend`, () => {
        expect(handleOf(prisma).core.aead.name).toBe(defaults.aead);
        expect(prisma.$vault.stats().aead).toBe(defaults.aead);
      });
    }

    describe("prisma.$vault.close()", () => {
      /** rig.provider, keeping the data keys it hands out to see them zeroed. */
      const recording = () => {
        const handedOut: Uint8Array[] = [];
        const keep = <T extends { key: Uint8Array }>(key: T): T => (handedOut.push(key.key), key);
        const keys: VaultOptions["keys"] = {
          name: "recording",
          createDataKey: async (context) => keep(await rig.provider.createDataKey(context)),
          decryptDataKey: async (blob) => keep(await rig.provider.decryptDataKey(blob)),
        };
        return { keys, handedOut };
      };
      const zeroed = (key: Uint8Array) => key.every((byte) => byte === 0);

      it("zeroes every cached key; a query needing a key then fails with VaultConfigError, others run", async () => {
        await orgs("org_close");
        const { keys, handedOut } = recording();
        const client = extended({ keys });
        const user = await client.user.create({ data: { organizationId: "org_close", email: "a@x.io" } });
        await client.user.findMany();
        expect(handedOut.some((key) => !zeroed(key))).toBe(true);
        await client.$vault.close();
        expect(handedOut.every(zeroed)).toBe(true);
        const { encrypt, decrypt, provider } = client.$vault.stats();
        expect(encrypt.keys + decrypt.keys).toBe(0);
        await client.$vault.close(); // a second close is harmless
        const refused = await vaultFailure(client.user.findMany({ where: { id: user.id } }));
        expect(refused.code).toBe("VAULT_CONFIG");
        expect(refused.message).toMatch(/prisma\.\$vault\.close\(\) released this client's keys/);
        const write = client.user.create({ data: { organizationId: "org_close", email: "b@x.io" } });
        expect((await vaultFailure(write)).code).toBe("VAULT_CONFIG");
        expect(await client.organization.count()).toBeGreaterThan(0);
        expect(client.$vault.stats().provider).toEqual(provider);
        // Another client over the same database is untouched.
        expect(await extended().user.findUnique({ where: { id: user.id } })).toMatchObject({
          email: "a@x.io",
        });
      });

      it("is $vault's Symbol.asyncDispose, so `await using` releases the keys", async () => {
        await orgs("org_using");
        const { keys, handedOut } = recording();
        const client = extended({ keys });
        await client.user.create({ data: { organizationId: "org_using", email: "a@x.io" } });
        await client.$vault[Symbol.asyncDispose]();
        expect(handedOut.every(zeroed)).toBe(true);
        expect((await vaultFailure(client.user.findMany())).code).toBe("VAULT_CONFIG");
      });
    });

    describe("writes", () => {
      it("create stores envelopes that the WorkOS SDK decrypts and reads back plaintext", async () => {
        await orgs("org_a");
        const user = await prisma.user.create({
          data: { organizationId: "org_a", email: "ann@x.io", ssn: "123-45-6789", notes: null },
        });
        expect(user).toMatchObject({ email: "ann@x.io", ssn: "123-45-6789", notes: null });
        await expectSealed("User", user.id, "email", "ann@x.io", { organizationId: "org_a" });
        await expectSealed("User", user.id, "ssn", "123-45-6789", { organizationId: "org_a" });
        expect(await stored("User", user.id, "notes")).toBeNull();
        expect(await prisma.user.findUnique({ where: { id: user.id } })).toMatchObject({
          email: "ann@x.io",
          ssn: "123-45-6789",
        });
      });

      it("createMany seals every row under its own tenant's context", async () => {
        await orgs("org_a", "org_b");
        const result = await prisma.user.createMany({
          data: [
            { organizationId: "org_a", email: "a@x.io", ssn: "111" },
            { organizationId: "org_b", email: "b@x.io", ssn: "222" },
          ],
        });
        expect(result.count).toBe(2);
        const rows = await prisma.user.findMany({ orderBy: { id: "asc" } });
        expect(rows.map((r) => [r.email, r.ssn])).toEqual([
          ["a@x.io", "111"],
          ["b@x.io", "222"],
        ]);
        await expectSealed("User", rows[0]!.id, "email", "a@x.io", { organizationId: "org_a" });
        await expectSealed("User", rows[1]!.id, "ssn", "222", { organizationId: "org_b" });
      });

      it("createManyAndReturn returns plaintext and stores envelopes (on MariaDB: fails, writes nothing)", async () => {
        await orgs("org_a");
        if (target === "mariadb") {
          // Prisma offers no createManyAndReturn for MySQL; the values were sealed, nothing is written.
          const attempt = prisma.user.createManyAndReturn({
            data: [{ organizationId: "org_a", email: "c@x.io" }],
          });
          await anyFailure(attempt);
          expect(await database().raw("User")).toHaveLength(0);
          return;
        }
        const rows = await prisma.user.createManyAndReturn({
          data: [{ organizationId: "org_a", email: "c@x.io" }],
          select: { id: true, email: true },
        });
        expect(rows).toEqual([{ id: rows[0]!.id, email: "c@x.io" }]);
        await expectSealed("User", rows[0]!.id, "email", "c@x.io", { organizationId: "org_a" });
      });

      it("update without the context reads it first; { set } works; null stays null; undefined stays absent", async () => {
        await orgs("org_a");
        const user = await prisma.user.create({
          data: { organizationId: "org_a", email: "ann@x.io", ssn: "1" },
        });
        const updated = await prisma.user.update({
          where: { id: user.id },
          data: { email: { set: "new@x.io" }, ssn: null, notes: "likes tea", name: undefined },
          select: { email: true, ssn: true, notes: true },
        });
        expect(updated).toEqual({ email: "new@x.io", ssn: null, notes: "likes tea" });
        await expectSealed("User", user.id, "email", "new@x.io", { organizationId: "org_a" });
        await expectSealed("User", user.id, "notes", "likes tea", { organizationId: "org_a" });
        expect(await stored("User", user.id, "ssn")).toBeNull();
      });

      it("updateMany across 3 tenants is split per context and returns the summed count", async () => {
        await orgs("org_a", "org_b", "org_c");
        for (const org of ["org_a", "org_b", "org_c"]) {
          await prisma.user.createMany({
            data: [
              { organizationId: org, email: `1@${org}` },
              { organizationId: org, email: `2@${org}` },
            ],
          });
        }
        rig.server.resetStats();
        const result = await extended().user.updateMany({
          where: { name: null },
          data: { notes: "bulk note" },
        });
        expect(result.count).toBe(6);
        const rows = await database().raw("User");
        for (const row of rows) {
          await expectSealed("User", Number(row["id"]), "notes", "bulk note", {
            organizationId: row["organizationId"],
          });
        }
        expect(rig.server.stats().dataKey).toBe(3);
        expect((await prisma.user.findMany()).every((u) => u.notes === "bulk note")).toBe(true);
      });

      it("updateManyAndReturn returns decrypted rows from every tenant (on MariaDB: fails, changes nothing)", async () => {
        await orgs("org_a", "org_b");
        await prisma.user.createMany({
          data: [
            { organizationId: "org_a", email: "a@x.io" },
            { organizationId: "org_b", email: "b@x.io" },
          ],
        });
        if (target === "mariadb") {
          await anyFailure(prisma.user.updateManyAndReturn({ where: {}, data: { ssn: "999" } }));
          expect((await prisma.user.findMany()).map((u) => u.ssn)).toEqual([null, null]);
          return;
        }
        const rows = await prisma.user.updateManyAndReturn({
          where: {},
          data: { ssn: "999" },
          select: { email: true, ssn: true },
        });
        expect(rows.map((r) => r.email).sort()).toEqual(["a@x.io", "b@x.io"]);
        expect(rows.every((r) => r.ssn === "999")).toBe(true);
        for (const row of await database().raw("User")) {
          await expectSealed("User", Number(row["id"]), "ssn", "999", {
            organizationId: row["organizationId"],
          });
        }
      });

      it("updateMany over several tenants works in an interactive transaction and is refused in a batch", async () => {
        await orgs("org_a", "org_b");
        await prisma.user.createMany({
          data: [
            { organizationId: "org_a", email: "a@x.io" },
            { organizationId: "org_b", email: "b@x.io" },
          ],
        });
        const counted = await prisma.$transaction((tx) => tx.user.updateMany({ data: { notes: "itx" } }));
        expect(counted.count).toBe(2);
        const error = await vaultFailure(
          prisma.$transaction([prisma.user.updateMany({ data: { notes: "batch" } })]),
        );
        expect(error).toMatchObject({ code: "VAULT_UNSUPPORTED_QUERY", model: "User" });
        expect((await prisma.user.findMany()).map((u) => u.notes)).toEqual(["itx", "itx"]);
        // One tenant in a batch is fine: its context is read before the batch and carried as a condition.
        const [one] = await prisma.$transaction([
          prisma.user.updateMany({ where: { organizationId: "org_a" }, data: { notes: "batch" } }),
        ]);
        expect(one.count).toBe(1);
      });

      it("upsert creates and updates under the row's context", async () => {
        await orgs("org_a");
        const created = await prisma.user.upsert({
          where: { id: 4242 },
          create: { id: 4242, organizationId: "org_a", email: "up@x.io" },
          update: { email: "never@x.io" },
        });
        expect(created.email).toBe("up@x.io");
        const updated = await prisma.user.upsert({
          where: { id: 4242 },
          create: { organizationId: "org_a", email: "never@x.io" },
          update: { email: "again@x.io", ssn: "5" },
        });
        expect(updated).toMatchObject({ email: "again@x.io", ssn: "5" });
        await expectSealed("User", 4242, "email", "again@x.io", { organizationId: "org_a" });
      });

      it("an upsert whose update branch sets the context creates the row when none exists", async () => {
        await orgs("org_a", "org_b");
        const created = await prisma.user.upsert({
          where: { id: 5151 },
          create: { id: 5151, organizationId: "org_a", email: "new@x.io" },
          update: { organizationId: "org_b" },
        });
        expect(created).toMatchObject({ organizationId: "org_a", email: "new@x.io" });
        const moved = await prisma.user.upsert({
          where: { id: 5151 },
          create: { organizationId: "org_a", email: "never@x.io" },
          update: { organizationId: "org_b" },
        });
        expect(moved).toMatchObject({ organizationId: "org_b", email: "new@x.io" });
        await expectSealed("User", 5151, "email", "new@x.io", { organizationId: "org_b" });
      });

      it("an update in a batch is pinned to the context it read: a row moved earlier in the batch fails, not mis-sealed", async () => {
        await orgs("org_a", "org_b");
        const user = await prisma.user.create({
          data: { organizationId: "org_a", email: "pin@x.io", ssn: "111-11" },
        });
        const attempt = prisma.$transaction([
          prisma.user.update({ where: { id: user.id }, data: { organizationId: "org_b" } }),
          prisma.user.update({ where: { id: user.id }, data: { ssn: "222-22" } }),
        ]);
        await anyFailure(attempt);
        expect(await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
          organizationId: "org_a",
          ssn: "111-11",
        });
      });

      it("an update in a batch that sets the context to the value it read is pinned too: moved earlier, it fails", async () => {
        await orgs("org_a", "org_b");
        const user = await prisma.user.create({
          data: { organizationId: "org_a", email: "back@x.io", ssn: "111-11" },
        });
        // The second update read org_a before the batch; by its turn the first has moved the row to
        // org_b, and writing it back to org_a would leave email sealed for org_b.
        const attempt = prisma.$transaction([
          prisma.user.update({ where: { id: user.id }, data: { organizationId: "org_b" } }),
          prisma.user.update({ where: { id: user.id }, data: { organizationId: "org_a", ssn: "222-22" } }),
        ]);
        await anyFailure(attempt);
        expect(await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
          organizationId: "org_a",
          email: "back@x.io",
          ssn: "111-11",
        });
      });

      it("changing a context field re-encrypts the row's encrypted fields under the new context", async () => {
        await orgs("org_a", "org_b");
        const user = await prisma.user.create({
          data: { organizationId: "org_a", email: "mover@x.io", ssn: "777", notes: "n" },
        });
        const before = await stored("User", user.id, "ssn");
        const moved = await prisma.user.update({
          where: { id: user.id },
          data: { organizationId: "org_b", notes: "moved" },
        });
        expect(moved).toMatchObject({
          organizationId: "org_b",
          email: "mover@x.io",
          ssn: "777",
          notes: "moved",
        });
        expect(await stored("User", user.id, "ssn")).not.toBe(before);
        await expectSealed("User", user.id, "ssn", "777", { organizationId: "org_b" });
        await expectSealed("User", user.id, "email", "mover@x.io", { organizationId: "org_b" });
      });

      it("updateMany that moves rows to another tenant re-encrypts each row", async () => {
        await orgs("org_a", "org_b");
        await prisma.user.createMany({
          data: [
            { organizationId: "org_a", email: "1@x.io" },
            { organizationId: "org_a", email: "2@x.io" },
          ],
        });
        const result = await prisma.user.updateMany({
          where: { organizationId: "org_a" },
          data: { organizationId: "org_b" },
        });
        expect(result.count).toBe(2);
        for (const row of await database().raw("User")) {
          expect(row["organizationId"]).toBe("org_b");
          await expectSealed(
            "User",
            Number(row["id"]),
            "email",
            `${row["id"] === undefined ? "" : ""}${(await prisma.user.findUniqueOrThrow({ where: { id: Number(row["id"]) } })).email}`,
            { organizationId: "org_b" },
          );
        }
        expect((await prisma.user.findMany({ orderBy: { id: "asc" } })).map((u) => u.email)).toEqual([
          "1@x.io",
          "2@x.io",
        ]);
      });

      it("nested creates take their context from their own data, a connect or the parent", async () => {
        await orgs("org_a");
        const user = await prisma.user.create({
          data: {
            organization: { connect: { id: "org_a" } },
            email: "nest@x.io",
            posts: { create: [{ organizationId: "org_a", title: "t1", body: "secret body" }] },
            profile: { create: { organization: { connect: { id: "org_a" } }, bio: "bio text" } },
          },
          include: { posts: true, profile: true },
        });
        expect(user.posts[0]!.body).toBe("secret body");
        expect(user.profile!.bio).toBe("bio text");
        await expectSealed("Post", user.posts[0]!.id, "body", "secret body", { org: "org_a" });
        await expectSealed("Profile", user.profile!.id, "bio", "bio text", { organizationId: "org_a" });

        const org = await prisma.organization.create({
          data: { id: "org_n", name: "n", users: { create: { email: "child@x.io", ssn: "42" } } },
          include: { users: true },
        });
        expect(org.users[0]).toMatchObject({ email: "child@x.io", ssn: "42" });
        await expectSealed("User", org.users[0]!.id, "ssn", "42", { organizationId: "org_n" });
      });

      it("nested createMany, connectOrCreate, update, updateMany and upsert under an update", async () => {
        await orgs("org_a");
        const user = await prisma.user.create({ data: { organizationId: "org_a", email: "p@x.io" } });
        await prisma.organization.update({
          where: { id: "org_a" },
          data: { posts: { createMany: { data: [{ authorId: user.id, title: "m", body: "many body" }] } } },
        });
        const updated = await prisma.user.update({
          where: { id: user.id },
          data: {
            posts: { updateMany: { where: { title: "m" }, data: { body: "changed body" } } },
            profile: {
              upsert: { create: { organizationId: "org_a", bio: "first bio" }, update: { bio: "never" } },
            },
          },
          include: { posts: true, profile: true },
        });
        expect(updated.posts.map((p) => p.body)).toEqual(["changed body"]);
        expect(updated.profile!.bio).toBe("first bio");
        const again = await prisma.user.update({
          where: { id: user.id },
          data: {
            profile: { update: { bio: "second bio" } },
            posts: {
              update: { where: { id: updated.posts[0]!.id }, data: { body: "third body" } },
              connectOrCreate: {
                where: { id: 999_999 },
                create: { organizationId: "org_a", title: "c", body: "coc body" },
              },
            },
          },
          include: { posts: { orderBy: { id: "asc" } }, profile: true },
        });
        expect(again.profile!.bio).toBe("second bio");
        expect(again.posts.map((p) => p.body)).toEqual(["third body", "coc body"]);
        for (const post of again.posts)
          await expectSealed("Post", post.id, "body", post.body!, { org: "org_a" });
        await expectSealed("Profile", again.profile!.id, "bio", "second bio", { organizationId: "org_a" });
      });

      it("a write without its context is refused with VAULT_CONTEXT_MISSING and stores nothing", async () => {
        await orgs("org_a");
        const error = await vaultFailure(
          prisma.organization.create({ data: { id: "org_z", name: "z" } }).then(() =>
            prisma.post.create({
              data: {
                author: { create: { organizationId: "org_a", email: "x@x.io" } },
                organization: { connect: { name: "z" } as never },
                title: "t",
                body: "b",
              },
            }),
          ),
        ).catch((e: unknown) => e as Error);
        expect(error).toBeDefined();
        const missing = await vaultFailure(
          prisma.organization.create({
            data: { name: "auto id", id: undefined as never, users: { create: { email: "q@x.io" } } },
          }),
        );
        expect(missing.code).toBe("VAULT_CONTEXT_MISSING");
        expect(await database().raw("User")).toHaveLength(0);
      });

      it("the key provider failing during createMany aborts the write: 0 new rows, no plaintext", async () => {
        await orgs("org_a", "org_b");
        rig.server.faults.failNext(1000, 500);
        const error = await vaultFailure(
          extended({ cache: false }).user.createMany({
            data: [
              { organizationId: "org_a", email: "x@x.io" },
              { organizationId: "org_b", email: "y@x.io" },
            ],
          }),
        );
        expect(error.code).toBe("VAULT_KEY_PROVIDER");
        expect(await database().raw("User")).toHaveLength(0);
      });

      it("a non-string value for an encrypted field is refused", async () => {
        await orgs("org_a");
        const error = await vaultFailure(
          prisma.user.create({ data: { organizationId: "org_a", email: 42 as unknown as string } }),
        );
        expect(error).toMatchObject({ code: "VAULT_UNSUPPORTED_QUERY", model: "User", field: "email" });
        expect(await database().raw("User")).toHaveLength(0);
      });
    });

    describe("reads", () => {
      const seed = async () => {
        await orgs("org_a", "org_b");
        const ann = await prisma.user.create({
          data: {
            organizationId: "org_a",
            email: "ann@x.io",
            ssn: "1",
            posts: { create: { organizationId: "org_a", title: "t", body: "ann's post" } },
          },
        });
        const bob = await prisma.user.create({
          data: { organizationId: "org_b", email: "bob@x.io", ssn: "2" },
        });
        return { ann, bob };
      };

      it("every find* returns plaintext", async () => {
        const { ann } = await seed();
        expect((await prisma.user.findUnique({ where: { id: ann.id } }))?.email).toBe("ann@x.io");
        expect((await prisma.user.findUniqueOrThrow({ where: { id: ann.id } })).ssn).toBe("1");
        expect((await prisma.user.findFirst({ where: { organizationId: "org_b" } }))?.email).toBe("bob@x.io");
        expect((await prisma.user.findFirstOrThrow({ where: { organizationId: "org_a" } })).email).toBe(
          "ann@x.io",
        );
        expect((await prisma.user.findMany({ orderBy: { id: "asc" } })).map((u) => u.email)).toEqual([
          "ann@x.io",
          "bob@x.io",
        ]);
      });

      it("a selection without the context fields gets them added and stripped", async () => {
        const { ann } = await seed();
        const row = await prisma.user.findUnique({ where: { id: ann.id }, select: { email: true } });
        expect(row).toEqual({ email: "ann@x.io" });
        const omitted = await prisma.user.findUnique({
          where: { id: ann.id },
          omit: { organizationId: true, notes: true },
        });
        expect(omitted).not.toHaveProperty("organizationId");
        expect(omitted).not.toHaveProperty("notes");
        expect(omitted?.email).toBe("ann@x.io");
      });

      it("client-wide omit of the context field is honoured", async () => {
        const { ann } = await seed();
        const client = extended({}, { omit: { user: { organizationId: true } } });
        const row = await client.user.findUnique({ where: { id: ann.id } });
        expect(row?.email).toBe("ann@x.io");
        expect(row).not.toHaveProperty("organizationId");
      });

      it("nested include and select decrypt at any depth", async () => {
        await seed();
        const org = await prisma.organization.findUnique({
          where: { id: "org_a" },
          include: { users: { include: { posts: { select: { body: true } } } } },
        });
        expect(org?.users[0]?.email).toBe("ann@x.io");
        expect(org?.users[0]?.posts).toEqual([{ body: "ann's post" }]);
        const post = await prisma.post.findFirst({ select: { author: { select: { ssn: true } } } });
        expect(post).toEqual({ author: { ssn: "1" } });
      });

      it("the fluent API decrypts the relation it resolves to", async () => {
        const { ann } = await seed();
        const posts = await prisma.user.findUnique({ where: { id: ann.id } }).posts();
        expect(posts?.map((p) => p.body)).toEqual(["ann's post"]);
        const author = await prisma.post.findFirst().author();
        expect(author?.email).toBe("ann@x.io");
      });

      it("the fluent API after create, update and upsert decrypts the relation too", async () => {
        const { ann } = await seed();
        const created = await prisma.user
          .create({
            data: {
              organizationId: "org_a",
              email: "fluent@x.io",
              posts: { create: { organizationId: "org_a", title: "f", body: "fluent body" } },
            },
          })
          .posts();
        expect(created.map((p) => p.body)).toEqual(["fluent body"]);
        // No context in the data: the update runs in prisma-vault's own transaction.
        const updated = await prisma.user
          .update({ where: { id: ann.id }, data: { ssn: "fluent ssn" } })
          .posts();
        expect(updated.map((p) => p.body)).toEqual(["ann's post"]);
        const upserted = await prisma.user
          .upsert({
            where: { id: ann.id },
            create: { organizationId: "org_a", email: "x" },
            update: { notes: "n" },
          })
          .posts();
        expect(upserted.map((p) => p.body)).toEqual(["ann's post"]);
        const inTx = await prisma.$transaction((tx) =>
          tx.user.update({ where: { id: ann.id }, data: { ssn: "in itx" } }).posts(),
        );
        expect(inTx.map((p) => p.body)).toEqual(["ann's post"]);
        const [inBatch] = await prisma.$transaction([
          prisma.user.update({ where: { id: ann.id }, data: { ssn: "in batch" } }).posts(),
        ]);
        expect(inBatch.map((p) => p.body)).toEqual(["ann's post"]);
      });

      it("delete returns the decrypted row", async () => {
        const { bob } = await seed();
        expect((await prisma.user.delete({ where: { id: bob.id } })).email).toBe("bob@x.io");
      });

      it("batch and interactive transactions read and write through the extension", async () => {
        await orgs("org_a");
        const [created, all] = await prisma.$transaction([
          prisma.user.create({ data: { organizationId: "org_a", email: "tx@x.io" } }),
          prisma.user.findMany(),
        ]);
        expect(created.email).toBe("tx@x.io");
        expect(all.map((u) => u.email)).toEqual(["tx@x.io"]);
        // An update in a batch reads its context before the batch and carries it as a condition.
        const [batched] = await prisma.$transaction([
          prisma.user.update({ where: { id: created.id }, data: { ssn: "in batch" } }),
        ]);
        expect(batched.ssn).toBe("in batch");
        await expectSealed("User", created.id, "ssn", "in batch", { organizationId: "org_a" });
        const result = await prisma.$transaction(async (tx) => {
          const user = await tx.user.create({ data: { organizationId: "org_a", email: "itx@x.io" } });
          // The context read for this update must see the uncommitted row.
          await tx.user.update({ where: { id: user.id }, data: { ssn: "in tx" } });
          return tx.user.findUniqueOrThrow({ where: { id: user.id } });
        });
        expect(result).toMatchObject({ email: "itx@x.io", ssn: "in tx" });
        await expectSealed("User", result.id, "ssn", "in tx", { organizationId: "org_a" });
      });

      it("a ciphertext copied to another tenant's row is refused", async () => {
        const { ann, bob } = await seed();
        const annSsn = await stored("User", ann.id, "ssn");
        await database().plain.user.update({ where: { id: bob.id }, data: { ssn: annSsn } });
        const error = await vaultFailure(prisma.user.findUnique({ where: { id: bob.id } }));
        expect(error).toMatchObject({
          code: "VAULT_DECRYPT_FAILED",
          model: "User",
          field: "ssn",
          id: bob.id,
        });
        expect(error.message).not.toContain(annSsn);
        const tolerant = extended({ onDecryptError: "null" });
        expect((await tolerant.user.findUnique({ where: { id: bob.id } }))?.ssn).toBeNull();
        const custom = extended({ onDecryptError: () => "[unreadable]" });
        expect((await custom.user.findUnique({ where: { id: bob.id } }))?.ssn).toBe("[unreadable]");
      });

      it("a value whose master key is missing from the ring is VAULT_KEY_UNAVAILABLE naming it, even with onDecryptError: null", async () => {
        await orgs("org_a");
        const withK1 = extended({
          keys: new LocalKeyProvider({ keys: [{ id: "k1", key: randomBytes(32) }] }),
        });
        const user = await withK1.user.create({
          data: { organizationId: "org_a", email: "kept@x.io", ssn: "123-45-6789" },
        });
        const withoutK1 = extended({
          keys: new LocalKeyProvider({ keys: [{ id: "k2", key: randomBytes(32) }] }),
          onDecryptError: "null",
        });
        const error = await vaultFailure(withoutK1.user.findUnique({ where: { id: user.id } }));
        expect(error).toMatchObject({
          code: "VAULT_KEY_UNAVAILABLE",
          keyId: "k1",
          model: "User",
          id: user.id,
        });
        expect(error.message).toContain('master key "k1"');
        expect(await withK1.user.findUnique({ where: { id: user.id } })).toMatchObject({
          ssn: "123-45-6789",
        });
      });

      it("a failure on a cached key fails the read while values waiting for their keys settle quietly", async () => {
        const { ann, bob } = await seed();
        // Each row's ssn copied into its notes: the wrong field's associated data, so neither decrypts.
        for (const user of [ann, bob]) {
          await database().plain.user.update({
            where: { id: user.id },
            data: { notes: await stored("User", user.id, "ssn") },
          });
        }
        const reader = extended(); // its cache knows org_a's key only after this read of ann's email
        await reader.user.findUnique({ where: { id: ann.id }, select: { email: true } });
        // Bob's values (key not cached) start fetching first; ann's notes then fail at once.
        const error = await vaultFailure(reader.user.findMany({ orderBy: { id: "desc" } }));
        expect(error).toMatchObject({ code: "VAULT_DECRYPT_FAILED", field: "notes", id: ann.id });
        // Bob's notes fail later; vitest fails the run on an unobserved rejection.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const tolerant = extended({ onDecryptError: "null" });
        const rows = await tolerant.user.findMany({ orderBy: { id: "desc" } });
        expect(rows.map((r) => [r.email, r.notes])).toEqual([
          ["bob@x.io", null],
          ["ann@x.io", null],
        ]);
      });

      it("plaintext in an encrypted column is an error unless plaintext: read", async () => {
        const { ann } = await seed();
        await database().plain.user.update({ where: { id: ann.id }, data: { notes: "legacy plaintext" } });
        const error = await vaultFailure(prisma.user.findUnique({ where: { id: ann.id } }));
        expect(error).toMatchObject({ code: "VAULT_DECRYPT_FAILED", field: "notes", id: ann.id });
        expect(error.message).not.toContain("legacy");
        expect(
          (await extended({ plaintext: "read" }).user.findUnique({ where: { id: ann.id } }))?.notes,
        ).toBe("legacy plaintext");
      });

      it("10,000 rows over 10 tenants cost at most 10 decryptDataKey calls cold and 0 warm", async () => {
        const tenants = Array.from({ length: 10 }, (_, i) => `org_${i}`);
        await orgs(...tenants);
        const data = Array.from({ length: 10_000 }, (_, i) => ({
          organizationId: tenants[i % 10]!,
          email: `u${i}@x.io`,
        }));
        for (let i = 0; i < data.length; i += 2_000)
          await prisma.user.createMany({ data: data.slice(i, i + 2_000) });
        const cold = extended();
        rig.server.resetStats();
        const rows = await cold.user.findMany({ select: { email: true } });
        expect(rows).toHaveLength(10_000);
        expect(new Set(rows.map((r) => r.email)).size).toBe(10_000);
        expect(rig.server.stats().decrypt).toBeLessThanOrEqual(10);
        rig.server.resetStats();
        await cold.user.findMany({ select: { email: true } });
        expect(rig.server.stats().decrypt).toBe(0);
        expect(cold.$vault.stats().decrypt.hits).toBeGreaterThanOrEqual(10_000);
      }, 120_000);
    });

    describe("refused queries", () => {
      it.each([
        ["equality filter", { where: { email: "ann@x.io" } }],
        ["contains filter", { where: { email: { contains: "ann" } } }],
        ["filter inside OR", { where: { OR: [{ name: "x" }, { ssn: { startsWith: "1" } }] } }],
        ["relation filter", { where: { posts: { some: { body: "x" } } } }],
        ["orderBy", { orderBy: { email: "asc" } }],
        ["distinct", { distinct: ["ssn"] }],
        ["nested include filter", { include: { posts: { where: { body: { not: "x" } } } } }],
      ])("%s on an encrypted field throws VAULT_UNSUPPORTED_QUERY", async (_name, args) => {
        const error = await vaultFailure(prisma.user.findMany(args as never));
        expect(error.code).toBe("VAULT_UNSUPPORTED_QUERY");
        expect(error.model).toBeDefined();
        expect(error.field).toBeDefined();
      });

      it("groupBy and aggregates over an encrypted field are refused; null checks are answered", async () => {
        await expect(vaultFailure(prisma.user.groupBy({ by: ["email"] } as never))).resolves.toMatchObject({
          code: "VAULT_UNSUPPORTED_QUERY",
          field: "email",
        });
        await expect(vaultFailure(prisma.user.aggregate({ _max: { ssn: true } }))).resolves.toMatchObject({
          code: "VAULT_UNSUPPORTED_QUERY",
          field: "ssn",
        });
        await orgs("org_a");
        await prisma.user.create({ data: { organizationId: "org_a", email: "n@x.io" } });
        expect(await prisma.user.count({ where: { ssn: null } })).toBe(1);
        expect(await prisma.user.count({ where: { ssn: { not: null } } })).toBe(0);
      });
    });

    it("$vault.stats() counts cache hits and provider calls", async () => {
      await orgs("org_a");
      const client = extended();
      await client.user.create({ data: { organizationId: "org_a", email: "s@x.io" } });
      await client.user.findMany();
      const stats = client.$vault.stats();
      expect(stats.provider.createDataKey).toBe(1);
      expect(stats.provider.decryptDataKey).toBe(0);
      expect(stats.decrypt.hits).toBeGreaterThanOrEqual(1);
      expect(["node", "native"]).toContain(stats.aead);
      expect(extended({ aead: "node" }).$vault.stats().aead).toBe("node");
    });
  });
}

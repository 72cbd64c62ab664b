/**
 * Blind indexes on a real database (index-sqlite/postgres/mariadb.test.ts): every write fills the
 * index column, equality filters find rows through it, `@unique` on it enforces one row per value,
 * and what it cannot answer is refused. Account (test/prisma/schema.template.prisma) has three:
 * email (global, normalize email, @unique), phone (per tenant, normalize phone) and handle (exact).
 */
import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { BlindIndex } from "../../src/core/blind-index.js";
import { isEnvelope } from "../../src/format/envelope.js";
import { vault } from "../../src/prisma/extension.js";
import type { VaultOptions } from "../../src/prisma/options.js";
import { useTestDatabase, type Target } from "../support/databases.js";
import { anyFailure, vaultFailure } from "../support/errors.js";
import { useKeyServerRig } from "../support/key-server.js";
import { registerSecrets } from "../support/secrets.js";

type PrismaObject = Record<string, unknown>;

/** The plaintexts this suite writes: no error it provokes may show one (test/support/secrets.ts). */
registerSecrets(
  "  Ann@X.IO",
  " ANN@x.io",
  "+1 (555) 010-0000",
  "A@X.IO",
  "A@x.io",
  "ANN@x.io ",
  "Ann.Lee@Example.COM",
  "AnnLee",
  "C@x.io",
  "a@x.io",
  "ann@x.io",
  "b@x.io",
  "bob@x.io",
  "c@x.io",
  "d@x.io",
  "never@x.io",
);

export function indexSuite(target: Target): void {
  const rig = useKeyServerRig();
  const secret = randomBytes(32);
  const { database, generated, opened } = useTestDatabase(target);

  beforeEach(async () => {
    await database().plain.organization.createMany({
      data: ["org_a", "org_b"].map((id) => ({ id, name: id })),
    });
  });

  const extended = (options: Partial<VaultOptions> = {}) =>
    database().plain.$extends(
      vault({ keys: rig.local, schema: generated(), indexSecret: secret, ...options }),
    );
  let prisma: ReturnType<typeof extended>;
  beforeEach(() => {
    if (opened()) prisma = extended();
  });

  /** What the index columns should hold, computed by the public BlindIndex with the same secret. */
  const emailIndex = new BlindIndex(secret, { model: "Account", field: "email", normalize: "email" });
  const phoneIndex = new BlindIndex(secret, {
    model: "Account",
    field: "phone",
    normalize: "phone",
    scope: "tenant",
  });
  const handleIndex = new BlindIndex(secret, { model: "Account", field: "handle" });
  const phoneIn = (value: string, organizationId: string) => phoneIndex.compute(value, { organizationId });

  /** The Account rows as stored, by id. */
  const rows = async () => {
    const raw = await database().raw("Account");
    return new Map(raw.map((row) => [Number(row["id"]), row]));
  };
  const row = async (id: number) => (await rows()).get(id) as PrismaObject;
  const unique = <T>(where: PrismaObject) => where as T;
  /** `{ field: { equals, mode: "insensitive" } }`: PostgreSQL's filter, typed out of the SQLite client. */
  const insensitive = (where: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(where).map(([field, equals]) => [field, { equals, mode: "insensitive" }]),
    ) as never;

  describe(`blind indexes on ${target}`, () => {
    it("with the generator's vaultOmit, index columns leave results; finds, updates and select still reach them", async () => {
      const { vaultOmit } = (await import(`../generated/${target}/vault/index.js`)) as {
        vaultOmit: Record<string, Record<string, boolean>>;
      };
      const omitting = database()
        .client({ omit: vaultOmit })
        .$extends(vault({ keys: rig.local, schema: generated(), indexSecret: secret }));
      const created = await omitting.account.create({ data: { organizationId: "org_a", email: "Ann@X.IO" } });
      expect(created).not.toHaveProperty("emailIndex");
      const found = await omitting.account.findUnique({ where: unique<never>({ email: "ann@x.io" }) });
      expect(found).toMatchObject({ id: created.id, email: "Ann@X.IO" });
      expect(found).not.toHaveProperty("emailIndex");
      expect(found).not.toHaveProperty("phoneIndex");
      const updated = await omitting.account.update({ where: { id: created.id }, data: { email: "b@x.io" } });
      expect(updated).not.toHaveProperty("emailIndex");
      expect((await row(created.id))["emailIndex"]).toBe(emailIndex.compute("b@x.io"));
      const asked = await omitting.account.findFirstOrThrow({
        where: { email: "B@x.io" },
        select: { emailIndex: true },
      });
      expect(asked).toEqual({ emailIndex: emailIndex.compute("b@x.io") });
      const kept = await omitting.account.findFirstOrThrow({ omit: { emailIndex: false } });
      expect(kept.emailIndex).toBe(emailIndex.compute("b@x.io"));
      const nested = await omitting.organization.findUniqueOrThrow({
        where: { id: "org_a" },
        include: { accounts: true },
      });
      expect(nested.accounts[0]).not.toHaveProperty("emailIndex");
      expect(nested.accounts[0]?.email).toBe("b@x.io");
    });

    it("log-in lookup: findUnique by email finds the row whatever its case and spaces", async () => {
      const ann = await prisma.account.create({
        data: { organizationId: "org_a", email: "ann@x.io", name: "Ann" },
      });
      type Where = Parameters<typeof prisma.account.findUnique>[0]["where"];
      // Prisma's types only take unique columns here; email is searchable through its @unique index column.
      const found = await prisma.account.findUnique({ where: unique<Where>({ email: "ANN@x.io " }) });
      expect(found).toMatchObject({ id: ann.id, email: "ann@x.io", name: "Ann" });
      expect(await prisma.account.findFirst({ where: { email: "  Ann@X.IO" } })).toMatchObject({
        id: ann.id,
      });
      expect(await prisma.account.findUnique({ where: unique<Where>({ email: "bob@x.io" }) })).toBeNull();
    });

    it("a second account with the same normalized email is rejected by the @unique index column", async () => {
      await prisma.account.create({ data: { organizationId: "org_a", email: "ann@x.io" } });
      expect(
        await anyFailure(prisma.account.create({ data: { organizationId: "org_b", email: " ANN@x.io" } })),
      ).toMatchObject({ code: "P2002" });
      expect(await rows()).toHaveProperty("size", 1);
    });

    it("the index column holds the keyed HMAC of the normalized value, never the plaintext", async () => {
      const account = await prisma.account.create({
        data: {
          organizationId: "org_a",
          email: "Ann.Lee@Example.COM",
          phone: "+1 (555) 010-0000",
          handle: "AnnLee",
        },
      });
      const stored = await row(account.id);
      expect(stored["emailIndex"]).toBe(emailIndex.compute("ann.lee@example.com"));
      expect(stored["phoneIndex"]).toBe(phoneIn("+15550100000", "org_a"));
      expect(stored["handleIndex"]).toBe(handleIndex.compute("AnnLee"));
      for (const column of ["emailIndex", "phoneIndex", "handleIndex"]) {
        const value = stored[column] as string;
        expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
        for (const plain of ["ann.lee", "example", "5550100000", "AnnLee", "annlee"]) {
          expect(value.toLowerCase()).not.toContain(plain.toLowerCase());
        }
      }
      expect(isEnvelope(stored["email"])).toBe(true);
    });

    it("two index secrets give different indexes, and a client with the other secret finds nothing", async () => {
      const other = extended({ indexSecret: randomBytes(32) });
      const a = await prisma.account.create({
        data: { organizationId: "org_a", email: "a@x.io", handle: "h" },
      });
      const b = await other.account.create({
        data: { organizationId: "org_a", email: "b@x.io", handle: "h" },
      });
      expect((await row(a.id))["handleIndex"]).not.toBe((await row(b.id))["handleIndex"]);
      expect((await prisma.account.findMany({ where: { handle: "h" } })).map((r) => r.id)).toEqual([a.id]);
      expect((await other.account.findMany({ where: { handle: "h" } })).map((r) => r.id)).toEqual([b.id]);
    });

    it("a tenant-scoped index differs across tenants for the same value, and queries stay in their tenant", async () => {
      const a = await prisma.account.create({
        data: { organizationId: "org_a", email: "a@x.io", phone: "555" },
      });
      const b = await prisma.account.create({
        data: { organizationId: "org_b", email: "b@x.io", phone: "555" },
      });
      expect((await row(a.id))["phoneIndex"]).not.toBe((await row(b.id))["phoneIndex"]);
      const inA = await prisma.account.findMany({ where: { organizationId: "org_a", phone: "5-5-5" } });
      expect(inA.map((r) => [r.id, r.phone])).toEqual([[a.id, "555"]]);
      const either = await prisma.account.findMany({
        where: {
          OR: [
            { organizationId: "org_a", phone: "555" },
            { organizationId: "org_b", phone: { in: ["555"] } },
          ],
        },
        orderBy: { id: "asc" },
      });
      expect(either.map((r) => r.id)).toEqual([a.id, b.id]);
    });

    it("a tenant-scoped index used without its context pinned is VAULT_UNSUPPORTED_QUERY saying what to add", async () => {
      const error = await vaultFailure(prisma.account.findMany({ where: { phone: "555" } }));
      expect(error).toMatchObject({ code: "VAULT_UNSUPPORTED_QUERY", model: "Account", field: "phone" });
      expect(error.message).toMatch(/add organizationId/);
    });

    it("every write path fills the index: createMany, update, { set }, null, upsert, nested create", async () => {
      await prisma.account.createMany({
        data: [
          { organizationId: "org_a", email: "a@x.io", handle: "ha" },
          { organizationId: "org_b", email: "b@x.io", phone: "1" },
        ],
      });
      const [a, b] = [...(await rows()).keys()] as [number, number];
      expect((await row(a))["handleIndex"]).toBe(handleIndex.compute("ha"));
      expect((await row(b))["phoneIndex"]).toBe(phoneIn("1", "org_b"));

      await prisma.account.update({ where: { id: a }, data: { handle: { set: "hb" }, phone: "2" } });
      expect(await row(a)).toMatchObject({
        handleIndex: handleIndex.compute("hb"),
        phoneIndex: phoneIn("2", "org_a"),
      });
      await prisma.account.update({ where: { id: a }, data: { handle: null, phone: { set: null } } });
      expect(await row(a)).toMatchObject({ handle: null, handleIndex: null, phone: null, phoneIndex: null });

      await prisma.account.upsert({
        where: { id: a },
        create: { organizationId: "org_a", email: "never@x.io" },
        update: { handle: "hc" },
      });
      expect((await row(a))["handleIndex"]).toBe(handleIndex.compute("hc"));
      const created = await prisma.account.upsert({
        where: { emailIndex: "none" },
        create: { organizationId: "org_b", email: "C@x.io", phone: "3" },
        update: {},
      });
      expect(await row(created.id)).toMatchObject({
        emailIndex: emailIndex.compute("c@x.io"),
        phoneIndex: phoneIn("3", "org_b"),
      });

      await prisma.organization.update({
        where: { id: "org_a" },
        data: { accounts: { create: { email: "d@x.io", phone: "4" } } },
      });
      const nested = await prisma.account.findFirstOrThrow({ where: { email: "d@x.io" } });
      expect(await row(nested.id)).toMatchObject({
        emailIndex: emailIndex.compute("d@x.io"),
        phoneIndex: phoneIn("4", "org_a"),
      });
    });

    it("updateMany over two tenants writes each row's tenant-scoped index under its own context", async () => {
      const a = await prisma.account.create({ data: { organizationId: "org_a", email: "a@x.io" } });
      const b = await prisma.account.create({ data: { organizationId: "org_b", email: "b@x.io" } });
      const result = await prisma.account.updateMany({ data: { phone: "777" } });
      expect(result.count).toBe(2);
      expect((await row(a.id))["phoneIndex"]).toBe(phoneIn("777", "org_a"));
      expect((await row(b.id))["phoneIndex"]).toBe(phoneIn("777", "org_b"));
    });

    it("a row moving to another tenant takes its tenant-scoped index along (update and updateMany)", async () => {
      const a = await prisma.account.create({
        data: { organizationId: "org_a", email: "a@x.io", phone: "555", handle: "h" },
      });
      await prisma.account.update({ where: { id: a.id }, data: { organizationId: "org_b" } });
      expect(await row(a.id)).toMatchObject({
        phoneIndex: phoneIn("555", "org_b"),
        handleIndex: handleIndex.compute("h"),
        emailIndex: emailIndex.compute("a@x.io"),
      });
      expect(
        await prisma.account.findFirst({ where: { organizationId: "org_b", phone: "555" } }),
      ).toMatchObject({
        id: a.id,
      });
      await prisma.account.updateMany({ where: { handle: "h" }, data: { organizationId: "org_a" } });
      expect((await row(a.id))["phoneIndex"]).toBe(phoneIn("555", "org_a"));
    });

    it("a user writing an index column is VAULT_CONFIG at query time and nothing is stored", async () => {
      const error = await vaultFailure(
        prisma.account.create({ data: { organizationId: "org_a", email: "a@x.io", emailIndex: "forged" } }),
      );
      expect(error).toMatchObject({ code: "VAULT_CONFIG", model: "Account", field: "emailIndex" });
      expect(await rows()).toHaveProperty("size", 0);
      const a = await prisma.account.create({ data: { organizationId: "org_a", email: "a@x.io" } });
      expect(
        await vaultFailure(prisma.account.update({ where: { id: a.id }, data: { handleIndex: null } })),
      ).toMatchObject({ code: "VAULT_CONFIG" });
    });

    it("filters find, count, update and delete through the index; results are decrypted", async () => {
      await prisma.account.createMany({
        data: [
          { organizationId: "org_a", email: "a@x.io", handle: "x", name: "1" },
          { organizationId: "org_a", email: "b@x.io", handle: "y", name: "2" },
          { organizationId: "org_b", email: "c@x.io", handle: "x", name: "3" },
          { organizationId: "org_b", email: "d@x.io", name: "4" },
        ],
      });
      const names = async (where: PrismaObject) =>
        (await prisma.account.findMany({ where, orderBy: { name: "asc" } })).map((r) => r.name);
      expect(await names({ handle: "x" })).toEqual(["1", "3"]);
      expect(await names({ handle: { in: ["y", "z"] } })).toEqual(["2"]);
      expect(await names({ handle: { notIn: ["x"] } })).toEqual(["2"]);
      expect(await names({ handle: { not: "x" } })).toEqual(["2"]);
      expect(await names({ OR: [{ handle: null }, { email: "A@x.io" }] })).toEqual(["1", "4"]);
      // As on a plaintext column: SQL's NOT of a comparison with NULL leaves the row out.
      expect(await names({ NOT: { handle: "x" } })).toEqual(["2"]);
      expect(await prisma.account.count({ where: { handle: "x" } })).toBe(2);
      const found = await prisma.account.findFirstOrThrow({
        where: { email: "b@x.io" },
        select: { email: true },
      });
      expect(found).toEqual({ email: "b@x.io" });
      const orgs = await prisma.organization.findMany({
        where: { accounts: { some: { handle: "y" } } },
        include: { accounts: { where: { email: "b@x.io" } } },
      });
      expect(orgs.map((o) => [o.id, o.accounts.map((a) => a.email)])).toEqual([["org_a", ["b@x.io"]]]);
      await prisma.account.update({ where: unique({ email: "c@x.io" }), data: { name: "3b" } });
      expect(await names({ email: "c@x.io" })).toEqual(["3b"]);
      expect((await prisma.account.deleteMany({ where: { handle: "x" } })).count).toBe(2);
      expect(await names({})).toEqual(["2", "4"]);
    });

    it("connect, connectOrCreate and upsert locate rows by their index", async () => {
      const a = await prisma.account.create({ data: { organizationId: "org_a", email: "a@x.io" } });
      const session = await prisma.session.create({
        data: { label: "s", account: { connect: { email: "A@x.io" } } as never },
        include: { account: true },
      });
      expect(session.account).toMatchObject({ id: a.id, email: "a@x.io" });
      const again = await prisma.organization.update({
        where: { id: "org_a" },
        data: {
          accounts: {
            connectOrCreate: { where: unique({ email: "a@x.io" }), create: { email: "a@x.io", name: "dup" } },
          },
        },
        include: { accounts: true },
      });
      expect(again.accounts.map((x) => x.id)).toEqual([a.id]);
      const upserted = await prisma.account.upsert({
        where: unique({ email: "a@x.io" }),
        create: { organizationId: "org_a", email: "a@x.io" },
        update: { name: "updated" },
      });
      expect(upserted).toMatchObject({ id: a.id, name: "updated", email: "a@x.io" });
    });

    it("refuses what the index cannot answer, before any query", async () => {
      await prisma.account.create({ data: { organizationId: "org_a", email: "a@x.io", handle: "h" } });
      for (const query of [
        prisma.account.findMany({ where: { handle: { contains: "h" } } }),
        prisma.account.findMany({ where: { email: { startsWith: "a" } } }),
        prisma.account.findMany({ where: { handle: { gt: "a" } } }),
        prisma.account.findMany({ where: insensitive({ handle: "H" }) }),
        prisma.account.findMany({ orderBy: { email: "asc" } }),
        prisma.account.deleteMany({ where: { handle: { endsWith: "h" } } }),
      ]) {
        expect(await vaultFailure(query)).toMatchObject({
          code: "VAULT_UNSUPPORTED_QUERY",
          model: "Account",
        });
      }
      expect(await rows()).toHaveProperty("size", 1);
    });

    it("insensitive mode is answered when the normalizer folds case", async () => {
      const a = await prisma.account.create({ data: { organizationId: "org_a", email: "a@x.io" } });
      const found = await prisma.account.findMany({
        where: insensitive({ email: "A@X.IO" }),
      });
      expect(found.map((r) => r.id)).toEqual([a.id]);
    });

    it("an index filter inside batch and interactive transactions", async () => {
      const a = await prisma.account.create({ data: { organizationId: "org_a", email: "a@x.io" } });
      const [updated, count] = await prisma.$transaction([
        prisma.account.update({ where: unique({ email: "a@x.io" }), data: { handle: "h" } }),
        prisma.account.count({ where: { handle: "h" } }),
      ]);
      expect(updated).toMatchObject({ id: a.id, handle: "h" });
      expect(count).toBe(1);
      const inside = await prisma.$transaction(async (tx) => {
        await tx.account.update({ where: unique({ email: "a@x.io" }), data: { phone: "9" } });
        return tx.account.findFirst({ where: { organizationId: "org_a", phone: "9" } });
      });
      expect(inside).toMatchObject({ id: a.id, phone: "9" });
      expect((await row(a.id))["phoneIndex"]).toBe(phoneIn("9", "org_a"));
    });

    it("a schema declaring an index without an index secret fails when the extension is created", () => {
      const previous = process.env["PRISMA_VAULT_INDEX_KEY"];
      delete process.env["PRISMA_VAULT_INDEX_KEY"];
      try {
        expect(() => database().plain.$extends(vault({ keys: rig.local, schema: generated() }))).toThrow(
          expect.objectContaining({ code: "VAULT_CONFIG", model: "Account", field: "email" }) as Error,
        );
        process.env["PRISMA_VAULT_INDEX_KEY"] = secret.toString("base64");
        const fromEnv = database().plain.$extends(vault({ keys: rig.local, schema: generated() }));
        expect(fromEnv.$vault.stats()).toBeDefined();
      } finally {
        if (previous === undefined) delete process.env["PRISMA_VAULT_INDEX_KEY"];
        else process.env["PRISMA_VAULT_INDEX_KEY"] = previous;
      }
    });
  });
}

/**
 * Fail-closed behaviour of the extension, on every database target (fail-closed-*.test.ts): an error
 * means nothing was written (or says `committed: true` where DESIGN.md §8 allows it), and no error or
 * stored value shows a plaintext. Keys come from the real WorkOS SDK talking to our key server.
 */
import { Prisma } from "@prisma/client/extension";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { associatedData } from "../../src/context/key-context.js";
import { decodeEnvelope, isEnvelope } from "../../src/format/envelope.js";
import { encodeLeb128 } from "../../src/format/leb128.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { vault } from "../../src/prisma/extension.js";
import type { Target } from "../support/databases.js";
import { useExtensionRig } from "../support/extension-rig.js";
import { anyFailure, thrownVaultError, vaultFailure } from "../support/errors.js";
import { registerSecrets } from "../support/secrets.js";

registerSecrets(
  "987-65-4321",
  "555-55-5555",
  "000-00-0000",
  "123-45-6789",
  "ann@x.io",
  "secret body",
  "rolled back",
);

export function failClosedSuite(target: Target): void {
  const { rig, database, generated, indexSecret, extended, orgs } = useExtensionRig(target);
  /** Ann in org_a, whose `notes` then holds her ssn's envelope: the wrong field's AAD, so it never decrypts. */
  const undecryptable = async () => {
    await orgs("org_a");
    const ann = await extended().user.create({
      data: { organizationId: "org_a", email: "ann@x.io", ssn: "123-45-6789" },
    });
    const [row] = await database().raw("User");
    await database().plain.user.update({ where: { id: ann.id }, data: { notes: row!["ssn"] as string } });
    return ann;
  };

  /** Ann and Cat in org_a, Bob in org_b, each with an ssn, written through `prisma`. */
  const threeUsers = async (prisma: { user: { create: (...args: never[]) => unknown } }) => {
    const create = prisma.user.create as unknown as (args: object) => Promise<{ id: number }>;
    return {
      ann: await create({ data: { organizationId: "org_a", email: "ann@x.io", ssn: "123-45-6789" } }),
      bob: await create({ data: { organizationId: "org_b", email: "bob@x.io", ssn: "987-65-4321" } }),
      cat: await create({ data: { organizationId: "org_a", email: "cat@x.io", ssn: "555-55-5555" } }),
    };
  };

  describe(`fail closed on ${target}`, () => {
    describe("tenant changes through relations, configured with the models map alone", () => {
      const mapped = () =>
        database().plain.$extends(
          vault({
            keys: rig.provider,
            models: { User: { context: ["organizationId"], fields: { email: {}, ssn: {}, notes: {} } } },
          }),
        );
      const sealedFor = async (id: number, field: string, organizationId: string) => {
        const row = (await database().raw("User")).find((r) => Number(r["id"]) === id)!;
        return rig.workos.vault.decrypt(
          row[field] as string,
          associatedData("User", field, { organizationId }),
        );
      };

      it("a connect that moves a user to another organization re-seals the row under the new one", async () => {
        await orgs("org_a", "org_b");
        const prisma = mapped();
        const ann = await prisma.user.create({
          data: { organization: { connect: { id: "org_a" } }, email: "ann@x.io", ssn: "123-45-6789" },
        });
        const moved = await prisma.user.update({
          where: { id: ann.id },
          data: { organization: { connect: { id: "org_b" } } },
        });
        expect(moved).toMatchObject({ organizationId: "org_b", email: "ann@x.io", ssn: "123-45-6789" });
        expect(await sealedFor(ann.id, "ssn", "org_b")).toBe("123-45-6789");
        expect(await prisma.user.findUnique({ where: { id: ann.id } })).toMatchObject({ ssn: "123-45-6789" });
      });

      it("a nested create under a new organization takes the parent's id as its context", async () => {
        const org = await mapped().organization.create({
          data: { id: "org_n", name: "n", users: { create: { email: "ann@x.io", ssn: "123-45-6789" } } },
          include: { users: true },
        });
        expect(org.users[0]).toMatchObject({ organizationId: "org_n", ssn: "123-45-6789" });
        expect(await sealedFor(org.users[0]!.id, "ssn", "org_n")).toBe("123-45-6789");
      });
    });

    describe("order of extensions", () => {
      const defaultSsn = Prisma.defineExtension({
        query: {
          user: {
            create: ({ args, query }) =>
              query({ ...args, data: { ssn: "000-00-0000", ...(args as { data: object }).data } }),
          },
        },
      });

      it("a query extension applied after vault() is refused when it is applied", async () => {
        const prisma = extended();
        const error = await vaultFailure(Promise.resolve().then(() => prisma.$extends(defaultSsn)));
        expect(error.code).toBe("VAULT_CONFIG");
        expect(error.message).toContain("vault() must be the last query extension");
        const pass = ({ args, query }: { args: unknown; query: (args: unknown) => unknown }) => query(args);
        for (const query of [{ $allModels: { $allOperations: pass } }, { post: { findMany: pass } }]) {
          expect(() => prisma.$extends({ query } as never)).toThrow(/last query extension/);
        }
        expect(await database().raw("User")).toHaveLength(0);
      });

      it("extensions vault() cannot be harmed by still apply after it: results, models, inert models, raw queries", async () => {
        await orgs("org_a");
        const prisma = extended()
          .$extends({
            result: { user: { shout: { needs: { email: true }, compute: (u) => u.email.toUpperCase() } } },
          })
          .$extends({ model: { user: { byEmail: () => "model method" } } })
          .$extends({ query: { auditLog: { create: ({ args, query }) => query(args) } } });
        const user = await prisma.user.create({ data: { organizationId: "org_a", email: "ann@x.io" } });
        expect(user.shout).toBe("ANN@X.IO");
        expect(prisma.user.byEmail()).toBe("model method");
        expect(typeof prisma.$vault.stats).toBe("function");
      });

      it("vault() hooks the models that reach encrypted data and no other: an inert model's queries never enter it", async () => {
        // The extension's callback given a client that records the query extension vault() applies.
        const given: { query?: Record<string, unknown> }[] = [];
        const plain = database().plain as unknown as { $extends(extension: unknown): unknown };
        const recording = new Proxy(plain, {
          get: (client, key) =>
            key === "$extends"
              ? (extension: { query?: Record<string, unknown> }) => {
                  given.push(extension);
                  return client.$extends(extension);
                }
              : (Reflect.get(client, key) as unknown),
        });
        const callback = vault({ keys: rig.provider, schema: generated(), indexSecret }) as unknown as (
          client: unknown,
        ) => { auditLog: { create(args: object): Promise<{ action: string }> } };
        const prisma = callback(recording);
        const hooked = Object.keys(given[0]?.query ?? {});
        expect(hooked).toEqual(expect.arrayContaining(["user", "account", "organization", "plainAccount"]));
        expect(hooked).not.toContain("auditLog");
        expect(hooked).not.toContain("ticket");
        expect(hooked).not.toContain("$allModels");
        const log = await prisma.auditLog.create({ data: { action: "a", subject: "s" } });
        expect(log.action).toBe("a");
      });

      it("a mutating query extension applied before vault(), as documented, has its values encrypted", async () => {
        await orgs("org_a");
        const prisma = database()
          .plain.$extends(defaultSsn)
          .$extends(vault({ keys: rig.provider, schema: generated(), indexSecret }));
        const user = await prisma.user.create({ data: { organizationId: "org_a", email: "ann@x.io" } });
        expect(user.ssn).toBe("000-00-0000");
        const [row] = await database().raw("User");
        expect(isEnvelope(row!["ssn"])).toBe(true);
        expect(JSON.stringify(row)).not.toContain("000-00-0000");
      });
    });

    describe("tenant isolation without associated data", () => {
      it('a field with aad: "none" refuses another tenant\'s ciphertext: the key blob names its context', async () => {
        await orgs("org_a", "org_b");
        for (const keys of [
          rig.provider,
          new LocalKeyProvider({ keys: [{ id: "k", key: randomBytes(32) }] }),
        ]) {
          await database().reset();
          await orgs("org_a", "org_b");
          const prisma = database().plain.$extends(
            vault({
              keys,
              models: { User: { context: ["organizationId"], fields: { email: {}, ssn: { aad: "none" } } } },
            }),
          );
          const { ann, bob, cat } = await threeUsers(prisma);
          const ssnOf = async (id: number) =>
            (await database().raw("User")).find((row) => Number(row["id"]) === id)!["ssn"] as string;
          await database().plain.user.update({ where: { id: bob.id }, data: { ssn: await ssnOf(ann.id) } });
          const error = await vaultFailure(prisma.user.findUnique({ where: { id: bob.id } }));
          expect(error).toMatchObject({ code: "VAULT_DECRYPT_FAILED", field: "ssn", id: bob.id });
          // Documented limit: no row binding, so a value moved between rows of one tenant and field decrypts.
          await database().plain.user.update({ where: { id: cat.id }, data: { ssn: await ssnOf(ann.id) } });
          expect((await prisma.user.findUnique({ where: { id: cat.id } }))?.ssn).toBe("123-45-6789");
        }
      });
    });

    describe("large values", () => {
      it("a 64 MiB value round-trips (on MariaDB, TEXT holds 65,535 bytes: refused before it is sent)", async () => {
        await orgs("org_a");
        const prisma = extended();
        const big = "0123456789abcdef".repeat(4 * 2 ** 20); // 64 MiB
        if (target === "mariadb") {
          const error = await vaultFailure(
            prisma.user.create({ data: { organizationId: "org_a", email: "a", notes: big } }),
          );
          expect(error).toMatchObject({ code: "VAULT_CONFIG", field: "notes" });
          expect(await database().raw("User")).toHaveLength(0);
          return;
        }
        const started = performance.now();
        const user = await prisma.user.create({
          data: { organizationId: "org_a", email: "a", notes: big },
          select: { id: true },
        });
        const read = await prisma.user.findUnique({ where: { id: user.id }, select: { notes: true } });
        expect(read?.notes?.length).toBe(big.length);
        expect(read?.notes === big).toBe(true);
        const [row] = await database().raw("User");
        expect(isEnvelope(row!["notes"])).toBe(true);
        console.log(
          `${target}: 64 MiB written and read back in ${Math.round(performance.now() - started)} ms`,
        );
      }, 120_000);
    });

    describe("the tamper matrix", () => {
      it("every single-byte flip, truncation, blob swap and cross-field, row or tenant copy is refused: 0 plaintext returned", async () => {
        await orgs("org_a", "org_b");
        const prisma = extended();
        const { ann, bob, cat } = await threeUsers(prisma);
        const rows = await database().raw("User");
        const column = (id: number, field: string) =>
          rows.find((r) => Number(r["id"]) === id)![field] as string;
        const original = Buffer.from(column(ann.id, "ssn"), "base64");
        const parts = decodeEnvelope(column(ann.id, "ssn"));
        const blobAt = original.indexOf(Buffer.from(parts.encryptedKeys));
        const variants: string[] = [];
        for (let at = 0; at < original.length; at++) {
          for (const xor of [0x01, 0x80, 0xff]) {
            const bytes = Buffer.from(original);
            bytes[at] = (bytes[at] as number) ^ xor;
            variants.push(bytes.toString("base64"));
          }
        }
        for (let length = 0; length < original.length; length++) {
          variants.push(original.subarray(0, length).toString("base64"));
        }
        // Ann's IV, tag and ciphertext with the key blob of another value of her tenant, and of Bob's.
        for (const other of [column(cat.id, "ssn"), column(ann.id, "email"), column(bob.id, "ssn")]) {
          const blob = decodeEnvelope(other).encryptedKeys;
          const swapped = Buffer.concat([
            original.subarray(0, 28),
            encodeLeb128(blob.length),
            blob,
            original.subarray(blobAt + parts.encryptedKeys.length),
          ]);
          variants.push(swapped.toString("base64"));
        }
        // Copies: Ann's ssn in her email (another field), Bob's ssn (another tenant).
        variants.push(column(ann.id, "email"), column(bob.id, "ssn"));
        const distinct = [...new Set(variants)].filter((v) => v !== column(ann.id, "ssn"));
        const outcomes = new Map<string, number>();
        let returned = 0;
        for (let i = 0; i < distinct.length; i += 50) {
          await Promise.all(
            distinct.slice(i, i + 50).map(async (value, j) => {
              const id = ann.id;
              // Each variant in a row of its own, in Ann's tenant, read back through the extension.
              const row = await database().plain.user.create({
                data: { organizationId: "org_a", email: column(id, "email"), ssn: value },
              });
              const read = await prisma.user.findUnique({ where: { id: row.id } }).then(
                (found) => found?.ssn,
                (error: unknown) => error,
              );
              if (typeof read === "string" || read === null) returned++;
              const code = (read as { code?: string }).code ?? `returned #${i + j}`;
              outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
            }),
          );
        }
        expect(returned).toBe(0);
        expect(
          [...outcomes.keys()].every((code) =>
            ["VAULT_DECRYPT_FAILED", "VAULT_KEY_UNAVAILABLE"].includes(code),
          ),
        ).toBe(true);
        console.log(
          `${target}: tamper matrix of ${distinct.length} values: ${JSON.stringify(Object.fromEntries(outcomes))}`,
        );
      }, 120_000);
    });

    describe("plaintext that looks like an envelope", () => {
      it('under plaintext: "read", 300 base64 API tokens read back as text and none reaches the key service', async () => {
        await orgs("org_a");
        const tokens = Array.from({ length: 300 }, () => randomBytes(48).toString("base64"));
        // Random base64 parses as an envelope about one time in twelve; only a known key-blob format counts.
        expect(tokens.filter((token) => isEnvelope(token)).length).toBeGreaterThan(0);
        await database().plain.user.createMany({
          data: tokens.map((notes, i) => ({ organizationId: "org_a", email: `u${i}`, notes })),
        });
        await database().plain.user.updateMany({ data: { email: "not an envelope either" } });
        rig.server.resetStats();
        const rows = await extended({ plaintext: "read" }).user.findMany({ orderBy: { id: "asc" } });
        expect(rows.map((row) => row.notes)).toEqual(tokens);
        expect(rig.server.stats().decrypt).toBe(0);
        const refused = await vaultFailure(extended().user.findFirst({ where: { notes: { not: null } } }));
        expect(refused.code).toBe("VAULT_DECRYPT_FAILED");
        expect(rig.server.stats().decrypt).toBe(0);
      });
    });

    describe("no plaintext in errors", () => {
      it("a misspelled nested write, relation or argument is refused by prisma-vault, naming the key only", async () => {
        await orgs("org_a");
        const prisma = extended();
        const base = { organizationId: "org_a", email: "ann@x.io" };
        const cases: [unknown, string][] = [
          [{ data: { ...base, posts: { craete: { title: "t", body: "secret body" } } } }, "posts.craete"],
          [{ data: { ...base, postz: { create: { title: "t", body: "secret body" } } } }, "postz"],
          [{ dat: { ...base, ssn: "123-45-6789" } }, "dat"],
          [
            {
              data: {
                ...base,
                profile: { connectOrCreate: { where: { id: 1 }, creat: { bio: "secret body" } } },
              },
            },
            "profile.connectOrCreate.creat",
          ],
        ];
        for (const [args, key] of cases) {
          const error = await vaultFailure(prisma.user.create(args as never));
          expect(error).toMatchObject({ code: "VAULT_UNSUPPORTED_QUERY", model: "User" });
          expect(error.message).toContain(`"${key}"`);
        }
        const update = await vaultFailure(
          prisma.organization.update({
            where: { id: "org_a" },
            data: { users: { updateMany: { where: {}, dta: { ssn: "123-45-6789" } } } } as never,
          }),
        );
        expect(update.message).toContain('"users.updateMany.dta"');
        expect(await database().raw("User")).toHaveLength(0);
      });

      it("errors of Prisma and the database that prisma-vault passes on show no plaintext and no envelope", async () => {
        await orgs("org_a");
        const prisma = extended();
        // Prisma's validation error for a wrong type beside encrypted values prints the arguments it was sent.
        const invalid = await anyFailure(
          prisma.user.create({
            data: { organizationId: "org_a", email: "ann@x.io", ssn: "123-45-6789", name: 42 as never },
          }),
        );
        expect(invalid.message).toContain("[redacted]");
        expect(invalid.message).not.toMatch(/[A-Za-z0-9+/]{40,}/);
        // A unique index column already holding the value: the database's own error.
        await prisma.account.create({
          data: { organizationId: "org_a", email: "ann@x.io", phone: "123-45-6789" },
        });
        const duplicate = await anyFailure(
          prisma.account.create({
            data: { organizationId: "org_a", email: "ann@x.io", phone: "123-45-6789" },
          }),
        );
        expect(duplicate).toMatchObject({ code: "P2002" });
        expect(duplicate.message).not.toMatch(/[A-Za-z0-9+/]{40,}/);
        expect(await database().raw("Account")).toHaveLength(1);
        expect(await database().raw("User")).toHaveLength(0);
      });
    });

    describe("envelopes fit their columns", () => {
      const long = "x".repeat(500); // its envelope is over 700 characters; Memo.text holds 600 where bounded
      it("an envelope longer than its column is refused before it is sent, even where the database would cut it", async () => {
        const prisma = extended();
        const write = () =>
          prisma.$transaction(async (tx) => {
            // MariaDB in a non-strict sql_mode truncates a long value without an error.
            if (target === "mariadb") await tx.$executeRawUnsafe("SET SESSION sql_mode = ''");
            return tx.memo.create({ data: { organizationId: "org_a", text: long } });
          });
        if (target === "sqlite") {
          expect((await write()).text).toBe(long); // TEXT is unbounded
          return;
        }
        const error = await vaultFailure(write());
        expect(error).toMatchObject({ code: "VAULT_CONFIG", model: "Memo", field: "text" });
        expect(error.message).toContain("the column holds 600");
        expect(await database().raw("Memo")).toHaveLength(0);
        const short = await prisma.memo.create({ data: { organizationId: "org_a", text: "fits" } });
        expect((await prisma.memo.findUnique({ where: { id: short.id } }))?.text).toBe("fits");
      });

      it("an encrypted column too small for envelopes is refused when the extension starts", () => {
        // The same schema with User.email a plain String: VARCHAR(191) on MySQL and MariaDB.
        const schema = structuredClone(generated()) as unknown as {
          datamodel: { models: Record<string, { fields: Record<string, unknown>[] }> };
        };
        const email = schema.datamodel.models["User"]!.fields.find((f) => f["name"] === "email")!;
        delete email["nativeType"];
        const start = () =>
          database().plain.$extends(vault({ keys: rig.provider, schema: schema as never, indexSecret }));
        if (target !== "mariadb") return void start();
        const error = thrownVaultError(start);
        expect(error).toMatchObject({ code: "VAULT_CONFIG", model: "User", field: "email" });
        expect(error.message).toContain("191");
      });
    });

    describe("errors name the row", () => {
      it("a write that fails to seal names the row's primary key when the arguments give it", async () => {
        await orgs("org_a");
        const ann = await extended().user.create({ data: { organizationId: "org_a", email: "ann@x.io" } });
        rig.server.faults.failNext(1000, 403); // retried by neither the SDK nor the provider: a quick failure
        const error = await vaultFailure(
          extended({ cache: false }).user.update({
            where: { id: ann.id, organizationId: "org_a" },
            data: { ssn: "123-45-6789" },
          }),
        );
        expect(error).toMatchObject({ code: "VAULT_KEY_PROVIDER", model: "User", field: "ssn", id: ann.id });
        expect(error.message).toContain(`(id ${ann.id})`);
      });
    });

    describe("errors and commits", () => {
      it("a delete whose result does not decrypt has committed and says so", async () => {
        const ann = await undecryptable();
        const error = await vaultFailure(extended().user.delete({ where: { id: ann.id } }));
        expect(error).toMatchObject({ code: "VAULT_DECRYPT_FAILED", field: "notes", committed: true });
        expect(await database().raw("User")).toHaveLength(0);
      });

      it("an update without encrypted fields, pinned by where, commits and says so when its result does not decrypt", async () => {
        const ann = await undecryptable();
        const error = await vaultFailure(
          extended().user.update({ where: { id: ann.id, organizationId: "org_a" }, data: { name: "Ann" } }),
        );
        expect(error).toMatchObject({ code: "VAULT_DECRYPT_FAILED", committed: true });
        expect((await database().raw("User"))[0]!["name"]).toBe("Ann");
      });

      it("an update that reads its context first runs in a transaction: a result that does not decrypt rolls it back", async () => {
        const ann = await undecryptable();
        const before = await database().raw("User");
        const error = await vaultFailure(
          extended().user.update({ where: { id: ann.id }, data: { name: "Ann", ssn: "rolled back" } }),
        );
        expect(error).toMatchObject({ code: "VAULT_DECRYPT_FAILED", field: "notes", committed: false });
        expect(await database().raw("User")).toEqual(before);
      });

      it("inside the caller's interactive transaction the error is not marked committed, and the transaction rolls back", async () => {
        const ann = await undecryptable();
        const before = await database().raw("User");
        const error = await vaultFailure(
          extended().$transaction((tx) => tx.user.delete({ where: { id: ann.id } })),
        );
        expect(error).toMatchObject({ code: "VAULT_DECRYPT_FAILED", committed: false });
        expect(await database().raw("User")).toEqual(before);
      });

      it("a write whose result decrypts is not marked; read errors are never marked committed", async () => {
        const ann = await undecryptable();
        const error = await vaultFailure(extended().user.findUnique({ where: { id: ann.id } }));
        expect(error.committed).toBe(false);
      });
    });
  });
}

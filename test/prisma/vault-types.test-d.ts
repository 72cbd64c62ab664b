/**
 * Type tests for what the extension adds to Prisma's types (issue 28): `findUnique` by an encrypted
 * field with a unique blind index, index columns left out with the generator's `vaultOmit`,
 * `onDecryptError: "null"` in result types, and a `models` map checked against the client's models.
 */
import { describe, expectTypeOf, it } from "vitest";
import { LocalKeyProvider, vault } from "../../src/index.js";
import type { PrismaClient } from "../generated/sqlite/client/client.js";
import { vaultSchema, type vaultOmit } from "../generated/sqlite/vault/index.js";

declare const base: PrismaClient;
declare const omitting: PrismaClient<never, typeof vaultOmit>;
const keys = LocalKeyProvider.fromEnv();

describe("findUnique by an encrypted field with a unique blind index", () => {
  it("type-checks with the generator's vaultSchema, and the result is the model's row", async () => {
    const prisma = base.$extends(vault({ keys, schema: vaultSchema }));
    const found = await prisma.account.findUnique({ where: { email: "ann@x.io" } });
    expectTypeOf(found?.email).toEqualTypeOf<string | undefined>();
    const picked = await prisma.account.findUniqueOrThrow({ where: { email: "a" }, select: { id: true } });
    expectTypeOf(picked).toEqualTypeOf<{ id: number }>();
    // The model's other unique keys still work.
    await prisma.account.findUnique({ where: { id: 1 } });
  });

  it("type-checks with a models map naming the index", async () => {
    const prisma = base.$extends(
      vault({
        keys,
        models: { Account: { context: ["organizationId"], fields: { email: { index: "emailIndex" } } } },
      }),
    );
    await prisma.account.findUnique({ where: { email: "ann@x.io" } });
  });

  it("an index that is not unique (phoneIndex) is no unique key", async () => {
    const prisma = base.$extends(vault({ keys, schema: vaultSchema }));
    // @ts-expect-error phoneIndex has no @unique
    await prisma.account.findUnique({ where: { phone: "+1 555" } });
    // @ts-expect-error a plain field is no unique key either
    await prisma.account.findUnique({ where: { name: "Ann" } });
  });
});

describe("blind-index columns in results", () => {
  it("are left out of result types with the generator's vaultOmit, also from findUnique by email", async () => {
    const prisma = omitting.$extends(vault({ keys, schema: vaultSchema }));
    const row = await prisma.account.findFirstOrThrow();
    expectTypeOf(row).not.toHaveProperty("emailIndex");
    expectTypeOf(row).toHaveProperty("email");
    const byEmail = await prisma.account.findUniqueOrThrow({ where: { email: "a" } });
    expectTypeOf(byEmail).not.toHaveProperty("emailIndex");
    const nested = await prisma.organization.findFirstOrThrow({ include: { accounts: true } });
    expectTypeOf(nested.accounts[0]).not.toHaveProperty("phoneIndex");
  });

  it("come back when asked for", async () => {
    const prisma = omitting.$extends(vault({ keys, schema: vaultSchema }));
    const row = await prisma.account.findFirstOrThrow({ select: { emailIndex: true } });
    expectTypeOf(row).toEqualTypeOf<{ emailIndex: string | null }>();
    const kept = await prisma.account.findFirstOrThrow({ omit: { emailIndex: false } });
    expectTypeOf(kept.emailIndex).toEqualTypeOf<string | null>();
  });
});

describe('onDecryptError: "null"', () => {
  it("types encrypted fields string | null, through relations too", async () => {
    const prisma = base.$extends(vault({ keys, schema: vaultSchema, onDecryptError: "null" }));
    const user = await prisma.user.findFirstOrThrow({ include: { posts: true } });
    expectTypeOf(user.email).toEqualTypeOf<string | null>();
    expectTypeOf(user.name).toEqualTypeOf<string | null>();
    expectTypeOf(user.organizationId).toEqualTypeOf<string>();
    expectTypeOf(user.posts[0]?.body).toEqualTypeOf<string | null | undefined>();
    const picked = await prisma.user.findFirstOrThrow({ select: { email: true } });
    expectTypeOf(picked).toEqualTypeOf<{ email: string | null }>();
  });

  it('with a models map, and not with "throw"', async () => {
    const nulls = base.$extends(
      vault({
        keys,
        models: { User: { context: ["organizationId"], fields: { email: {} } } },
        onDecryptError: "null",
      }),
    );
    expectTypeOf((await nulls.user.findFirstOrThrow()).email).toEqualTypeOf<string | null>();
    const throws = base.$extends(vault({ keys, schema: vaultSchema, onDecryptError: "throw" }));
    expectTypeOf((await throws.user.findFirstOrThrow()).email).toEqualTypeOf<string>();
  });
});

describe("a models map is checked against the client", () => {
  it("a misspelt model does not compile", () => {
    base.$extends(
      // @ts-expect-error Usr is no model of this client
      vault({ keys, models: { Usr: { context: ["organizationId"], fields: { email: {} } } } }),
    );
  });

  it("a misspelt field does not compile", () => {
    base.$extends(
      // @ts-expect-error emial is no field of User
      vault({ keys, models: { User: { context: ["organizationId"], fields: { emial: {} } } } }),
    );
  });

  it("a misspelt option does not compile", () => {
    // @ts-expect-error modles is no option
    vault({ keys, modles: {} });
  });
});

/**
 * Type tests, checked by vitest's typecheck (`npm test`) and `npm run typecheck`, never executed: the
 * extended client keeps Prisma's types. Encrypted fields stay `string` in inputs and results,
 * selections narrow as usual, and `$vault.stats()` is typed.
 */
import { describe, expectTypeOf, it } from "vitest";
import { LocalKeyProvider, vault, type VaultClientStats } from "../../src/index.js";
import type { PrismaClient } from "../generated/sqlite/client/client.js";
import { vaultSchema } from "../generated/sqlite/vault/index.js";

declare const base: PrismaClient;

describe("the extended client's types", () => {
  it("keeps Prisma's input and result types", async () => {
    const prisma = base.$extends(
      vault({
        keys: LocalKeyProvider.fromEnv(),
        models: { User: { context: ["organizationId"], fields: { email: {}, ssn: {} } } },
      }),
    );
    const fromSchema = base.$extends(vault({ keys: LocalKeyProvider.fromEnv(), schema: vaultSchema }));

    const user = await prisma.user.create({ data: { organizationId: "org_1", email: "a@x.io", ssn: "1" } });
    expectTypeOf(user.email).toEqualTypeOf<string>();
    expectTypeOf(user.ssn).toEqualTypeOf<string | null>();

    const picked = await fromSchema.user.findUnique({ where: { id: user.id }, select: { email: true } });
    expectTypeOf(picked).toEqualTypeOf<{ email: string } | null>();

    const withPosts = await prisma.user.findFirstOrThrow({ include: { posts: true } });
    expectTypeOf(withPosts.posts[0]?.body).toEqualTypeOf<string | null | undefined>();

    const omitted = await prisma.user.findFirstOrThrow({ omit: { organizationId: true } });
    expectTypeOf(omitted).not.toHaveProperty("organizationId");

    expectTypeOf(prisma.$vault.stats()).toEqualTypeOf<VaultClientStats>();
    expectTypeOf(prisma.$vault.stats().aead).toEqualTypeOf<"node" | "native">();

    // @ts-expect-error an encrypted field still takes a string, as in the schema
    await prisma.user.create({ data: { organizationId: "org_1", email: 42 } });
  });
});

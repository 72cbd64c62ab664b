/** KeyRouter through the extension on SQLite: two tenants on their own ring, the rest on the default. */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeEnvelope } from "../../src/format/envelope.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { KeyRouter } from "../../src/keys/router.js";
import { vault } from "../../src/prisma/extension.js";
import { useTestDatabase } from "../support/databases.js";
import { vaultFailure } from "../support/errors.js";

const indexSecret = randomBytes(32);

describe("KeyRouter in vault({ keys }) on SQLite", () => {
  const { database, generated } = useTestDatabase("sqlite");

  it("rows of two tenants on a second ring and one on the default read back; each blob is its ring's", async () => {
    const fallback = new LocalKeyProvider({ keys: [{ id: "k1", key: randomBytes(32) }] });
    const tenants = new LocalKeyProvider({ keys: [{ id: "k1", key: randomBytes(32) }] });
    const byok = new Set(["org_a", "org_b"]);
    const router = new KeyRouter({
      default: fallback,
      routes: [{ when: (context) => byok.has(context["organizationId"] ?? ""), provider: tenants }],
    });
    const plain = database().plain;
    await plain.organization.createMany({
      data: ["org_a", "org_b", "org_c"].map((id) => ({ id, name: id })),
    });
    const prisma = database()
      .client()
      .$extends(vault({ keys: router, schema: generated(), indexSecret }));
    for (const org of ["org_a", "org_b", "org_c"]) {
      await prisma.user.create({ data: { organizationId: org, email: `${org}@x.io`, ssn: `ssn-${org}` } });
    }
    const stored = await database().raw<{ organizationId: string; ssn: string }>("User");
    for (const row of stored) {
      const blob = decodeEnvelope(row.ssn).encryptedKeys;
      expect([tenants.owns(blob), fallback.owns(blob)]).toEqual(
        byok.has(row.organizationId) ? [true, false] : [false, true],
      );
    }
    // A fresh client: nothing cached, every key comes back from its own ring.
    const reader = database()
      .client()
      .$extends(vault({ keys: router, schema: generated(), indexSecret }));
    const users = await reader.user.findMany({ orderBy: { id: "asc" } });
    expect(users.map((u) => [u.email, u.ssn])).toEqual([
      ["org_a@x.io", "ssn-org_a"],
      ["org_b@x.io", "ssn-org_b"],
      ["org_c@x.io", "ssn-org_c"],
    ]);
    expect(router.stats()["local"]).toMatchObject({ createDataKey: 1, decryptDataKey: 1 });
    expect(router.stats()["local#2"]).toMatchObject({ createDataKey: 2, decryptDataKey: 2 });
    // prisma.$vault.stats() shows the same per-provider counts.
    expect(reader.$vault.stats().routed).toEqual(router.stats());
    expect(prisma.$vault.stats().routed?.["local"]).toMatchObject({ createDataKey: 1 });

    // Read with the default ring alone, the tenants' rows are not configured, and no provider is asked.
    const before = router.stats();
    const withoutTenants = new KeyRouter({ default: fallback, routes: [] });
    const alone = database()
      .client()
      .$extends(vault({ keys: withoutTenants, schema: generated(), indexSecret, onDecryptError: "null" }));
    const error = await vaultFailure(alone.user.findFirst({ where: { organizationId: "org_a" } }));
    expect(error.code).toBe("VAULT_KEY_UNAVAILABLE");
    expect(withoutTenants.stats()["local"]).toMatchObject({ decryptDataKey: 0 });
    expect(router.stats()).toEqual(before);
  });
});

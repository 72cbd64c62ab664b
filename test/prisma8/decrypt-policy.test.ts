/**
 * What a read through vaultMiddleware does with a value that does not open, as `vault()` does on
 * Prisma 7 (core/decrypt-policy.ts): `onDecryptError` "throw" (the default), "null" or a function;
 * `plaintext: "read"` passing a value that is no envelope through as itself, never one that is an
 * envelope and does not open; a key that is not configured always thrown; and an audit event for
 * every refused value, holding names, tenant and id, never a value or ciphertext.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { VaultError } from "../../src/errors.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import type { VaultAuditEvent } from "../../src/keys/audit.js";
import { vaultFailure } from "../support/errors.js";
import { expectNoSecrets } from "../support/secrets.js";
import { seedTenant, storedEnvelopes, usersOf, type SeededTenant } from "./support/seed.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { vaultRig, type VaultRig } from "./support/vault-rig.js";

const app = usePrisma8App("decrypt_policy");

/** A tenant of two users whose second user's ssn is another tenant's envelope (it will not open). */
async function withBadSsn(): Promise<{ tenant: SeededTenant; bad: number; good: number }> {
  const rig = vaultRig(app());
  const tenant = await seedTenant(app(), rig, 2);
  const other = await seedTenant(app(), rig);
  const [good, bad] = tenant.users;
  await app().sql(`UPDATE "User" SET "ssn" = (SELECT "ssn" FROM "User" WHERE "id" = $1) WHERE "id" = $2`, [
    other.users[0]!.id,
    bad!.id,
  ]);
  return { tenant, bad: bad!.id, good: good!.id };
}

function readTenant(rig: VaultRig, orgId: number) {
  return usersOf(rig.db).where({ organizationId: orgId }).all().toArray();
}

describe("vaultMiddleware: onDecryptError", () => {
  it('"throw" (the default, and explicit) fails the read with VAULT_DECRYPT_FAILED naming model, field and id', async () => {
    const { tenant, bad } = await withBadSsn();
    for (const rig of [vaultRig(app()), vaultRig(app(), { onDecryptError: "throw" })]) {
      const error = await vaultFailure(readTenant(rig, tenant.orgId));
      expect([error.code, error.model, error.field, error.id]).toEqual([
        "VAULT_DECRYPT_FAILED",
        "User",
        "ssn",
        bad,
      ]);
    }
  });

  it('"null" reads the value that does not open as null; every other value opens', async () => {
    const { tenant, bad, good } = await withBadSsn();
    const rows = await readTenant(vaultRig(app(), { onDecryptError: "null" }), tenant.orgId);
    const byId = new Map(rows.map((r) => [r["id"], r]));
    expect(byId.get(bad)).toMatchObject({ ssn: null, email: tenant.users[1]!.email });
    expect(byId.get(good)).toMatchObject({ ssn: tenant.users[0]!.ssn, email: tenant.users[0]!.email });
  });

  it("a function reads as its answer, and is given the VaultError (no plaintext in it)", async () => {
    const { tenant, bad } = await withBadSsn();
    const given: VaultError[] = [];
    const rig = vaultRig(app(), {
      onDecryptError: (error) => {
        given.push(error);
        return `[unreadable ${error.code}]`;
      },
    });
    const rows = await readTenant(rig, tenant.orgId);
    expect(rows.find((r) => r["id"] === bad)?.["ssn"]).toBe("[unreadable VAULT_DECRYPT_FAILED]");
    expect(given).toHaveLength(1);
    expect(given[0]).toBeInstanceOf(VaultError);
    expect([given[0]!.code, given[0]!.model, given[0]!.field, given[0]!.id]).toEqual([
      "VAULT_DECRYPT_FAILED",
      "User",
      "ssn",
      bad,
    ]);
    expectNoSecrets(given[0]);
  });

  it('a value whose master key is not in the ring is VAULT_KEY_UNAVAILABLE, even under "null"', async () => {
    const rig = vaultRig(app());
    const tenant = await seedTenant(app(), rig);
    const otherRing = new LocalKeyProvider({ keys: [{ id: "k2", key: randomBytes(32) }] });
    const error = await vaultFailure(
      readTenant(vaultRig(app(), { keys: otherRing, onDecryptError: "null" }), tenant.orgId),
    );
    expect([error.code, error.model, error.id]).toEqual([
      "VAULT_KEY_UNAVAILABLE",
      "User",
      tenant.users[0]!.id,
    ]);
  });
});

describe('vaultMiddleware: plaintext: "read"', () => {
  it('a plaintext value written with SQL reads as itself with "read", and is refused with "reject" (the default)', async () => {
    const rig = vaultRig(app());
    const tenant = await seedTenant(app(), rig);
    const [user] = tenant.users;
    await app().sql(`UPDATE "User" SET "ssn" = $1 WHERE "id" = $2`, ["legacy-plaintext-ssn", user!.id]);
    const read = await readTenant(vaultRig(app(), { plaintext: "read" }), tenant.orgId);
    expect(read).toEqual([expect.objectContaining({ ssn: "legacy-plaintext-ssn", email: user!.email })]);
    for (const options of [{}, { plaintext: "reject" as const }]) {
      const error = await vaultFailure(readTenant(vaultRig(app(), options), tenant.orgId));
      expect([error.code, error.field, error.id]).toEqual(["VAULT_DECRYPT_FAILED", "ssn", user!.id]);
    }
  });

  it('"read" never passes an envelope that does not open: a swapped envelope is still refused', async () => {
    const { tenant, bad } = await withBadSsn();
    const error = await vaultFailure(readTenant(vaultRig(app(), { plaintext: "read" }), tenant.orgId));
    expect([error.code, error.field, error.id]).toEqual(["VAULT_DECRYPT_FAILED", "ssn", bad]);
  });
});

describe("vaultMiddleware: audit events of refused values", () => {
  it('each refused value is one decryptRefused event, under "throw" and under "null"; events hold no value or ciphertext', async () => {
    const { tenant, bad } = await withBadSsn();
    const envelopes = await storedEnvelopes(app(), tenant.orgId);
    for (const onDecryptError of ["throw", "null"] as const) {
      const events: VaultAuditEvent[] = [];
      const rig = vaultRig(app(), { onDecryptError, audit: (event) => void events.push(event) });
      await readTenant(rig, tenant.orgId).then(
        () => undefined,
        () => undefined,
      );
      const refused = events.filter((e) => e.type === "decryptRefused");
      expect(refused).toEqual([
        expect.objectContaining({
          model: "User",
          field: "ssn",
          id: bad,
          outcome: "VAULT_DECRYPT_FAILED",
          context: { organizationId: String(tenant.orgId) },
        }),
      ]);
      expect(events.filter((e) => e.type === "decryptDataKey").length).toBeGreaterThan(0);
      const text = JSON.stringify(events);
      for (const secret of [...tenant.plaintexts, ...envelopes]) expect(text).not.toContain(secret);
    }
  });

  it("a value whose key is not configured is audited with VAULT_KEY_UNAVAILABLE", async () => {
    const rig = vaultRig(app());
    const tenant = await seedTenant(app(), rig);
    const events: VaultAuditEvent[] = [];
    const otherRing = new LocalKeyProvider({ keys: [{ id: "k2", key: randomBytes(32) }] });
    await vaultFailure(
      readTenant(
        vaultRig(app(), { keys: otherRing, audit: (event) => void events.push(event) }),
        tenant.orgId,
      ),
    );
    expect(events.filter((e) => e.type === "decryptRefused").map((e) => e.outcome)).toContain(
      "VAULT_KEY_UNAVAILABLE",
    );
  });
});

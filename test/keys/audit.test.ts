/**
 * vault({ audit }) on SQLite with the real SDK and key server: one event per provider attempt (429
 * retries included), matching the key server's counts one for one; one per refused decryption; never
 * a value, key or envelope in any event; a hook that throws never breaks a query and is reported once.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AUDIT_HOOK_FAILED, type AuditHook, type VaultAuditEvent } from "../../src/keys/audit.js";
import { DataKeyCache } from "../../src/keys/cache.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { guardProvider } from "../../src/keys/guard-provider.js";
import { KeyRouter } from "../../src/keys/router.js";
import { vault } from "../../src/prisma/extension.js";
import { useTestDatabase } from "../support/databases.js";
import { thrownVaultError } from "../support/errors.js";
import { useKeyServerRig } from "../support/key-server.js";
import { expectNoSecrets, registerSecrets } from "../support/secrets.js";

const indexSecret = randomBytes(32);

describe("vault({ audit })", () => {
  const rig = useKeyServerRig();
  const { database, generated } = useTestDatabase("sqlite");
  const orgs = ["org_a", "org_b", "org_c"];
  const client = (audit: AuditHook, extra: object = {}) =>
    database()
      .client()
      .$extends(vault({ keys: rig.provider, schema: generated(), indexSecret, audit, ...extra }));
  const seed = async (audit: (event: VaultAuditEvent) => void) => {
    await database().plain.organization.createMany({ data: orgs.map((id) => ({ id, name: id })) });
    const writer = client(audit);
    for (const [i, org] of orgs.entries()) {
      const ssn = `ssn-${randomBytes(6).toString("hex")}`;
      registerSecrets(ssn);
      await writer.user.create({ data: { organizationId: org, email: `u${i}@x.io`, ssn } });
    }
  };

  it("one event per key-provider attempt, 429 retries included, matching the key server's requests one for one", async () => {
    const events: VaultAuditEvent[] = [];
    await seed((event) => events.push(event));
    // A cold reader whose first two key requests are rate-limited (Retry-After: 1 each).
    rig.server.resetStats();
    rig.server.faults.rateLimitNext(2, 1);
    const reader = client((event) => events.push(event));
    const users = await reader.user.findMany({ orderBy: { id: "asc" } });
    expect(users.map((u) => u.organizationId)).toEqual(orgs);
    const reading = events.filter((e) => e.type === "decryptDataKey");
    const stats = rig.server.stats();
    expect(reading).toHaveLength(stats.decrypt);
    expect(reading.filter((e) => e.status === 429)).toHaveLength(2);
    expect(reading.filter((e) => e.outcome === "ok")).toHaveLength(orgs.length);
    expect(events.filter((e) => e.type === "createDataKey" && e.outcome === "ok")).toHaveLength(orgs.length);
    for (const event of events) {
      expect(event.provider).toBe("workos");
      expect(event.at).toBeInstanceOf(Date);
    }
    expect(events.filter((e) => e.type === "createDataKey").map((e) => e.context)).toEqual(
      orgs.map((organizationId) => ({ organizationId })),
    );
    // No value, key or envelope in any event.
    const stored = await database().raw<{ ssn: string; email: string }>("User");
    const text = JSON.stringify(events);
    for (const row of stored) {
      expect(text).not.toContain(row.ssn);
      expect(text).not.toContain(row.ssn.slice(0, 40));
    }
    for (const event of events) expectNoSecrets(event);
  }, 30_000);

  it("one event per refused decryption, with model, field, row id and context; under onDecryptError: null too", async () => {
    await seed(() => undefined);
    const [a, b] = await database().plain.user.findMany({ orderBy: { id: "asc" } });
    // a's ciphertext copied into b's row (another tenant).
    await database().plain.user.update({ where: { id: b!.id }, data: { ssn: a!.ssn } });
    const events: VaultAuditEvent[] = [];
    const reader = client((event) => events.push(event), { onDecryptError: "null" });
    const read = await reader.user.findMany({ orderBy: { id: "asc" } });
    expect(read[1]?.ssn).toBeNull();
    const refused = events.filter((e) => e.type === "decryptRefused");
    expect(refused).toEqual([
      {
        type: "decryptRefused",
        provider: "workos",
        context: { organizationId: "org_b" },
        model: "User",
        field: "ssn",
        id: b!.id,
        outcome: "VAULT_DECRYPT_FAILED",
        at: expect.any(Date) as Date,
      },
    ]);
    expect(JSON.stringify(refused)).not.toContain(a!.ssn!.slice(0, 40));
  });

  it("a hook that throws never breaks a query; the first failure is a process warning with a stable code, once", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      await seed(() => {
        throw new Error("logger down: ssn=123-45-6789");
      });
      const reader = client(() => {
        throw new TypeError("boom");
      });
      expect(await reader.user.count()).toBe(3);
      expect((await reader.user.findMany()).every((u) => typeof u.ssn === "string")).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      const ours = warnings.filter((w) => (w as { code?: string }).code === AUDIT_HOOK_FAILED);
      // One per hook (two vault() clients here), however many events failed.
      expect(ours).toHaveLength(2);
      expect(ours.map((w) => w.message).join()).not.toContain("123-45-6789");
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("an async hook whose promise rejects is observed like a throw: the query goes on, one warning, no unhandled rejection", async () => {
    const warnings: Error[] = [];
    const unhandled: unknown[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("warning", onWarning);
    process.on("unhandledRejection", onUnhandled);
    try {
      await seed(() => undefined);
      const reader = client(async () => {
        await Promise.resolve();
        throw new Error("logger down: ssn=123-45-6789");
      });
      const users = await reader.user.findMany();
      expect(users.every((u) => typeof u.ssn === "string")).toBe(true);
      // Rejections are reported after a macrotask turn: wait two.
      for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
      const ours = warnings.filter((w) => (w as { code?: string }).code === AUDIT_HOOK_FAILED);
      expect(ours).toHaveLength(1);
      expect(ours[0]?.message).not.toContain("123-45-6789");
      expect(unhandled).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("behind a KeyRouter, events name the routed provider", async () => {
    const events: VaultAuditEvent[] = [];
    const local = new LocalKeyProvider({ keys: [{ id: "t1", key: randomBytes(32) }] });
    const keys = new KeyRouter({
      default: rig.provider,
      routes: [{ when: (context) => context["organizationId"] === "org_b", provider: local }],
    });
    await database().plain.organization.createMany({ data: orgs.map((id) => ({ id, name: id })) });
    const prisma = database()
      .client()
      .$extends(vault({ keys, schema: generated(), indexSecret, audit: (event) => events.push(event) }));
    for (const org of orgs) await prisma.user.create({ data: { organizationId: org, email: `${org}@x.io` } });
    expect(events.map((e) => [e.type, e.provider, e.context?.["organizationId"]])).toEqual([
      ["createDataKey", "workos", "org_a"],
      ["createDataKey", "local", "org_b"],
      ["createDataKey", "workos", "org_c"],
    ]);
  });

  it("refuses an audit option that is not a function", () => {
    expect(
      thrownVaultError(() => vault({ keys: rig.provider, models: {}, audit: "log" as never })).code,
    ).toBe("VAULT_CONFIG");
  });
});

describe("DataKeyCache({ audit }) over a provider guarded already", () => {
  it("keeps the guard's bound and reports each call once", async () => {
    const local = new LocalKeyProvider({ keys: [{ id: "k1", key: randomBytes(32) }] });
    const events: VaultAuditEvent[] = [];
    const cache = new DataKeyCache(
      guardProvider(local, { timeoutMs: 1_234 }),
      {},
      {
        audit: (event) => events.push(event),
      },
    );
    expect(cache.timeoutMs).toBe(1_234);
    const context = { organizationId: "org_a" };
    await cache.withEncryptionKey(context, () => undefined);
    expect(events.map((e) => [e.type, e.provider, e.outcome, e.context])).toEqual([
      ["createDataKey", "local", "ok", context],
    ]);
    cache.clear();
  });
});

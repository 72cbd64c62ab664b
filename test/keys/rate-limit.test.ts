/**
 * Rate limits through the extension (issue 15, "Must show") on SQLite: with the key server answering
 * 429 + `Retry-After: 1` to the first requests, a cold read over 10 tenants and a `migrate rotate`
 * complete through vault({ keys: WorkOSKeyProvider }) and the real SDK, taking the wait they were told.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeEnvelope } from "../../src/format/envelope.js";
import { migrate } from "../../src/migrate/migrate.js";
import { vault } from "../../src/prisma/extension.js";
import { useTestDatabase } from "../support/databases.js";
import { useKeyServerRig } from "../support/key-server.js";

const indexSecret = randomBytes(32);
const TENANTS = 10;
const ROWS = 200;
/** setTimeout may fire a millisecond early by performance.now()'s clock. */
const TIMER_SLACK_MS = 5;

describe("429 from the key server through vault({ keys: WorkOSKeyProvider }) on SQLite", () => {
  const rig = useKeyServerRig();
  const { database, generated } = useTestDatabase("sqlite", { reset: false });
  const fresh = () =>
    database()
      .client()
      .$extends(vault({ keys: rig.provider, schema: generated(), indexSecret }));
  const pick = (r: {
    organizationId: string;
    email: string;
    phone: string | null;
    handle: string | null;
  }) => [r.organizationId, r.email, r.phone, r.handle];
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    // Tenant after tenant, so that the rotate's later batches still need keys of tenants not seen yet.
    organizationId: `org_${Math.floor((i * TENANTS) / ROWS)}`,
    email: `u${i}@rate.io`,
    phone: i % 2 === 0 ? `+1 555 ${String(i).padStart(4, "0")}` : null,
    handle: `h ${i} ü`,
  }));

  it("a cold findMany over 10 tenants waits out three 429s (Retry-After: 1) and returns every row", async () => {
    await database().plain.organization.createMany({
      data: Array.from({ length: TENANTS }, (_, i) => ({ id: `org_${i}`, name: `org_${i}` })),
    });
    await fresh().account.createMany({ data: rows });
    rig.server.resetStats();

    rig.server.faults.rateLimitNext(3, 1);
    const started = performance.now();
    const read = await fresh().account.findMany({ orderBy: { id: "asc" } });
    const took = performance.now() - started;
    expect(read.map(pick)).toEqual(rows.map(pick));
    const stats = rig.server.stats();
    expect(stats.faults).toBe(3);
    expect(stats.statuses["429"]).toBe(3);
    // One decrypt per tenant's data key (a cold client), plus the three refused tries.
    expect(stats.decrypt).toBe(TENANTS + 3);
    expect(took).toBeGreaterThanOrEqual(1_000 - TIMER_SLACK_MS);
    console.info(`[rate limit] cold findMany with three 429s: ${Math.round(took)} ms`);
  });

  it("migrate rotate with two 429s injected mid-run completes with 0 failures; every row reads back", async () => {
    const before = (await database().plain.account.findMany({ orderBy: { id: "asc" } })).map((r) => r.email);
    let injectedAt: number | undefined;
    const started = performance.now();
    const report = await migrate(fresh(), {
      mode: "rotate",
      models: ["Account"],
      batchSize: 40,
      concurrency: 1,
      onProgress: (progress) => {
        // After the first batch (tenants org_0 and org_1), before the keys of the next tenants.
        if (injectedAt !== undefined || progress.scanned === 0) return;
        injectedAt = progress.scanned;
        rig.server.faults.rateLimitNext(2, 1);
      },
    });
    const took = performance.now() - started;
    expect(injectedAt).toBe(40);
    expect(report.models[0]).toMatchObject({ scanned: ROWS, updated: ROWS, failedTotal: 0 });
    expect(rig.server.stats().faults).toBe(2);
    expect(took).toBeGreaterThanOrEqual(1_000 - TIMER_SLACK_MS);
    const after = await database().plain.account.findMany({ orderBy: { id: "asc" } });
    // Every value re-sealed under a new data key, and every row still right.
    const blob = (envelope: string) => Buffer.from(decodeEnvelope(envelope).encryptedKeys).toString("hex");
    const oldBlobs = new Set(before.map(blob));
    expect(after.filter((r) => oldBlobs.has(blob(r.email))).length).toBe(0);
    expect((await fresh().account.findMany({ orderBy: { id: "asc" } })).map(pick)).toEqual(rows.map(pick));
    console.info(`[rate limit] rotate with two 429s: ${Math.round(took)} ms`);
  });
});

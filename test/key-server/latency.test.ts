import { describe, expect, it } from "vitest";
import { Faults } from "../../src/key-server/faults.js";
import { useKeyServerRig } from "../support/key-server.js";

const orgA = { organizationId: "org_a" };
const orgB = { organizationId: "org_b" };

describe("the key server's latency fault", () => {
  const rig = useKeyServerRig();
  const timed = async <T>(work: Promise<T>) => {
    const started = performance.now();
    const value = await work;
    return { value, ms: performance.now() - started };
  };

  it("with a context, only that context's requests wait; a decrypt request counts for its blob's context", async () => {
    const a = await rig.workos.vault.createDataKey({ context: orgA });
    const b = await rig.workos.vault.createDataKey({ context: orgB });
    rig.server.faults.setLatency(400, { context: orgA });
    expect((await timed(rig.workos.vault.createDataKey({ context: orgB }))).ms).toBeLessThan(300);
    expect((await timed(rig.workos.vault.decryptDataKey({ keys: b.encryptedKeys }))).ms).toBeLessThan(300);
    expect((await timed(rig.workos.vault.createDataKey({ context: orgA }))).ms).toBeGreaterThanOrEqual(390);
    const opened = await timed(rig.workos.vault.decryptDataKey({ keys: a.encryptedKeys }));
    expect(opened.ms).toBeGreaterThanOrEqual(390);
    expect(opened.value.key).toBe(a.dataKey.key);
  });

  it("reset() ends the delays under way: the waiting requests are answered at once", async () => {
    rig.server.faults.setLatency(120_000);
    const started = performance.now();
    const waiting = rig.workos.vault.createDataKey({ context: orgA });
    while (rig.server.stats().dataKey === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    rig.server.faults.reset();
    expect((await waiting).dataKey.key).toBeTypeOf("string");
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("accepts up to 10 minutes in process, enough to stand for a service that never answers", () => {
    expect(new Faults().setLatency(600_000).latencyMs).toBe(600_000);
    expect(() => new Faults().setLatency(600_001)).toThrow(RangeError);
    expect(() => new Faults().setLatency(10, { context: {} })).toThrow(/context/);
  });
});

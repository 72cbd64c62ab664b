/**
 * The latency fault, checked by what is held and what is answered, never by how long anything took:
 * the latency is longer than any test may run, so a held request can only be answered by reset(), and
 * `faults.held` says when a request is being held.
 */
import { describe, expect, it } from "vitest";
import { Faults } from "../../src/key-server/faults.js";
import { useKeyServerRig } from "../support/key-server.js";
import { tracked, until } from "../support/until.js";

const orgA = { organizationId: "org_a" };
const orgB = { organizationId: "org_b" };
/** The longest latency there is: far past the test's timeout. */
const FOREVER_MS = 600_000;

describe("the key server's latency fault", () => {
  const rig = useKeyServerRig();
  const faults = () => rig.server.faults;
  /** Waits until `request` is held by the latency (the `held`-th), or fails if it was answered. */
  const expectHeld = async (request: { readonly settled: boolean }, held: number, what: string) => {
    await until(`${what} held or answered`, () => faults().held >= held || request.settled);
    expect(request.settled, `${what} was answered without waiting`).toBe(false);
    expect(faults().held).toBe(held);
  };

  it("with a context, only that context's requests wait; a decrypt request counts for its blob's context", async () => {
    const a = await rig.workos.vault.createDataKey({ context: orgA });
    const b = await rig.workos.vault.createDataKey({ context: orgB });
    faults().setLatency(FOREVER_MS, { context: orgA });

    const newKeyA = tracked(rig.workos.vault.createDataKey({ context: orgA }));
    await expectHeld(newKeyA, 1, "org_a's data-key request");
    const openA = tracked(rig.workos.vault.decryptDataKey({ keys: a.encryptedKeys }));
    await expectHeld(openA, 2, "the decrypt request of org_a's blob");

    // org_b's requests are answered while org_a's are held; one held would make `held` pass 2.
    const newKeyB = tracked(rig.workos.vault.createDataKey({ context: orgB }));
    const openB = tracked(rig.workos.vault.decryptDataKey({ keys: b.encryptedKeys }));
    await until("org_b's requests answered", () => (newKeyB.settled && openB.settled) || faults().held > 2);
    expect(faults().held, "an org_b request was held").toBe(2);
    expect((await newKeyB.promise).dataKey.key).toBeTypeOf("string");
    expect((await openB.promise).key).toBe(b.dataKey.key);
    expect([newKeyA.settled, openA.settled]).toEqual([false, false]);

    faults().reset();
    expect(faults().held).toBe(0);
    expect((await openA.promise).key).toBe(a.dataKey.key);
    expect((await newKeyA.promise).dataKey.key).toBeTypeOf("string");
  });

  it("reset() ends the delays under way: the waiting requests are answered at once", async () => {
    faults().setLatency(FOREVER_MS);
    const waiting = [orgA, orgB].map((context) => tracked(rig.workos.vault.createDataKey({ context })));
    await until("both requests held", () => faults().held === 2);
    faults().reset();
    expect(faults().held).toBe(0);
    // Answered within the test, with FOREVER_MS still to go: only reset() can have ended their wait.
    await until("the held requests answered", () => waiting.every((request) => request.settled));
    for (const request of waiting) expect((await request.promise).dataKey.key).toBeTypeOf("string");
  });

  it("accepts up to 10 minutes in process, enough to stand for a service that never answers", () => {
    expect(new Faults().setLatency(600_000).latencyMs).toBe(600_000);
    expect(() => new Faults().setLatency(600_001)).toThrow(RangeError);
    expect(() => new Faults().setLatency(10, { context: {} })).toThrow(/context/);
  });
});

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { startKeyServer, type KeyServer } from "../../src/key-server/server.js";
import { useKeyServerRig } from "../support/key-server.js";
import { get, post } from "./http.js";

const ctx = { organizationId: "org_1" };
const dataKey = JSON.stringify({ context: ctx });

describe("HTTP fault injection is opt-in", () => {
  let server: KeyServer;
  beforeAll(async () => {
    server = await startKeyServer({
      provider: new LocalKeyProvider({ keys: [{ id: "t", key: randomBytes(32) }] }),
    });
  });
  afterAll(() => server.close());

  it("without faults: true, POST /_faults is 404 and changes nothing", async () => {
    const refused = await post(server, "/_faults", JSON.stringify({ latencyMs: 60_000, fail: 5 }));
    expect(refused.status).toBe(404);
    expect(refused.json).toEqual({ message: "Not found", code: "not_found" });
    expect(server.faults.latencyMs).toBe(0);
    // Had the refused 60 s latency been set, this request would outlast the test's 30 s timeout.
    expect((await post(server, "/vault/v1/keys/data-key", dataKey)).status).toBe(200);
    expect(server.stats().faults).toBe(0);
  });

  it("in-process callers are trusted: server.faults works without faults: true", async () => {
    server.faults.failNext(1, 503);
    try {
      expect((await post(server, "/vault/v1/keys/data-key", dataKey)).status).toBe(503);
      expect((await post(server, "/vault/v1/keys/data-key", dataKey)).status).toBe(200);
    } finally {
      server.faults.reset();
    }
  });
});

describe("POST /_faults with faults: true", () => {
  const rig = useKeyServerRig();

  it("sets the fault plan over HTTP", async () => {
    const set = await post(rig.server, "/_faults", JSON.stringify({ fail: 1, status: 503 }));
    expect(set.status).toBe(200);
    expect((await post(rig.server, "/vault/v1/keys/data-key", dataKey)).status).toBe(503);
    expect((await post(rig.server, "/vault/v1/keys/data-key", dataKey)).status).toBe(200);
    const stats = await get(rig.server, "/_stats");
    expect(stats.json).toMatchObject({ faults: 1, dataKey: 2 });
  });

  it("sets rate limits, latency and reset over HTTP", async () => {
    await post(rig.server, "/_faults", JSON.stringify({ rateLimit: 1, retryAfter: 7, latencyMs: 20 }));
    expect(rig.server.faults.latencyMs).toBe(20);
    const limited = await post(rig.server, "/vault/v1/keys/data-key", dataKey);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    const reset = await post(rig.server, "/_faults", JSON.stringify({ reset: true }));
    expect(reset.json).toEqual({ latencyMs: 0 });
  });

  it.each([
    ["an unknown key", { nope: 1 }, "nope"],
    ["a misspelt key", { latency: 100 }, "latency"],
    ["fail as a string", { fail: "1" }, "fail"],
    ["fail as a fraction", { fail: 1.5 }, "fail"],
    ["a negative fail", { fail: -1 }, "fail"],
    ["fail over 1000000", { fail: 1_000_001 }, "fail"],
    ["status outside 400-599", { fail: 1, status: 200 }, "status"],
    ["status without fail", { status: 503 }, "status"],
    ["rateLimit as a boolean", { rateLimit: true }, "rateLimit"],
    ["a negative retryAfter", { rateLimit: 1, retryAfter: -1 }, "retryAfter"],
    ["retryAfter over an hour", { rateLimit: 1, retryAfter: 3601 }, "retryAfter"],
    ["retryAfter without rateLimit", { retryAfter: 1 }, "retryAfter"],
    ["latencyMs over 60000", { latencyMs: 60_001 }, "latencyMs"],
    ["latencyMs as a string", { latencyMs: "10" }, "latencyMs"],
    ["latencyMs null", { latencyMs: null }, "latencyMs"],
    ["reset as a string", { reset: "yes" }, "reset"],
    ["drop as a string", { drop: "1" }, "drop"],
  ])("%s is 422 naming the key", async (_name, settings, key) => {
    const refused = await post(rig.server, "/_faults", JSON.stringify(settings));
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ code: "invalid_request_parameters" });
    const errors = refused.json["errors"] as { field: string; message: string }[];
    expect(errors.map((error) => error.field)).toEqual([key]);
    expect(errors[0]!.message).toContain(key);
  });

  it("a refused body changes nothing, not even the part that was valid", async () => {
    rig.server.faults.failNext(1, 502);
    const refused = await post(
      rig.server,
      "/_faults",
      JSON.stringify({ reset: true, latencyMs: 50, fail: -1 }),
    );
    expect(refused.status).toBe(422);
    expect(rig.server.faults.latencyMs).toBe(0);
    expect((await post(rig.server, "/vault/v1/keys/data-key", dataKey)).status).toBe(502);
  });

  it("every bad key is named at once", async () => {
    const refused = await post(
      rig.server,
      "/_faults",
      JSON.stringify({ fail: "x", latencyMs: -1, extra: 1 }),
    );
    const errors = refused.json["errors"] as { field: string }[];
    expect(errors.map((error) => error.field).sort()).toEqual(["extra", "fail", "latencyMs"]);
  });
});

describe("the lost-answer fault: dropNext", () => {
  const rig = useKeyServerRig();

  it("the next n key requests are served in full, then their connection is closed without an answer", async () => {
    rig.server.faults.dropNext(2);
    for (let i = 0; i < 2; i++)
      await expect(post(rig.server, "/vault/v1/keys/data-key", dataKey)).rejects.toBeInstanceOf(TypeError);
    expect((await post(rig.server, "/vault/v1/keys/data-key", dataKey)).status).toBe(200);
    // Served: counted under the route; not answered: under no status.
    expect(rig.server.stats()).toMatchObject({ dataKey: 3, dropped: 2, faults: 0, statuses: { "200": 1 } });
  });

  it("object requests are dropped too (here the 404 of a server without objects)", async () => {
    rig.server.faults.dropNext(1);
    await expect(get(rig.server, "/vault/v1/kv")).rejects.toBeInstanceOf(TypeError);
    expect((await get(rig.server, "/vault/v1/kv")).json).toMatchObject({ code: "objects_not_configured" });
    expect(rig.server.stats()).toMatchObject({ objects: 2, dropped: 1 });
  });

  it("over HTTP as POST /_faults {drop}; /_faults and /_stats themselves are never dropped; reset clears it", async () => {
    expect((await post(rig.server, "/_faults", JSON.stringify({ drop: 1 }))).status).toBe(200);
    expect((await get(rig.server, "/_stats")).status).toBe(200);
    await expect(post(rig.server, "/vault/v1/keys/data-key", dataKey)).rejects.toBeInstanceOf(TypeError);
    rig.server.faults.dropNext(5).reset();
    expect((await post(rig.server, "/vault/v1/keys/data-key", dataKey)).status).toBe(200);
    expect(rig.server.stats().dropped).toBe(1);
  });

  it("an injected fault's answer is lost the same way when both are planned", async () => {
    rig.server.faults.dropNext(1).failNext(1, 503);
    await expect(post(rig.server, "/vault/v1/keys/data-key", dataKey)).rejects.toBeInstanceOf(TypeError);
    expect(rig.server.stats()).toMatchObject({ faults: 1, dropped: 1 });
  });

  it("dropNext refuses a count that is not 0-1000000", () => {
    for (const count of [-1, 1.5, 1_000_001])
      expect(() => rig.server.faults.dropNext(count)).toThrow(RangeError);
  });
});

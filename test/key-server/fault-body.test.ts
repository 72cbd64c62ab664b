import { describe, expect, it } from "vitest";
import { applyFaultBody } from "../../src/key-server/fault-body.js";
import { Faults } from "../../src/key-server/faults.js";

/** The `errors` of a 422, as field:code pairs. */
function refusals(body: Record<string, unknown>, faults = new Faults()) {
  const reply = applyFaultBody(faults, body);
  expect(reply.status).toBe(422);
  expect(reply.json).toMatchObject({ message: "Validation failed", code: "invalid_request_parameters" });
  return (reply.json as { errors: { field: string; code: string; message: string }[] }).errors;
}

/** Every fault the plan hands out until it has none left (at most `max`). */
function drain(faults: Faults, max = 10) {
  const taken = [];
  for (let fault = faults.take(); fault && taken.length < max; fault = faults.take()) taken.push(fault);
  return taken;
}

describe("applyFaultBody", () => {
  it("applies a valid body and answers 200 with the latency now planned", () => {
    const faults = new Faults();
    expect(applyFaultBody(faults, { fail: 2, status: 503, latencyMs: 25 })).toEqual({
      status: 200,
      json: { latencyMs: 25 },
    });
    expect(drain(faults)).toEqual([
      { kind: "error", status: 503 },
      { kind: "error", status: 503 },
    ]);
  });

  it("rate limits go before errors, with their Retry-After", () => {
    const faults = new Faults();
    applyFaultBody(faults, { fail: 1, rateLimit: 1, retryAfter: 7 });
    expect(drain(faults)).toEqual([
      { kind: "rate-limit", retryAfter: 7 },
      { kind: "error", status: 500 },
    ]);
  });

  it("drop plans that many lost answers, apart from the injected faults; reset clears them", () => {
    const faults = new Faults();
    expect(applyFaultBody(faults, { drop: 2, fail: 1 })).toEqual({ status: 200, json: { latencyMs: 0 } });
    expect([faults.takeDrop(), faults.takeDrop(), faults.takeDrop()]).toEqual([true, true, false]);
    expect(drain(faults)).toEqual([{ kind: "error", status: 500 }]);
    applyFaultBody(faults, { drop: 3 });
    applyFaultBody(faults, { reset: true });
    expect(faults.takeDrop()).toBe(false);
  });

  it("an empty body is 200 and changes nothing", () => {
    const faults = new Faults().failNext(1, 502).setLatency(10);
    expect(applyFaultBody(faults, {})).toEqual({ status: 200, json: { latencyMs: 10 } });
    expect(drain(faults)).toEqual([{ kind: "error", status: 502 }]);
  });

  it("reset clears the plan before the rest of the body applies", () => {
    const faults = new Faults().failNext(3).setLatency(40);
    expect(applyFaultBody(faults, { reset: true, rateLimit: 1 })).toEqual({
      status: 200,
      json: { latencyMs: 0 },
    });
    expect(drain(faults)).toEqual([{ kind: "rate-limit", retryAfter: 1 }]);
  });

  it.each([
    ["fail", { fail: 0 }, { fail: 1_000_000 }],
    ["status", { fail: 1, status: 400 }, { fail: 1, status: 599 }],
    ["rateLimit", { rateLimit: 0 }, { rateLimit: 1_000_000 }],
    ["retryAfter", { rateLimit: 1, retryAfter: 0 }, { rateLimit: 1, retryAfter: 3600 }],
    ["latencyMs", { latencyMs: 0 }, { latencyMs: 60_000 }],
    ["drop", { drop: 0 }, { drop: 1_000_000 }],
  ])("accepts %s at both ends of its range", (_name, low, high) => {
    expect(applyFaultBody(new Faults(), low).status).toBe(200);
    expect(applyFaultBody(new Faults(), high).status).toBe(200);
  });

  it.each([
    ["fail", { fail: 1_000_001 }, "fail must be a whole number 0-1000000"],
    ["status", { fail: 1, status: 399 }, "status must be a whole number 400-599"],
    ["status", { fail: 1, status: 600 }, "status must be a whole number 400-599"],
    ["latencyMs", { latencyMs: -1 }, "latencyMs must be a whole number 0-60000"],
    ["latencyMs", { latencyMs: Number.NaN }, "latencyMs must be a whole number 0-60000"],
    ["latencyMs", { latencyMs: Number.POSITIVE_INFINITY }, "latencyMs must be a whole number 0-60000"],
    ["reset", { reset: 1 }, "reset must be true or false"],
    ["drop", { drop: 1_000_001 }, "drop must be a whole number 0-1000000"],
    ["drop", { drop: -1 }, "drop must be a whole number 0-1000000"],
  ])("refuses %s just outside its range, naming the range", (field, body, message) => {
    expect(refusals(body)).toEqual([{ field, code: "invalid", message }]);
  });

  it("a setting that qualifies another needs that one in the same body", () => {
    expect(refusals({ status: 503 })).toEqual([
      { field: "status", code: "invalid", message: "status qualifies fail, which is missing" },
    ]);
    expect(refusals({ retryAfter: 5 })).toEqual([
      { field: "retryAfter", code: "invalid", message: "retryAfter qualifies rateLimit, which is missing" },
    ]);
    // fail: 0 is given, so status has what it qualifies.
    expect(applyFaultBody(new Faults(), { fail: 0, status: 503 }).status).toBe(200);
  });

  it("an unknown setting is code unknown and lists the known ones", () => {
    expect(refusals({ failNext: 1 })).toEqual([
      {
        field: "failNext",
        code: "unknown",
        message:
          "failNext is not a fault setting (fail, status, rateLimit, retryAfter, latencyMs, drop, reset)",
      },
    ]);
  });

  it.each(["constructor", "toString", "hasOwnProperty", "valueOf"])(
    "%s, a member of every object, is an unknown setting",
    (field) => {
      expect(refusals({ [field]: 1 })).toMatchObject([{ field, code: "unknown" }]);
    },
  );

  it("a __proto__ key (as JSON.parse makes it) is an unknown setting, and the plan is untouched", () => {
    const faults = new Faults();
    const body = JSON.parse('{"__proto__": {"fail": 5}, "latencyMs": 5}') as Record<string, unknown>;
    expect(refusals(body, faults)).toMatchObject([{ field: "__proto__", code: "unknown" }]);
    expect(faults.latencyMs).toBe(0);
    expect(drain(faults)).toEqual([]);
  });

  it("names every setting at fault, in the body's order, and applies none of it", () => {
    const faults = new Faults().failNext(1, 502);
    const errors = refusals({ reset: true, latencyMs: 50, fail: "2", extra: true, status: 999 }, faults);
    expect(errors.map((e) => `${e.field}:${e.code}`)).toEqual([
      "fail:invalid",
      "extra:unknown",
      "status:invalid",
    ]);
    expect(faults.latencyMs).toBe(0);
    expect(drain(faults)).toEqual([{ kind: "error", status: 502 }]);
  });

  it("leaves the body as it was", () => {
    const body = Object.freeze({ fail: 1, status: 503, reset: false });
    expect(applyFaultBody(new Faults(), body).status).toBe(200);
    expect(body).toEqual({ fail: 1, status: 503, reset: false });
  });
});

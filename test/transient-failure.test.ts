import { describe, expect, it } from "vitest";
import { VaultKeyProviderError } from "../src/errors.js";
import { isTransientFailure } from "../src/transient-failure.js";

describe("isTransientFailure", () => {
  const network = () =>
    new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ECONNRESET" }) });
  it("is true for what may pass when tried again: 408, 429 and 5xx, no answer, a transient VaultKeyProviderError", () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      expect(isTransientFailure(Object.assign(new Error("upstream"), { status }))).toBe(true);
    }
    expect(isTransientFailure(network())).toBe(true);
    expect(isTransientFailure(Object.assign(new Error("socket"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isTransientFailure(new VaultKeyProviderError("timed out", { transient: true }))).toBe(true);
  });

  it("looks through a wrapper without a status: SDK 10+ wraps a request that got no answer in Error('Unexpected error: …', { cause })", () => {
    expect(
      isTransientFailure(new Error("Unexpected error: TypeError: fetch failed", { cause: network() })),
    ).toBe(true);
    const forbidden = Object.assign(new Error("no"), { status: 403 });
    expect(isTransientFailure(new Error("Unexpected error", { cause: forbidden }))).toBe(false);
  });

  it("is false for a refusal, a broken contract, a bug, and a cause chain that loops", () => {
    expect(isTransientFailure(Object.assign(new Error("forbidden"), { status: 403 }))).toBe(false);
    expect(isTransientFailure(new VaultKeyProviderError("returned a 16-byte key"))).toBe(false);
    expect(isTransientFailure(new TypeError("cannot read properties of undefined"))).toBe(false);
    const looping: { cause?: unknown } = new Error("a");
    looping.cause = new Error("b", { cause: looping });
    expect(isTransientFailure(looping)).toBe(false);
    for (const value of [undefined, null, "x", 1]) expect(isTransientFailure(value)).toBe(false);
  });
});

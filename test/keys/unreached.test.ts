import { describe, expect, it } from "vitest";
import { unreached } from "../../src/keys/unreached.js";

/** fetch's failure as the SDK 10+ wraps it: Error("Unexpected error: …", { cause: TypeError({ cause }) }). */
const sdkFailure = (system: object) =>
  new Error("Unexpected error: TypeError: fetch failed", {
    cause: new TypeError("fetch failed", { cause: Object.assign(new Error("connect"), system) }),
  });
const refused = { code: "ECONNREFUSED", syscall: "connect", address: "127.0.0.1", port: 8787 };

describe("unreached", () => {
  it("names the service's host and port and the system's code from deep in the cause chain", () => {
    expect(unreached("http://127.0.0.1:8787", sdkFailure(refused))).toBe(
      "127.0.0.1:8787 not reached (ECONNREFUSED)",
    );
  });

  it("shows only host and port of the service's address: no credentials, path or query string", () => {
    const address = "https://user:sk_secret_token@vault.example.com/base?token=sk_other#x";
    const where = unreached(address, sdkFailure({ code: "ENOTFOUND", hostname: "vault.example.com" }));
    expect(where).toBe("vault.example.com:443 not reached (ENOTFOUND)");
  });

  it("without the service's address, names the address the system error gives", () => {
    expect(unreached(undefined, sdkFailure(refused))).toBe("127.0.0.1:8787 not reached (ECONNREFUSED)");
    expect(unreached(undefined, sdkFailure({ code: "EAI_AGAIN", hostname: "vault.invalid" }))).toBe(
      "vault.invalid not reached (EAI_AGAIN)",
    );
  });

  it("with no address at all, still says the service was not reached, and why", () => {
    expect(unreached(undefined, sdkFailure({ code: "ECONNRESET" }))).toBe(
      "the service was not reached (ECONNRESET)",
    );
  });

  it("reads an AggregateError (one error per address tried) by its first error", () => {
    const both = new AggregateError([Object.assign(new Error("connect"), refused)], "");
    expect(unreached("http://localhost:8787", new TypeError("fetch failed", { cause: both }))).toBe(
      "localhost:8787 not reached (ECONNREFUSED)",
    );
  });

  it("says nothing of a request the service answered, or of a failure that is not the network's", () => {
    expect(
      unreached("http://127.0.0.1:8787", Object.assign(new Error("Unauthorized"), { status: 401 })),
    ).toBe(undefined);
    expect(unreached("http://127.0.0.1:8787", new Error("this WorkOS SDK cannot rekey"))).toBe(undefined);
    expect(unreached("http://127.0.0.1:8787", undefined)).toBe(undefined);
  });
});

import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { WorkOS } from "@workos-inc/node";
import { describe, expect, it, vi } from "vitest";
import { FieldCipher } from "../../src/core/cipher.js";
import { decrypt, encrypt } from "../../src/core/standalone.js";
import { associatedData } from "../../src/context/key-context.js";
import { decodeEnvelope, encodeEnvelope } from "../../src/format/envelope.js";
import { WORKOS_KEY_BLOB_MAGIC } from "../../src/format/workos-blob.js";
import { isVaultError, type VaultKeyProviderError, VaultKeyUnavailableError } from "../../src/errors.js";
import { DataKeyCache } from "../../src/keys/cache.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { WorkOSKeyProvider } from "../../src/keys/workos.js";
import { startKeyServer } from "../../src/key-server/server.js";
import { guardProvider } from "../../src/keys/guard-provider.js";
import { vaultFailure } from "../support/errors.js";
import { registerSecrets } from "../support/secrets.js";
import { freePort } from "../support/free-port.js";
import { SDK_MAJOR, sdkClient, TEST_TOKEN, useKeyServerRig } from "../support/key-server.js";
import { tracked, until } from "../support/until.js";

const context = { organizationId: "org_01EHZNVPK3SFK441A1RGBFSHRT" };
const texts = {
  ascii: "keep it secret, keep it safe",
  "non-ASCII": "Grüße, 東京, مرحبا, 🔐 — naïve café",
  empty: "",
  "1 MB": "x".repeat(1024 * 1024 - 7) + "é🔐",
};

/** The key server's provider blob inside its WorkOS-format wrapping. */
const inner = (blob: Uint8Array) => blob.subarray(WORKOS_KEY_BLOB_MAGIC.length);

describe("interoperability with the official @workos-inc/node SDK over HTTP", () => {
  const rig = useKeyServerRig();

  for (const [name, text] of Object.entries(texts)) {
    it(`workos.vault.encrypt -> our decrypt gives back the ${name} text`, async () => {
      const aad = associatedData("User", "notes", context);
      const envelope = await rig.workos.vault.encrypt(text, context, aad);
      expect(await decrypt(rig.provider, envelope, aad)).toBe(text);
    });

    it(`our encrypt through WorkOSKeyProvider -> workos.vault.decrypt gives back the ${name} text`, async () => {
      const aad = associatedData("User", "notes", context);
      const envelope = await encrypt(rig.provider, text, context, aad);
      expect(await rig.workos.vault.decrypt(envelope, aad)).toBe(text);
    });
  }

  it("an envelope from the SDK without AAD decrypts with none, and not with one", async () => {
    const envelope = await rig.workos.vault.encrypt("no aad", context);
    expect(await decrypt(rig.provider, envelope)).toBe("no aad");
    await expect(decrypt(rig.provider, envelope, "some aad")).rejects.toMatchObject({
      code: "VAULT_DECRYPT_FAILED",
    });
  });

  it("the SDK refuses our envelope under a different AAD", async () => {
    const envelope = await encrypt(rig.provider, "bound", context, associatedData("User", "ssn", context));
    await expect(
      rig.workos.vault.decrypt(envelope, associatedData("User", "email", context)),
    ).rejects.toThrow();
  });

  it("what our provider stores is the key server's blob, WorkOS's format, byte for byte inside the envelope", async () => {
    const pair = await rig.provider.createDataKey(context);
    expect(pair.key).toHaveLength(32);
    const envelope = await encrypt(rig.provider, "x", context);
    const blob = decodeEnvelope(envelope).encryptedKeys;
    expect(rig.provider.recognizes(blob)).toBe(true);
    expect(rig.local.recognizes(inner(blob))).toBe(true);
    expect(rig.local.describe(inner(pair.encryptedKeys)).context).toEqual(context);
  });

  it("rekey re-wraps through the API and keeps the data key", async () => {
    const pair = await rig.provider.createDataKey(context);
    const before = rig.server.stats().rekey;
    const rekeyed = await rig.provider.rekey(pair.encryptedKeys, { organizationId: "org_2" });
    expect(rig.server.stats().rekey).toBe(before + 1);
    expect(Buffer.from(rekeyed.key)).toEqual(Buffer.from(pair.key));
    expect(Buffer.from(rekeyed.encryptedKeys)).not.toEqual(Buffer.from(pair.encryptedKeys));
    expect(rig.local.describe(inner(rekeyed.encryptedKeys)).context).toEqual({ organizationId: "org_2" });
    const reopened = await rig.provider.decryptDataKey(rekeyed.encryptedKeys);
    expect(Buffer.from(reopened.key)).toEqual(Buffer.from(pair.key));
  });

  it("a blob the key server refuses surfaces as VAULT_DECRYPT_FAILED from decrypt, not as an outage", async () => {
    const envelope = await encrypt(rig.provider, "x", context);
    const parts = decodeEnvelope(envelope);
    const blob = Buffer.from(parts.encryptedKeys);
    blob[blob.length - 1]! ^= 1;
    const forged = encodeEnvelope({ ...parts, encryptedKeys: blob });
    const error: unknown = await decrypt(rig.provider, forged).catch((e: unknown) => e);
    expect(isVaultError(error, "VAULT_DECRYPT_FAILED")).toBe(true);
  });

  it("a PVK1 envelope read through WorkOSKeyProvider is VAULT_KEY_UNAVAILABLE, without an HTTP request", async () => {
    const aad = associatedData("User", "notes", context);
    const local = await encrypt(rig.local, "sealed by a local ring", context, aad);
    rig.server.resetStats();
    const ref = { model: "User", field: "notes", context, id: 7 };
    const error = await vaultFailure(new FieldCipher(new DataKeyCache(rig.provider)).decrypt(local, ref));
    expect(error).toBeInstanceOf(VaultKeyUnavailableError);
    expect(error).toMatchObject({ code: "VAULT_KEY_UNAVAILABLE", model: "User", field: "notes", id: 7 });
    expect(error.message).toContain('key provider "workos"');
    expect((await vaultFailure(decrypt(rig.provider, local, aad))).code).toBe("VAULT_KEY_UNAVAILABLE");
    expect(rig.server.stats().requests).toBe(0);
  });

  it("a 404 from the key API (its key is not configured there) is VAULT_KEY_UNAVAILABLE, asked once", async () => {
    const elsewhere = await startKeyServer({
      provider: new LocalKeyProvider({ keys: [{ id: "elsewhere", key: randomBytes(32) }] }),
    });
    try {
      const aad = associatedData("User", "notes", context);
      const envelope = await encrypt(
        new WorkOSKeyProvider({ workos: sdkClient(elsewhere, TEST_TOKEN) }),
        "x",
        context,
        aad,
      );
      rig.server.resetStats();
      const ref = { model: "User", field: "notes", context, id: 7 };
      const error = await vaultFailure(
        new FieldCipher(new DataKeyCache(rig.provider)).decrypt(envelope, ref),
      );
      expect(error).toBeInstanceOf(VaultKeyUnavailableError);
      expect(error).toMatchObject({ code: "VAULT_KEY_UNAVAILABLE", model: "User", field: "notes", id: 7 });
      expect(error.message).toContain("HTTP 404");
      expect((await vaultFailure(decrypt(rig.provider, envelope, aad))).code).toBe("VAULT_KEY_UNAVAILABLE");
      // The SDK does not retry a 404: one request per attempt.
      expect(rig.server.stats()).toMatchObject({ decrypt: 2, statuses: { "404": 2 } });
    } finally {
      await elsewhere.close();
    }
  });

  it("refuses to be built without a WorkOS client", () => {
    expect(() => new WorkOSKeyProvider({ workos: {} as never })).toThrow(/WorkOS instance/);
  });

  describe("rate limits and retries: prisma-vault's alone (429 only; SDK 10+'s own retries are turned off)", () => {
    const provider = (retry: ConstructorParameters<typeof WorkOSKeyProvider>[0]["retry"]) =>
      guardProvider(new WorkOSKeyProvider({ workos: rig.workos, retry }));

    it("two 429s with Retry-After: 1, then success: the call succeeds after waiting them out, in 3 requests", async () => {
      rig.server.faults.rateLimitNext(2, 1);
      const started = performance.now();
      const pair = await rig.provider.createDataKey(context);
      expect(performance.now() - started).toBeGreaterThanOrEqual(1_950);
      expect(pair.key).toHaveLength(32);
      expect(rig.server.stats()).toMatchObject({ requests: 3, dataKey: 3, statuses: { "429": 2, "200": 1 } });
    }, 15_000);

    it("when its tries run out, a call fails with VAULT_KEY_PROVIDER carrying the last 429", async () => {
      rig.server.faults.rateLimitNext(10, 0);
      const error = await vaultFailure(provider({ attempts: 3 }).createDataKey(context));
      expect(error.code).toBe("VAULT_KEY_PROVIDER");
      expect(error.message).toContain("HTTP 429");
      expect((error.cause as { status?: number }).status).toBe(429);
      expect(rig.server.stats()).toMatchObject({ dataKey: 3, statuses: { "429": 3 } });
    });

    it("a wait past maxWaitMs is not started: the call fails at once (no Retry-After counts as 1 s)", async () => {
      // Timers on a fake clock that stands still: a call that started a wait would never end.
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      const settles = async <T>(what: string, call: Promise<T>) => {
        const watched = tracked(call);
        await until(what, () => watched.settled);
        return watched.promise;
      };
      try {
        rig.server.faults.rateLimitNext(10, 5);
        const limited = provider({ maxWaitMs: 4_999 }).createDataKey(context);
        const error = await settles("the call told to wait 5 s failed", vaultFailure(limited));
        expect(error.code).toBe("VAULT_KEY_PROVIDER");
        rig.server.faults.reset();
        rig.server.faults.failNext(10, 429);
        const keys = new WorkOSKeyProvider({ workos: rig.workos, retry: { maxWaitMs: 999 } });
        const opening = keys.decryptDataKey(new Uint8Array([1, 2, 3]));
        const bare = await settles(
          "the call told to wait 1 s (no Retry-After) failed",
          vaultFailure(opening),
        );
        expect(bare.code).toBe("VAULT_KEY_PROVIDER");
      } finally {
        vi.useRealTimers();
      }
      expect(rig.server.stats()).toMatchObject({ requests: 2, statuses: { "429": 2 } });
    });

    it("a 503 is tried again by the provider alone, each try one request (SDK 10+ would retry it too, unless told not to)", async () => {
      rig.server.faults.failNext(1, 503);
      expect((await provider(undefined).createDataKey(context)).key).toHaveLength(32);
      expect(rig.server.stats()).toMatchObject({ requests: 2, dataKey: 2, statuses: { "503": 1, "200": 1 } });
    });

    it("a reply lost after the key service answered: the retry carries the call's Idempotency-Key, so one data key, blob and rekey is made, on every SDK major", async () => {
      // SDK 10+: the provider retries the network error itself; before 10 the SDK does, with the same
      // headers. Either way the second request is answered from the key server's idempotency store.
      for (const call of [
        () => provider(undefined).createDataKey(context),
        async () =>
          provider(undefined).decryptDataKey((await rig.local.createDataKey(context)).encryptedKeys),
        async () =>
          provider(undefined).rekey!((await rig.local.createDataKey(context)).encryptedKeys, {
            organizationId: "org_2",
          }),
      ]) {
        rig.server.resetStats();
        rig.server.faults.dropNext(1);
        expect((await call()).key).toHaveLength(32);
        expect(rig.server.stats()).toMatchObject({ dropped: 1, replayed: 1, statuses: { "200": 1 } });
      }
    });

    it("a key service that cannot be reached fails as a transient VAULT_KEY_PROVIDER, on every SDK major", async () => {
      // A port that was just closed: nothing answers there. SDK 10+ wraps fetch's TypeError in an Error.
      const closed = await startKeyServer({ provider: rig.local });
      await closed.close();
      const unreachable = new WorkOSKeyProvider({
        workos: sdkClient(closed, TEST_TOKEN),
        retry: { attempts: 2, maxWaitMs: 1_000 },
      });
      const error = await vaultFailure(unreachable.createDataKey(context));
      expect(error.code).toBe("VAULT_KEY_PROVIDER");
      expect((error as VaultKeyProviderError).transient).toBe(true);
    }, 20_000);

    it("with retry: false a 503 is one request, failing as a transient VAULT_KEY_PROVIDER", async () => {
      rig.server.faults.failNext(1, 503);
      const error = await vaultFailure(provider(false).createDataKey(context));
      expect(error.code).toBe("VAULT_KEY_PROVIDER");
      expect(error.message).toContain("HTTP 503");
      expect((error as VaultKeyProviderError).transient).toBe(true);
      expect(rig.server.stats()).toMatchObject({ requests: 1, dataKey: 1, statuses: { "503": 1 } });
    });

    it("retry: false fails the first 429 at once, as VAULT_KEY_PROVIDER", async () => {
      rig.server.faults.rateLimitNext(1, 0);
      const error = await vaultFailure(provider(false).createDataKey(context));
      expect(error.code).toBe("VAULT_KEY_PROVIDER");
      expect(error.message).toContain("rate-limited");
      expect(rig.server.stats()).toMatchObject({ dataKey: 1 });
    });

    it.each([
      ["retry: true", true, /retry must be false or/],
      ["no tries", { attempts: 0 }, /retry\.attempts must be a whole number of tries from 1 to 20/],
      ["a fractional wait", { maxWaitMs: 1.5 }, /retry\.maxWaitMs must be a whole number of milliseconds/],
      ["a negative wait", { maxWaitMs: -1 }, /retry\.maxWaitMs/],
    ])("refuses %s with VAULT_CONFIG", (_name, retry, message) => {
      expect(() => new WorkOSKeyProvider({ workos: rig.workos, retry: retry as never })).toThrow(message);
    });
  });
});

describe("a key service that cannot be reached is named: host, port and the system's error code", () => {
  const apiKey = `sk_test_${randomBytes(12).toString("hex")}`;
  registerSecrets(apiKey);
  const provider = (apiHostname: string, port: number, retry?: false) =>
    new WorkOSKeyProvider({ workos: new WorkOS(apiKey, { apiHostname, port, https: false }), retry });

  it("a closed port on 127.0.0.1 reads 127.0.0.1:<port> not reached (ECONNREFUSED), without the API key", async () => {
    const port = await freePort();
    const error = await vaultFailure(
      guardProvider(provider("127.0.0.1", port, false)).createDataKey(context),
    );
    expect(error.code).toBe("VAULT_KEY_PROVIDER");
    expect(error.message).toBe(
      `WorkOS Vault createDataKey failed: 127.0.0.1:${port} not reached (ECONNREFUSED)`,
    );
    expect((error as VaultKeyProviderError).transient).toBe(true);
    expect(inspect(error, { depth: Infinity })).not.toContain(apiKey);
  });

  it("an unresolvable host reads nonexistent.invalid:<port> not reached, with the resolver's code", async () => {
    const error = await vaultFailure(
      provider("nonexistent.invalid", 8787, false).decryptDataKey(WORKOS_KEY_BLOB_MAGIC),
    );
    expect(error.code).toBe("VAULT_KEY_PROVIDER");
    // ENOTFOUND where a resolver answers; EAI_AGAIN on a machine without one.
    expect(error.message).toMatch(
      /^WorkOS Vault decryptDataKey failed: nonexistent\.invalid:8787 not reached \((ENOTFOUND|EAI_AGAIN)\)$/,
    );
    expect(inspect(error, { depth: Infinity })).not.toContain(apiKey);
  });

  it("a guard that times out while the provider retries names the provider's last failure", async () => {
    const port = await freePort();
    // SDK 10+: the first try is refused at once; the provider's retry waits 0.5 s, past the guard's
    // 200 ms. SDKs 8 and 9 retry an unanswered request themselves, with waits past the guard's, so no
    // failure reaches the provider before the guard times out, and the timeout is told bare.
    const error = await vaultFailure(
      guardProvider(provider("127.0.0.1", port), { timeoutMs: 200 }).createDataKey(context),
    );
    const timedOut = `key provider "workos" timed out after 200 ms in createDataKey()`;
    expect(error.message).toBe(
      SDK_MAJOR >= 10
        ? `${timedOut}; its last failure: WorkOS Vault createDataKey failed: 127.0.0.1:${port} not reached (ECONNREFUSED)`
        : timedOut,
    );
    expect(inspect(error, { depth: Infinity })).not.toContain(apiKey);
  });
});

import { describe, expect, it } from "vitest";
import { VaultError, VaultKeyRejectedError, VaultKeyUnavailableError } from "../../src/errors.js";
import { guardProvider, type KeyProvider } from "../../src/keys/provider.js";
import { vaultFailure } from "../support/errors.js";

const failing = (error: Error): KeyProvider => ({
  name: "failing",
  createDataKey: () => Promise.reject(error),
  decryptDataKey: () => Promise.reject(error),
});

describe("guardProvider", () => {
  it("passes a missing key through as VAULT_KEY_UNAVAILABLE, the same error", async () => {
    const unavailable = new VaultKeyUnavailableError('master key "k1" is not configured', { keyId: "k1" });
    expect(await vaultFailure(guardProvider(failing(unavailable)).decryptDataKey(new Uint8Array(8)))).toBe(
      unavailable,
    );
  });

  it("passes a refused blob through, so the field can report it as a decryption failure", async () => {
    const rejected = new VaultKeyRejectedError("bad blob");
    expect(await vaultFailure(guardProvider(failing(rejected)).decryptDataKey(new Uint8Array(8)))).toBe(
      rejected,
    );
  });

  it("turns every other failure into VAULT_KEY_PROVIDER naming the provider and method", async () => {
    for (const thrown of [new Error("ECONNREFUSED"), new VaultError("VAULT_DECRYPT_FAILED", "no")]) {
      const error = await vaultFailure(guardProvider(failing(thrown)).decryptDataKey(new Uint8Array(8)));
      expect(error.code).toBe("VAULT_KEY_PROVIDER");
      expect(error.message).toBe('key provider "failing" failed in decryptDataKey()');
      expect(error.cause).toBe(thrown);
    }
  });
});

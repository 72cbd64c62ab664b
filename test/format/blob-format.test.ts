import { randomBytes } from "node:crypto";
import { WorkOS } from "@workos-inc/node";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  blobId,
  blobAdmits,
  decodeOwnedEnvelope,
  KNOWN_BLOB_FORMATS,
  namedContext,
} from "../../src/format/blob-format.js";
import { canonicalize, type KeyContext } from "../../src/context/key-context.js";
import { decodeEnvelope } from "../../src/format/envelope.js";
import { sealEnvelope } from "../../src/crypto/seal-envelope.js";
import { hasPrefix } from "../../src/format/has-prefix.js";
import { WORKOS_KEY_BLOB_MAGIC } from "../../src/format/workos-blob.js";
import { VaultKeyUnavailableError } from "../../src/errors.js";
import { wrapBlob } from "../../src/key-server/blobs.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { LOCAL_KEY_BLOB_MAGIC } from "../../src/format/local-blob.js";
import { WorkOSKeyProvider } from "../../src/keys/workos.js";
import { thrownVaultError } from "../support/errors.js";

const local = new LocalKeyProvider({ keys: [{ id: "ring-1", key: randomBytes(32) }] });
const workos = new WorkOSKeyProvider({ workos: new WorkOS("sk_test_unit_blob_format") });
const orgA = { organizationId: "org_a" };
const orgB = { organizationId: "org_b" };

/** An envelope of "x" whose key blob is `blob` (the data key is random: only the blob matters here). */
const envelopeWith = (blob: Uint8Array) => sealEnvelope(randomBytes(32), blob, "x");
const bytesOf = (...parts: (Uint8Array | string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...Buffer.from(p)] : [...p])));

let localBlob: Uint8Array;
beforeAll(async () => {
  localBlob = (await local.createDataKey(orgA)).encryptedKeys;
});

describe("KNOWN_BLOB_FORMATS", () => {
  it("are the local ring's PVK1 and WorkOS's WOS.EKM.v1\\0, neither a prefix of the other", () => {
    expect(KNOWN_BLOB_FORMATS.map((f) => Buffer.from(f.magic).toString("latin1"))).toEqual([
      "PVK1",
      "WOS.EKM.v1\0",
    ]);
    expect(hasPrefix(LOCAL_KEY_BLOB_MAGIC, WORKOS_KEY_BLOB_MAGIC)).toBe(false);
    expect(hasPrefix(WORKOS_KEY_BLOB_MAGIC, LOCAL_KEY_BLOB_MAGIC)).toBe(false);
  });
});

describe("decodeOwnedEnvelope", () => {
  it("returns the parts of an envelope whose blob the provider recognizes", () => {
    const text = envelopeWith(localBlob);
    const parts = decodeOwnedEnvelope(text, local);
    expect(parts).toEqual(decodeEnvelope(text));
    expect([...parts.encryptedKeys]).toEqual([...localBlob]);
    const fromWorkOS = envelopeWith(bytesOf(WORKOS_KEY_BLOB_MAGIC, "opaque"));
    expect(decodeOwnedEnvelope(fromWorkOS, workos)).toEqual(decodeEnvelope(fromWorkOS));
  });

  it("a provider without recognizes is given every value that parses, whatever its blob", () => {
    const noRecognizes = { name: "custom" };
    for (const blob of [bytesOf("ACME1"), localBlob, bytesOf(WORKOS_KEY_BLOB_MAGIC, [1])]) {
      const text = envelopeWith(blob);
      expect(decodeOwnedEnvelope(text, noRecognizes)).toEqual(decodeEnvelope(text));
    }
  });

  it("a blob of a format only the provider's recognizes knows is an envelope of that provider", () => {
    const acme = { name: "acme", recognizes: (blob: Uint8Array) => hasPrefix(blob, bytesOf("ACME1")) };
    const text = envelopeWith(bytesOf("ACME1", [7, 7]));
    expect(decodeOwnedEnvelope(text, acme)).toEqual(decodeEnvelope(text));
  });

  it("text that does not parse is VAULT_ENVELOPE_INVALID, before any provider is asked", () => {
    let asked = 0;
    const counting = { name: "counting", recognizes: () => (asked++, true) };
    for (const text of ["", "123-45-6789", "not base64!", "QUJD", Buffer.alloc(20).toString("base64")]) {
      expect(thrownVaultError(() => decodeOwnedEnvelope(text, counting)).code).toBe("VAULT_ENVELOPE_INVALID");
    }
    expect(asked).toBe(0);
  });

  it("a parsed value whose blob has no known format is not an envelope: VAULT_ENVELOPE_INVALID", () => {
    const text = envelopeWith(bytesOf("ACME1", [1, 2, 3]));
    for (const provider of [local, workos]) {
      const error = thrownVaultError(() => decodeOwnedEnvelope(text, provider));
      expect(error.code).toBe("VAULT_ENVELOPE_INVALID");
      expect(error.message).toContain("no known format");
    }
  });

  it("a local ring's blob given to another provider is VAULT_KEY_UNAVAILABLE naming the master key", () => {
    const text = envelopeWith(localBlob);
    const error = thrownVaultError(() => decodeOwnedEnvelope(text, workos));
    expect(error).toBeInstanceOf(VaultKeyUnavailableError);
    expect((error as VaultKeyUnavailableError).keyId).toBe("ring-1");
    expect(error.message).toContain('master key "ring-1" is not configured');
    expect(error.message).toContain('"workos"');
    expect(error.message).not.toContain(text);
  });

  it("a WorkOS blob given to a local ring is VAULT_KEY_UNAVAILABLE without a key id", () => {
    const error = thrownVaultError(() => decodeOwnedEnvelope(envelopeWith(wrapBlob(localBlob)), local));
    expect(error).toBeInstanceOf(VaultKeyUnavailableError);
    expect((error as VaultKeyUnavailableError).keyId).toBeUndefined();
    expect(error.message).toContain("the key that wrapped it is not configured");
    expect(error.message).toContain("WorkOS Vault's");
    expect(error.message).toContain('"local"');
  });

  it("a malformed PVK1 blob given to another provider is VAULT_KEY_UNAVAILABLE without a key id", () => {
    const error = thrownVaultError(() => decodeOwnedEnvelope(envelopeWith(bytesOf("PVK1", [0xff])), workos));
    expect(error.code).toBe("VAULT_KEY_UNAVAILABLE");
    expect((error as VaultKeyUnavailableError).keyId).toBeUndefined();
    expect(error.message).toContain("the key that wrapped it");
  });

  it("for any blob: the owner's is returned, another known format is unavailable, anything else invalid", () => {
    const blob = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 40 }),
      fc.uint8Array({ maxLength: 40 }).map((tail) => bytesOf(LOCAL_KEY_BLOB_MAGIC, tail)),
      fc.uint8Array({ maxLength: 40 }).map((tail) => bytesOf(WORKOS_KEY_BLOB_MAGIC, tail)),
    );
    fc.assert(
      fc.property(blob, (b) => {
        const text = envelopeWith(b);
        const isLocal = hasPrefix(b, LOCAL_KEY_BLOB_MAGIC);
        const isWorkOS = hasPrefix(b, WORKOS_KEY_BLOB_MAGIC);
        for (const [provider, owns, other] of [
          [local, isLocal, isWorkOS],
          [workos, isWorkOS, isLocal],
        ] as const) {
          if (owns) {
            expect([...decodeOwnedEnvelope(text, provider).encryptedKeys]).toEqual([...b]);
          } else {
            const code = thrownVaultError(() => decodeOwnedEnvelope(text, provider)).code;
            expect(code).toBe(other ? "VAULT_KEY_UNAVAILABLE" : "VAULT_ENVELOPE_INVALID");
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

/** Whether a value whose key blob is `blob` may open in a row of `context`, as the cipher asks it. */
function admits(blob: Uint8Array, context: KeyContext): boolean {
  return blobAdmits(namedContext(blob), canonicalize(context));
}

describe("namedContext and blobAdmits", () => {
  it("passes a local blob for the context it was wrapped for, whatever the key order", async () => {
    const pair = { a: "1", b: "2" };
    const blob = (await local.createDataKey(pair)).encryptedKeys;
    expect(admits(blob, pair)).toBe(true);
    expect(admits(blob, { b: "2", a: "1" })).toBe(true);
  });

  it("a local blob copied from another tenant is not admitted", () => {
    expect(admits(localBlob, orgB)).toBe(false);
    expect(admits(localBlob, { ...orgA, extra: "x" })).toBe(false);
  });

  it("checks the local blob inside a key server's WorkOS-format blob too", () => {
    const served = wrapBlob(localBlob);
    expect(admits(served, orgA)).toBe(true);
    expect(admits(served, orgB)).toBe(false);
  });

  it("a PVK1 blob that names no readable context fails, bare or wrapped", () => {
    const broken = bytesOf("PVK1", [0xff, 0xff]);
    expect(admits(broken, orgA)).toBe(false);
    expect(admits(wrapBlob(broken), orgA)).toBe(false);
  });

  it("does not check opaque blobs: WorkOS Vault's own and unknown formats", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (tail) => {
        fc.pre(!hasPrefix(tail, LOCAL_KEY_BLOB_MAGIC));
        expect(admits(tail, orgA)).toBe(true);
        expect(admits(bytesOf(WORKOS_KEY_BLOB_MAGIC, tail), orgB)).toBe(true);
      }),
    );
  });
});

describe("blobId", () => {
  it("is the same for the same bytes in any view, and differs whenever a byte does", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), (bytes, at) => {
        const inside = new Uint8Array(bytes.length + 8);
        inside.set(bytes, 3);
        const view = inside.subarray(3, 3 + bytes.length);
        expect(blobId(view)).toBe(blobId(bytes));
        const changed = Uint8Array.from(bytes);
        const k = at % bytes.length;
        changed[k] = ((changed[k] as number) + 1) % 256;
        expect(blobId(changed)).not.toBe(blobId(bytes));
        expect(blobId(bytes.subarray(0, bytes.length - 1))).not.toBe(blobId(bytes));
      }),
    );
  });
});

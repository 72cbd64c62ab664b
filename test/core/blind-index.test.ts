import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BlindIndex, blindIndexOf, indexSecretFrom, INDEX_KEY_ENV } from "../../src/core/blind-index.js";
import { blindIndexSpec } from "../../src/schema/blind-index-spec.js";
import { thrownVaultError } from "../support/errors.js";

const secret = Uint8Array.from({ length: 32 }, (_, i) => i);
const email = new BlindIndex(secret, { model: "User", field: "email", normalize: "email" });

describe("blind index", () => {
  it("a schema's index description builds one BlindIndex, which computes as new BlindIndex does", () => {
    const spec = blindIndexSpec(secret, {
      model: "User",
      field: "email",
      normalize: "email",
      scope: "tenant",
    });
    const tenant = new BlindIndex(secret, {
      model: "User",
      field: "email",
      normalize: "email",
      scope: "tenant",
    });
    expect(blindIndexOf(spec)).toBe(blindIndexOf(spec));
    const context = { organizationId: "org_1" };
    expect(blindIndexOf(spec).compute(" Ann@X.io ", context)).toBe(tenant.compute("ann@x.io", context));
  });

  // Vectors computed independently with Python's hmac/hashlib (RFC 5869 HKDF, empty salt).
  it("matches known-answer vectors for global, truncated and tenant-scoped indexes", () => {
    expect(email.compute("ann@x.io")).toBe("YBnrxsBw1MTqDvtQrKeMScdpS7sKfBZQ7fx2H0WydpE");
    expect(new BlindIndex(secret, { model: "User", field: "email", bytes: 16 }).compute("ann@x.io")).toBe(
      "YBnrxsBw1MTqDvtQrKeMSQ",
    );
    const tenant = new BlindIndex(secret, { model: "User", field: "email", scope: "tenant" });
    expect(tenant.compute("ann@x.io", { organizationId: "org_1" })).toBe(
      "1Tko9Z7_vVArD9B585ymUec2eWKkMyPX-igrf_3HAWU",
    );
    const phone = new BlindIndex(secret, { model: "User", field: "phone", normalize: "phone" });
    expect(phone.compute("+1 (555) 010-0000")).toBe("SboMJwFIdHW2z0eQeyRTFpZitNB1GPklKGqQewIY-m0");
  });

  it("a tenant-scoped index keeps its answers through the derived-key cache, past its 1,024 entries", () => {
    const tenant = new BlindIndex(secret, { model: "User", field: "email", scope: "tenant" });
    const vector = "1Tko9Z7_vVArD9B585ymUec2eWKkMyPX-igrf_3HAWU";
    expect(tenant.compute("ann@x.io", { organizationId: "org_1" })).toBe(vector);
    const first = Array.from({ length: 1500 }, (_, i) => tenant.compute("v", { organizationId: `o${i}` }));
    expect(new Set(first).size).toBe(1500);
    // org_1 was evicted and derived again; every answer is the same the second time round.
    expect(tenant.compute("ann@x.io", { organizationId: "org_1" })).toBe(vector);
    expect(Array.from({ length: 1500 }, (_, i) => tenant.compute("v", { organizationId: `o${i}` }))).toEqual(
      first,
    );
  });

  it("normalizers compose in order", () => {
    expect(email.compute("  ANN@X.io ")).toBe(email.compute("ann@x.io"));
    const composed = new BlindIndex(secret, { model: "M", field: "f", normalize: "nfkc,lowercase" });
    expect(composed.normalize("ＡＢＣ")).toBe("abc");
    expect(new BlindIndex(secret, { model: "M", field: "f", normalize: ["trim"] }).normalize(" a ")).toBe(
      "a",
    );
    expect(
      new BlindIndex(secret, { model: "M", field: "f", normalize: "phone" }).normalize(" 0044 20-7946"),
    ).toBe("0044207946");
    expect(email.foldsCase).toBe(true);
    expect(new BlindIndex(secret, { model: "M", field: "f", normalize: "trim" }).foldsCase).toBe(false);
  });

  it("differs between fields, secrets and tenants for the same value", () => {
    const other = new BlindIndex(secret, { model: "User", field: "backupEmail", normalize: "email" });
    const otherSecret = new BlindIndex(new Uint8Array(32).fill(7), {
      model: "User",
      field: "email",
      normalize: "email",
    });
    const tenant = new BlindIndex(secret, { model: "User", field: "email", scope: "tenant" });
    expect(new Set([email.compute("a"), other.compute("a"), otherSecret.compute("a")]).size).toBe(3);
    expect(tenant.compute("a", { o: "1" })).not.toBe(tenant.compute("a", { o: "2" }));
  });

  it("is deterministic and never contains the value (property)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4 }), (value) => {
        const index = email.compute(value);
        expect(index).toBe(email.compute(value));
        expect(index).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }),
    );
  });

  it("refuses a short secret, bad bytes, scope or normalizer, and a tenant index without context", () => {
    const bad = (options: object, key: Uint8Array = secret) =>
      thrownVaultError(() => new BlindIndex(key, { model: "User", field: "email", ...options }));
    expect(bad({}, new Uint8Array(31))).toMatchObject({
      code: "VAULT_CONFIG",
      model: "User",
      field: "email",
    });
    expect(bad({ bytes: 15 }).code).toBe("VAULT_CONFIG");
    expect(bad({ bytes: 33 }).code).toBe("VAULT_CONFIG");
    expect(bad({ scope: "world" }).code).toBe("VAULT_CONFIG");
    expect(bad({ normalize: "upper" }).message).toContain('unknown normalizer "upper"');
    const tenant = new BlindIndex(secret, { model: "User", field: "email", scope: "tenant" });
    expect(thrownVaultError(() => tenant.compute("a")).code).toBe("VAULT_CONTEXT_MISSING");
    expect(thrownVaultError(() => tenant.compute("a", { k: "x".repeat(1100) })).code).toBe(
      "VAULT_CONTEXT_INVALID",
    );
  });

  it("reads the secret from the option or PRISMA_VAULT_INDEX_KEY", () => {
    const base64 = Buffer.from(secret).toString("base64");
    expect(indexSecretFrom(undefined, {})).toBeUndefined();
    expect(indexSecretFrom(undefined, { [INDEX_KEY_ENV]: base64 })).toEqual(Buffer.from(secret));
    expect(indexSecretFrom(secret, {})).toBe(secret);
    expect(thrownVaultError(() => indexSecretFrom("not base64!", {})).code).toBe("VAULT_CONFIG");
  });
});

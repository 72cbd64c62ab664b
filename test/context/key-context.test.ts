import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  associatedData,
  canonicalContext,
  parseCanonicalContext,
  validateContext,
} from "../../src/context/key-context.js";
import { thrownVaultError } from "../support/errors.js";

describe("key context", () => {
  it("accepts 1 to 10 pairs of non-empty strings and returns a frozen copy", () => {
    const input = { organizationId: "org_1" };
    const valid = validateContext(input);
    expect(valid).toEqual(input);
    expect(valid).not.toBe(input);
    expect(Object.isFrozen(valid)).toBe(true);
    expect(
      validateContext(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, "v"]))),
    ).toBeTruthy();
  });

  it.each([
    ["not an object", "org_1", /object/],
    ["null", null, /object/],
    ["an array", ["org_1"], /object/],
    ["a class instance", new Date(), /plain object/],
    ["empty", {}, /at least one/],
    ["11 pairs", Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"])), /at most 10/],
    ["an empty key", { "": "v" }, /key must not be empty/],
    ["a number value", { organizationId: 42 }, /"organizationId" must be a string/],
    ["an empty value", { organizationId: "" }, /"organizationId" must not be empty/],
    ["an undefined value", { organizationId: undefined }, /"organizationId" must be a string/],
  ])("refuses %s with VAULT_CONTEXT_INVALID naming the offending key", (_name, input, message) => {
    const error = thrownVaultError(() => validateContext(input));
    expect(error.code).toBe("VAULT_CONTEXT_INVALID");
    expect(error.message).toMatch(message);
  });

  it("refuses a __proto__ key, so two tenants differing only there never share a key", () => {
    // JSON (a request body, a stored context) makes __proto__ an own key; a literal would set the prototype.
    for (const text of ['{"__proto__":"tenant_1","app":"crm"}', '{"__proto__":"tenant_2","app":"crm"}']) {
      const error = thrownVaultError(() => validateContext(JSON.parse(text)));
      expect(error.code).toBe("VAULT_CONTEXT_INVALID");
      expect(error.message).toContain("__proto__");
      expect(error.message).not.toContain("tenant_");
    }
    const computed = { ["__proto__"]: "tenant_1", app: "crm" };
    expect(thrownVaultError(() => validateContext(computed)).code).toBe("VAULT_CONTEXT_INVALID");
    // A prototype set by a literal carries inherited keys: not a plain object.
    expect(() => validateContext({ __proto__: { tenant: "t" }, app: "crm" })).toThrow(/plain object/);
    expect(() => parseCanonicalContext('{"__proto__":"t","app":"crm"}')).toThrow(/__proto__/);
  });

  it("never puts a value into the error", () => {
    expect(thrownVaultError(() => validateContext({ ssn: 123456789 })).message).not.toContain("123456789");
  });

  it("canonicalizes by sorted key, whatever the insertion order, including integer-like keys", () => {
    expect(canonicalContext({ b: "2", a: "1" })).toBe('{"a":"1","b":"2"}');
    expect(canonicalContext({ b: "2", 1: "x" })).toBe('{"1":"x","b":"2"}');
    expect(canonicalContext({ z: 'quote"and\\slash' })).toBe('{"z":"quote\\"and\\\\slash"}');
  });

  it("equal contexts give equal canonical strings, and parse back", () => {
    const pairs = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.string({ minLength: 1, maxLength: 8 }),
      {
        minKeys: 1,
        maxKeys: 10,
      },
    );
    fc.assert(
      fc.property(pairs, (context) => {
        const reversed = Object.fromEntries(Object.entries(context).reverse());
        expect(canonicalContext(reversed)).toBe(canonicalContext(context));
        expect(parseCanonicalContext(canonicalContext(context))).toEqual(context);
      }),
    );
  });

  it("associated data is prisma-vault:v1|<Model>.<field>|<canonical context>", () => {
    expect(associatedData("User", "ssn", { organizationId: "org_1", region: "eu" })).toBe(
      'prisma-vault:v1|User.ssn|{"organizationId":"org_1","region":"eu"}',
    );
    expect(thrownVaultError(() => associatedData("", "ssn", { a: "b" })).code).toBe("VAULT_CONFIG");
  });
});

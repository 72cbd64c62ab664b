/**
 * Pure parts of reading a batch for a migration: which stored values a batch holds (each with its
 * row's context and id), rows without a valid context as failures of each of their values, and how a
 * value that did not open is classified (plaintext, a value's failure, or thrown: an outage).
 */
import { describe, expect, it } from "vitest";
import { unopened } from "../../src/core/opened.js";
import {
  VaultContextMissingError,
  VaultDecryptError,
  VaultEnvelopeInvalidError,
  VaultKeyProviderError,
  VaultKeyUnavailableError,
} from "../../src/errors.js";
import { batchValues, failureCode, unopenedAs } from "../../src/migrate/stored-values.js";
import { modelOf, testSchema } from "../support/datamodel.js";

const user = modelOf(testSchema(), "User");

describe("batchValues", () => {
  it("lists the string values of encrypted fields with their row's index, context and id", () => {
    const rows = [
      { id: 1, organizationId: "org_a", email: "e1", ssn: null, notes: "n1" },
      { id: 2, organizationId: "org_b", email: "e2" },
      { id: 3, organizationId: "org_a", email: null, ssn: null, notes: null },
    ];
    const { values, failed } = batchValues(user, rows);
    expect(values.map((v) => [v.at, v.field.name, v.value, v.context, v.id])).toEqual([
      [0, "email", "e1", { organizationId: "org_a" }, 1],
      [0, "notes", "n1", { organizationId: "org_a" }, 1],
      [1, "email", "e2", { organizationId: "org_b" }, 2],
    ]);
    expect(failed).toEqual([[], [], []]);
  });

  it("a row without a valid context fails each of its values, by id and field, and is not listed", () => {
    const rows = [
      { id: 1, organizationId: null, email: "e1", notes: "n1" },
      { id: 2, organizationId: "", email: "e2" },
      { id: 3, organizationId: null, email: null },
    ];
    const { values, failed } = batchValues(user, rows);
    expect(values).toEqual([]);
    expect(failed[0]).toEqual([
      { id: 1, field: "email", code: expect.stringMatching(/^VAULT_CONTEXT_(MISSING|INVALID)$/) as string },
      { id: 1, field: "notes", code: expect.stringMatching(/^VAULT_CONTEXT_(MISSING|INVALID)$/) as string },
    ]);
    expect(failed[1]).toHaveLength(1);
    // A row with nothing to migrate fails nothing, whatever its context.
    expect(failed[2]).toEqual([]);
  });
});

describe("unopenedAs and failureCode", () => {
  it("no envelope is plaintext; a value's own failure is its code", () => {
    expect(unopenedAs(unopened(new VaultEnvelopeInvalidError("not base64")))).toBe("plaintext");
    expect(unopenedAs(unopened(new VaultDecryptError()))).toBe("VAULT_DECRYPT_FAILED");
    expect(unopenedAs(unopened(new VaultKeyUnavailableError("no key k9")))).toBe("VAULT_KEY_UNAVAILABLE");
    expect(failureCode(new VaultContextMissingError("no context"))).toBe("VAULT_CONTEXT_MISSING");
  });

  it("an outage or a bug is thrown, so it stops the run instead of being counted", () => {
    const outage = new VaultKeyProviderError("timed out");
    expect(() => unopenedAs(unopened(outage))).toThrow(outage);
    const bug = new TypeError("undefined is not a function");
    expect(() => failureCode(bug)).toThrow(bug);
  });
});

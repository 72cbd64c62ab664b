import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { VaultConfigError } from "../../src/errors.js";
import { lastQueryExtensionGuard } from "../../src/prisma/extension-order.js";
import { inertModels } from "../../src/schema/relations.js";
import { testSchema } from "../support/datamodel.js";
import { thrownVaultError } from "../support/errors.js";
import { modelProperty } from "../../src/schema/model-property.js";

const schema = testSchema();
const inert = inertModels(schema);
const live = [...schema.models.keys()].filter((name) => !inert.has(name));
const operation = () => Promise.resolve(null);

/** A client whose `$extends` records what it was given, and the guard around it. */
function guardedClient() {
  const applied: { self: unknown; extension: unknown }[] = [];
  const client = {
    $extends(this: unknown, extension: unknown) {
      applied.push({ self: this, extension });
      return "extended client";
    },
  };
  return { applied, $extends: lastQueryExtensionGuard(client, schema) };
}

describe("lastQueryExtensionGuard", () => {
  it("the test schema has models that reach encrypted data and some (AuditLog, Ticket, the Vault object models) that do not", () => {
    expect([...inert]).toEqual(["AuditLog", "Ticket", "VaultObject", "VaultObjectVersion"]);
    expect(live).toContain("Organization");
  });

  it("refuses a query extension on a model with encrypted fields, by either spelling, and does not apply it", () => {
    for (const key of ["user", "User", "memo", "Memo"]) {
      const { applied, $extends } = guardedClient();
      const error = thrownVaultError(() => $extends({ query: { [key]: { findMany: operation } } }));
      expect(error).toBeInstanceOf(VaultConfigError);
      expect(error.message).toContain(`a query extension on "${key}" is applied after vault()`);
      expect(error.message).toContain("apply it before vault()");
      expect(applied).toEqual([]);
    }
  });

  it("refuses $allModels and $allOperations, which reach every model", () => {
    const { $extends } = guardedClient();
    expect(() => $extends({ query: { $allModels: { $allOperations: operation } } })).toThrow(
      VaultConfigError,
    );
    expect(() => $extends({ query: { $allOperations: operation } })).toThrow(/"\$allOperations"/);
  });

  it("refuses a model without encrypted fields whose relations lead to one", () => {
    const { $extends } = guardedClient();
    expect(() => $extends({ query: { organization: { create: operation } } })).toThrow(/"organization"/);
    expect(() => $extends({ query: { session: { update: operation } } })).toThrow(/"session"/);
  });

  it("names the first such key when an extension has several", () => {
    const { $extends } = guardedClient();
    expect(() => $extends({ query: { auditLog: {}, post: {}, user: {} } })).toThrow(/on "post"/);
  });

  it("applies a query extension on a model that reaches no encrypted data, with the client as this", () => {
    const { applied, $extends } = guardedClient();
    const extension = { query: { auditLog: { create: operation } } };
    const self = { name: "the extended client" };
    expect($extends.call(self, extension)).toBe("extended client");
    expect(applied).toEqual([{ self, extension }]);
  });

  it("applies extensions without a query component, and ones given as functions", () => {
    const { applied, $extends } = guardedClient();
    const extensions = [
      { name: "results", result: { user: { full: { needs: { name: true }, compute: () => 1 } } } },
      { model: { user: { count: operation } } },
      { client: { $hello: () => "hi" } },
      { query: null },
      { query: "user" },
      (client: unknown) => client,
    ];
    for (const extension of extensions) expect($extends(extension)).toBe("extended client");
    expect(applied.map((a) => a.extension)).toEqual(extensions);
  });

  it("for any set of query keys, refuses exactly when one reaches encrypted data", () => {
    const guarded = new Set(["$allModels", "$allOperations", ...live, ...live.map(modelProperty)]);
    const key = fc.oneof(
      fc.constantFrom(...guarded, "auditLog", "AuditLog", "$queryRaw", "users", "USER"),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 4 }), (keys) => {
        const { applied, $extends } = guardedClient();
        const extension = { query: Object.fromEntries(keys.map((k) => [k, { findMany: operation }])) };
        const refused = keys.some((k) => guarded.has(k));
        if (refused) expect(() => $extends(extension)).toThrow(VaultConfigError);
        else expect($extends(extension)).toBe("extended client");
        expect(applied.length).toBe(refused ? 0 : 1);
      }),
      { numRuns: 300 },
    );
  });
});

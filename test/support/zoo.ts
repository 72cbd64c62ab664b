/**
 * The schema tests' data model and builders, shared by test/schema/*: `zoo` holds every kind of
 * column the validation tells apart, `build` validates a `models` map against it.
 */
import { expect } from "vitest";
import { buildVaultSchema } from "../../src/schema/build.js";
import type { ModelsOption } from "../../src/schema/options.js";
import type { DataModel } from "../../src/schema/datamodel.js";
import { belongsTo, dataModel, hasMany, model, scalar } from "./datamodel.js";

/** A model with every kind of column the validation tells apart, and eleven possible context fields. */
export const zoo: DataModel = dataModel(
  model("Tenant", [scalar("id", "String", { isId: true }), hasMany("things", "Thing", "TenantToThing")]),
  model("Thing", [
    scalar("id", "Int", { isId: true }),
    scalar("tenantId"),
    belongsTo("tenant", "Tenant", "TenantToThing", ["tenantId"]),
    scalar("labels", "String", { isList: true }),
    scalar("role", "Role", { kind: "enum" }),
    scalar("payload", "Json"),
    scalar("counter", "Int"),
    scalar("secret"),
    scalar("other"),
    scalar("secretIndex"),
    scalar("otherIndex"),
    ...Array.from({ length: 11 }, (_, i) => scalar(`c${i}`)),
  ]),
);

export const indexSecret = new Uint8Array(32).fill(1);

/** `models` (unchecked, so tests can pass what a JavaScript caller might) validated against `datamodel`. */
export function build(
  models: unknown,
  datamodel: DataModel = zoo,
  plaintext: "reject" | "read" = "reject",
  secret: Uint8Array | null = indexSecret,
) {
  return buildVaultSchema(datamodel, models as ModelsOption, {
    plaintext: plaintext,
    indexSecret: secret ?? undefined,
  });
}

/** Thing with context ["tenantId"] and `secret` encrypted, `options` over those. */
export function thing(options: Record<string, unknown>) {
  return build({ Thing: { context: ["tenantId"], fields: { secret: {} }, ...options } });
}

export function secretWith(options: unknown) {
  return thing({ fields: { secret: options } });
}

/** The VaultConfigError a validation throws, naming `model` and `field` (undefined: names none). */
export function configError(modelName: string, field?: string) {
  return expect.objectContaining({
    name: "VaultConfigError",
    code: "VAULT_CONFIG",
    model: modelName,
    field,
  }) as Error;
}

/**
 * Reads prisma-vault's `///` annotations from a data model into the same `models` map that users can
 * write in TypeScript, so both forms go through one validation (schema/build.ts).
 *
 *   /// @vault.context(organizationId, region: regionCode, app: "crm")   on a model
 *   /// @encrypted                                                       on a String field
 *   /// @encrypted(aad: none, plaintext: read)                           with options
 */
import { VaultConfigError } from "../errors.js";
import type { DataModel } from "./datamodel.js";
import { FIELD_OPTION_KEYS, type FieldOptions, type ModelOptions, type ModelsOption } from "./options.js";

const CONTEXT_TAG = /@vault\.context\s*\(([^)]*)\)/;
const ENCRYPTED_TAG = /@encrypted\b(?:\s*\(([^)]*)\))?/;

/**
 * The models map described by the annotations in `datamodel`. Models without any annotation are left
 * out. Malformed annotations are a `VaultConfigError` naming model and field.
 *
 * @example annotationsOf(vaultSchema.datamodel) // { User: { context: {...}, fields: { ssn: {} } } }
 */
export function annotationsOf(datamodel: DataModel): ModelsOption {
  const models: Record<string, ModelOptions> = {};
  for (const model of Object.values(datamodel.models)) {
    const fields: Record<string, FieldOptions> = {};
    for (const field of model.fields) {
      const match = ENCRYPTED_TAG.exec(field.documentation ?? "");
      if (match) fields[field.name] = fieldOptions(match[1], model.name, field.name);
    }
    const contextMatch = CONTEXT_TAG.exec(model.documentation ?? "");
    if (!contextMatch && Object.keys(fields).length === 0) continue;
    const context = contextMatch ? contextOptions(contextMatch[1] ?? "", model.name) : undefined;
    models[model.name] = { ...(context ?? { context: [] }), fields };
  }
  return models;
}

function contextOptions(list: string, model: string): Pick<ModelOptions, "context" | "staticContext"> {
  const context: Record<string, string> = {};
  const staticContext: Record<string, string> = {};
  for (const [key, value] of pairs(list, model, undefined)) {
    if (value === undefined) context[key] = key;
    else if (value.quoted) staticContext[key] = value.text;
    else context[key] = value.text;
  }
  return Object.keys(staticContext).length === 0 ? { context } : { context, staticContext };
}

function fieldOptions(list: string | undefined, model: string, field: string): FieldOptions {
  const options: Record<string, string> = {};
  for (const [key, value] of pairs(list ?? "", model, field)) {
    if (!(FIELD_OPTION_KEYS as readonly string[]).includes(key)) {
      throw new VaultConfigError(
        `unknown @encrypted option "${key}" (expected one of ${FIELD_OPTION_KEYS.join(", ")})`,
        { model, field },
      );
    }
    if (value === undefined) {
      throw new VaultConfigError(`@encrypted option "${key}" needs a value, e.g. ${key}: …`, {
        model,
        field,
      });
    }
    options[key] = value.text;
  }
  return options;
}

type Value = { readonly text: string; readonly quoted: boolean } | undefined;

/** `a, b: c, d: "e"` -> [["a", undefined], ["b", {c}], ["d", {"e", quoted}]] */
function pairs(list: string, model: string, field: string | undefined): [string, Value][] {
  const out: [string, Value][] = [];
  // Split at commas outside double quotes, so a quoted value may hold commas.
  for (const raw of list.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
    const item = raw.trim();
    if (item === "") continue;
    const match = /^([A-Za-z_][\w.]*)\s*(?::\s*(?:"([^"]*)"|([\w.+-]+)))?$/.exec(item);
    if (!match?.[1]) {
      throw new VaultConfigError(`cannot read annotation argument "${item}"`, { model, field });
    }
    const quoted = match[2];
    const bare = match[3];
    out.push([
      match[1],
      quoted !== undefined
        ? { text: quoted, quoted: true }
        : bare !== undefined
          ? { text: bare, quoted: false }
          : undefined,
    ]);
  }
  return out;
}

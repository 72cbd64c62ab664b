/** One encrypted field's options checked against its column: associated data, plaintext, blind index. */
import { blindIndexSpec } from "./blind-index-spec.js";
import { VaultConfigError } from "../errors.js";
import type { DataModelField } from "./datamodel.js";
import type { EncryptedField, FieldIndex, SchemaSettings } from "./model-schema.js";
import { FIELD_OPTION_KEYS, type FieldOptions } from "./options.js";

/** Validates one field's options against its column; the caller adds the column's capacity. */
export function encryptedField(
  model: string,
  field: DataModelField | undefined,
  name: string,
  options: FieldOptions,
  settings: SchemaSettings,
): Omit<EncryptedField, "capacity"> {
  const where = { model, field: name };
  if (!field) throw new VaultConfigError("no such field in the Prisma schema", where);
  if (field.kind !== "scalar" || field.type !== "String" || field.isList === true) {
    throw new VaultConfigError(
      `an encrypted field must be a String column, this one is ${describe(field)}`,
      where,
    );
  }
  if (typeof options !== "object" || options === null) {
    throw new VaultConfigError("field options must be an object, e.g. {}", where);
  }
  for (const key of Object.keys(options)) {
    if (!(FIELD_OPTION_KEYS as readonly string[]).includes(key)) {
      throw new VaultConfigError(`unknown field option "${key}"`, where);
    }
  }
  const aad = options.aad ?? "default";
  if (aad !== "default" && aad !== "none")
    throw new VaultConfigError('aad must be "default" or "none"', where);
  if (
    options.aadAs !== undefined &&
    (typeof options.aadAs !== "string" || !/^[^.|\s]+\.[^.|\s]+$/.test(options.aadAs))
  ) {
    throw new VaultConfigError('aadAs must look like "Model.field"', where);
  }
  if (aad === "none" && options.aadAs !== undefined) {
    throw new VaultConfigError('aadAs has no effect with aad: "none"', where);
  }
  const mode = options.plaintext ?? settings.plaintext;
  if (mode !== "reject" && mode !== "read")
    throw new VaultConfigError('plaintext must be "reject" or "read"', where);
  const [aadModel = model, aadField = name] = options.aadAs?.split(".") ?? [];
  return {
    model,
    name,
    aad: aad === "none" ? undefined : { model: aadModel, field: aadField },
    plaintext: mode,
    // A field renamed with aadAs keeps its index key too, so stored indexes keep matching.
    index: fieldIndex(options, settings.indexSecret, where, options.aadAs),
  };
}

function fieldIndex(
  options: FieldOptions,
  secret: Uint8Array | undefined,
  where: { model: string; field: string },
  keyName: string | undefined,
): FieldIndex | undefined {
  if (options.index === undefined) {
    const stray = (["normalize", "scope", "indexBytes"] as const).find((key) => options[key] !== undefined);
    if (stray) throw new VaultConfigError(`${stray} applies to a blind index; add index: "<column>"`, where);
    return undefined;
  }
  if (typeof options.index !== "string" || options.index === "") {
    throw new VaultConfigError("index must name the String column that holds the blind index", where);
  }
  if (!secret) {
    throw new VaultConfigError(
      "a blind index needs a secret: pass indexSecret to vault() (vaultMiddleware() on Prisma 8) or set PRISMA_VAULT_INDEX_KEY",
      where,
    );
  }
  if (
    options.normalize !== undefined &&
    typeof options.normalize !== "string" &&
    !Array.isArray(options.normalize)
  ) {
    throw new VaultConfigError('normalize is a normalizer name or a list, e.g. "email"', where);
  }
  const bytes = options.indexBytes === undefined ? undefined : Number(options.indexBytes);
  const settings = {
    ...where,
    ...(options.normalize === undefined ? {} : { normalize: options.normalize }),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    ...(bytes === undefined ? {} : { bytes }),
  };
  const blind = blindIndexSpec(secret, { ...settings, ...(keyName === undefined ? {} : { keyName }) });
  // A renamed field's index under its own name: what `migrate rotate` moves it to.
  const own = keyName === undefined ? undefined : blindIndexSpec(secret, settings);
  return { column: options.index, blind, ...(own && { own }) };
}

/** How a column reads in an error: `Int`, `String[]`, `a relation to Post`. */
export function describe(field: DataModelField): string {
  if (field.kind === "object") return `a relation to ${field.type}`;
  return field.isList === true ? `${field.type}[]` : field.type;
}

/**
 * An object's value <-> its envelope, through the client's VaultCore (its cipher and data-key cache). Each value is
 * sealed under the object's key context with associated data naming the object, the version and the
 * object's name, so a value copied into another object's row or another version's, or an object
 * renamed in the database (two names swapped), fails to open.
 *
 * Values sealed by prisma-vault 0.2 bound the id, version and context but not the name ("unbound"
 * values, {@link legacyObjectAad}). They open only where the store is told so (`unboundValues:
 * "open"`), never as a fallback of its own; `resealObjects()` binds them.
 */
import { canonicalContext, type KeyContext } from "../context/key-context.js";
import type { VaultCore } from "../core/vault-core.js";
import { isVaultError, VaultDecryptError } from "../errors.js";
import type { FieldRef } from "../schema/field-ref.js";
import { OBJECT_MODEL } from "./models.js";

/** Which value: the object, its version, its name and the context it was created with. */
export interface ValuePlace {
  readonly id: string;
  readonly versionId: string;
  readonly name: string;
  readonly context: KeyContext;
}

/**
 * What a store does with a value sealed before names were bound: `"refuse"` (the default) fails it
 * as `VAULT_DECRYPT_FAILED`, like any value that does not open; `"open"` opens it with the old
 * associated data, for the time between upgrading and `resealObjects()`.
 */
export type UnboundValues = "refuse" | "open";

/**
 * The associated data of an object's value: `prisma-vault:v2|object:<JSON [id, versionId, name]>|<canonical context>`.
 * The JSON array keeps the parts apart whatever characters a name holds.
 *
 * @example objectAad({ id: "secret_01…", versionId: "version_01…", name: "stripe", context: { organizationId: "org_1" } })
 */
export function objectAad(place: ValuePlace): string {
  const named = JSON.stringify([place.id, place.versionId, place.name]);
  return `prisma-vault:v2|object:${named}|${canonicalContext(place.context)}`;
}

/**
 * The associated data prisma-vault 0.2 sealed values with, which leaves the name out:
 * `prisma-vault:v1|object:<id>@<versionId>|<canonical context>`. Only for opening such values where
 * that was asked for, and for resealing them.
 */
export function legacyObjectAad(place: ValuePlace): string {
  return `prisma-vault:v1|object:${place.id}@${place.versionId}|${canonicalContext(place.context)}`;
}

/** The envelope of `value` at `place` and the id of the data key that sealed it. */
export async function sealValue(
  core: VaultCore,
  value: string,
  place: ValuePlace,
): Promise<{ envelope: string; keyId: string }> {
  return core.sealKeyed(value, refOf(place, objectAad(place)));
}

/**
 * The value `envelope` holds at `place`; `VAULT_DECRYPT_FAILED` when it was sealed anywhere else (or is
 * no envelope at all). With
 * `unbound: "open"`, a value that does not open bound to its name is tried once more as a 0.2 value.
 */
export async function openValue(
  core: VaultCore,
  envelope: string,
  place: ValuePlace,
  unbound: UnboundValues,
): Promise<string> {
  if (unbound === "refuse") return openWith(core, envelope, place, objectAad(place));
  const opened = await openStored(core, envelope, place);
  if ("failed" in opened) throw opened.failed;
  return opened.value;
}

/**
 * How a stored value opens: bound to its name, or (tried only when that fails) as a 0.2 value, with
 * its value either way; or not at all, with the error of the last try.
 */
export async function openStored(
  core: VaultCore,
  envelope: string,
  place: ValuePlace,
): Promise<{ bound: boolean; value: string } | { failed: unknown }> {
  try {
    return { bound: true, value: await openWith(core, envelope, place, objectAad(place)) };
  } catch (error) {
    if (!isVaultError(error, "VAULT_DECRYPT_FAILED")) return { failed: error };
  }
  try {
    return { bound: false, value: await openWith(core, envelope, place, legacyObjectAad(place)) };
  } catch (error) {
    return { failed: error };
  }
}

/** One attempt; a stored value that is no envelope does not open either: the same opaque error. */
async function openWith(core: VaultCore, envelope: string, place: ValuePlace, aad: string): Promise<string> {
  try {
    return await core.open(envelope, refOf(place, aad));
  } catch (error) {
    if (isVaultError(error, "VAULT_ENVELOPE_INVALID"))
      throw new VaultDecryptError({ model: OBJECT_MODEL, field: "value", id: place.id });
    throw error;
  }
}

/** Where an object's value lives, for the core: the object's model, its id and `aad`. */
function refOf(place: ValuePlace, aad: string): FieldRef {
  return { model: OBJECT_MODEL, field: "value", context: place.context, id: place.id, aad };
}

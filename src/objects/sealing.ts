/**
 * An object's value <-> its envelope, through the client's cipher and data-key cache. Each value is
 * sealed under the object's key context with associated data naming the object and the version, so
 * a value copied into another object's row, or into another version's, fails to open.
 */
import { canonicalContext, type KeyContext } from "../context/key-context.js";
import type { FieldCipher } from "../crypto/cipher.js";
import { sealEnvelopes } from "../format/envelope.js";
import { OBJECT_MODEL } from "./models.js";

/** Which value: the object, its version, and the context it was created with. */
export interface ValuePlace {
  readonly id: string;
  readonly versionId: string;
  readonly context: KeyContext;
}

/**
 * The associated data of an object's value: `prisma-vault:v1|object:<id>@<versionId>|<canonical context>`.
 *
 * @example objectAad({ id: "secret_01…", versionId: "version_01…", context: { organizationId: "org_1" } })
 */
export function objectAad(place: ValuePlace): string {
  return `prisma-vault:v1|object:${place.id}@${place.versionId}|${canonicalContext(place.context)}`;
}

/** The envelope of `value` at `place` and the id of the data key that sealed it. */
export async function sealValue(
  cipher: FieldCipher,
  value: string,
  place: ValuePlace,
): Promise<{ envelope: string; keyId: string }> {
  const aad = Buffer.from(objectAad(place), "utf8");
  return cipher.keys.withEncryptionKey(place.context, (key) => ({
    envelope: sealEnvelopes(cipher.aead, key.key, key.encryptedKeys, [value], [aad])[0] as string,
    keyId: key.id,
  }));
}

/** The value `envelope` holds at `place`; `VAULT_DECRYPT_FAILED` when it was sealed anywhere else. */
export function openValue(cipher: FieldCipher, envelope: string, place: ValuePlace): Promise<string> {
  return cipher.decrypt(envelope, {
    model: OBJECT_MODEL,
    field: "value",
    context: place.context,
    id: place.id,
    aad: objectAad(place),
  });
}

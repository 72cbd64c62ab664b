/**
 * The standalone `encrypt` / `decrypt`, which behave like the SDK's `vault.encrypt` / `vault.decrypt`:
 * one value, one provider call, no cache.
 */
import { validateContext, type KeyContext } from "../context/key-context.js";
import { isKeyRejected, VaultConfigError, VaultDecryptError } from "../errors.js";
import { decodeOwnedEnvelope } from "../format/blob-format.js";
import { openEnvelope } from "../crypto/open-envelope.js";
import { sealEnvelope } from "../crypto/seal-envelope.js";
import { guardProvider } from "../keys/guard-provider.js";
import { type KeyProvider } from "../keys/provider.js";

/**
 * Encrypts like `workos.vault.encrypt(text, context, aad)`: a new data key from `provider` for this
 * value, sealed into an SDK-compatible envelope.
 *
 * @example const stored = await encrypt(new WorkOSKeyProvider({ workos }), "secret", { organizationId: "org_1" });
 */
export async function encrypt(
  provider: KeyProvider,
  text: string,
  context: KeyContext,
  aad = "",
): Promise<string> {
  if (typeof text !== "string") throw new VaultConfigError("encrypt() takes a string");
  const dataKey = await guardProvider(provider).createDataKey(validateContext(context));
  try {
    return sealEnvelope(dataKey.key, dataKey.encryptedKeys, text, aad);
  } finally {
    dataKey.key.fill(0);
  }
}

/**
 * Decrypts like `workos.vault.decrypt(envelope, aad)`: reads any SDK envelope, fails closed. Like
 * FieldCipher, it asks `provider` only for blobs it owns (see `decodeOwnedEnvelope`).
 *
 * @example const text = await decrypt(provider, stored);
 */
export async function decrypt(provider: KeyProvider, envelope: string, aad = ""): Promise<string> {
  const guarded = guardProvider(provider);
  const parts = decodeOwnedEnvelope(envelope, guarded);
  const key = await guarded.decryptDataKey(parts.encryptedKeys).catch((error: unknown) => {
    throw isKeyRejected(error) ? new VaultDecryptError({ cause: error }) : error;
  });
  try {
    return openEnvelope(key.key, parts, aad);
  } finally {
    key.key.fill(0);
  }
}

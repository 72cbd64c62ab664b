/** Sealing values into WorkOS Vault envelopes with a given data key (the codec is format/envelope.ts). */
import { VaultKeyProviderError } from "../errors.js";
import { encodeEnvelope } from "../format/envelope.js";
import { aadBytes } from "./aad-bytes.js";
import { checkDataKey, type AeadBackend } from "./aead.js";
import { freshIvs } from "./fresh-ivs.js";
import { nodeAead } from "./node-aead.js";

/**
 * Encrypts `plaintext` (UTF-8) under `key` with a fresh random 96-bit IV and returns the envelope.
 * An empty `aad` means no associated data, as in the SDK.
 *
 * @example sealEnvelope(dataKey.key, dataKey.encryptedKeys, "123-45-6789", associatedData("User", "ssn", ctx))
 */
export function sealEnvelope(
  key: Uint8Array,
  encryptedKeys: Uint8Array,
  plaintext: string,
  aad: string | Uint8Array = "",
): string {
  return sealEnvelopes(nodeAead, key, encryptedKeys, [plaintext], [aadBytes(aad)])[0] as string;
}

/**
 * The envelopes of `texts` under one data key, `texts[i]` with the associated data `aads[i]` (empty:
 * none) and a fresh IV, sealed by one call of `aead`.
 *
 * @example sealEnvelopes(resolveAead("auto"), key, encryptedKeys, ["a", "b"], [aad, aad])
 */
export function sealEnvelopes(
  aead: AeadBackend,
  key: Uint8Array,
  encryptedKeys: Uint8Array,
  texts: readonly string[],
  aads: readonly Uint8Array[],
): string[] {
  // Precondition: a 32-byte data key and a non-empty key blob.
  checkDataKey(key);
  if (encryptedKeys.length === 0) throw new VaultKeyProviderError("the encrypted data key is empty");
  const ivs = freshIvs(texts.length);
  const sealed = aead.seal(
    key,
    texts.map((text, i) => ({ iv: ivs[i] as Buffer, text, aad: aads[i] as Uint8Array })),
  );
  return sealed.map(({ ciphertext, tag }, i) =>
    encodeEnvelope({ iv: ivs[i] as Buffer, tag, encryptedKeys, ciphertext }),
  );
}

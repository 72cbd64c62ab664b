/** Opening WorkOS Vault envelopes with a given data key (the codec is format/envelope.ts). */
import { VaultDecryptError } from "../errors.js";
import type { Envelope } from "../format/envelope.js";
import { aadBytes } from "./aad-bytes.js";
import { checkDataKey, type AeadBackend } from "./aead.js";
import { nodeAead } from "./node-aead.js";

/**
 * Decrypts an envelope with its data key. Any failure (wrong key, wrong AAD, modified bytes) is the
 * same opaque {@link VaultDecryptError}.
 *
 * @example openEnvelope(key, decodeEnvelope(stored), associatedData("User", "ssn", ctx))
 */
export function openEnvelope(key: Uint8Array, envelope: Envelope, aad: string | Uint8Array = ""): string {
  const [text] = openEnvelopes(nodeAead, key, [envelope], [aadBytes(aad)]);
  if (typeof text !== "string") throw new VaultDecryptError();
  return text;
}

/**
 * The plaintexts of envelopes under one data key, `envelopes[i]` with the associated data `aads[i]`
 * (empty: none), opened by one call of `aead`: `null` where a value does not open, never a hint why.
 *
 * @example openEnvelopes(resolveAead("auto"), key, [decodeEnvelope(stored)], [aad])
 */
export function openEnvelopes(
  aead: AeadBackend,
  key: Uint8Array,
  envelopes: readonly Envelope[],
  aads: readonly Uint8Array[],
): (string | null)[] {
  checkDataKey(key);
  return aead.open(
    key,
    envelopes.map(({ iv, tag, ciphertext }, i) => ({ iv, tag, ciphertext, aad: aads[i] as Uint8Array })),
  );
}

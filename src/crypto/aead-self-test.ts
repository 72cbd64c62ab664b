/** The native backend's check at load: it must seal and open exactly as `node:crypto` does. */
import { AEAD_KEY_BYTES, type AeadBackend } from "./aead.js";
import { nodeAead } from "./node-aead.js";

/**
 * Throws when `backend` seals or opens differently from node:crypto: a binary that loads but computes
 * anything else is not used.
 *
 * @example selfTest(nativeAead(binding));
 */
export function selfTest(backend: AeadBackend): void {
  const key = Uint8Array.from({ length: AEAD_KEY_BYTES }, (_, i) => i + 1);
  const item = { iv: new Uint8Array(12).fill(7), text: "prisma-vault ✓", aad: new Uint8Array([1, 2]) };
  const [ours] = backend.seal(key, [item]);
  const [theirs] = nodeAead.seal(key, [item]);
  const same = (a?: Uint8Array, b?: Uint8Array) =>
    a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;
  if (!ours || !theirs || !same(ours.ciphertext, theirs.ciphertext) || !same(ours.tag, theirs.tag))
    throw new Error("prisma-vault-native seals differently from node:crypto");
  const [opened] = backend.open(key, [{ ...theirs, iv: item.iv, aad: item.aad }]);
  if (opened !== item.text) throw new Error("prisma-vault-native opens differently from node:crypto");
}

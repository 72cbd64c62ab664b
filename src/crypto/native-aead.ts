/**
 * The native batch backend over the `prisma-vault-native` addon's two functions: one N-API call per
 * batch, key schedule set once. Loaded and checked by resolve-aead.ts.
 */
import { AEAD_TAG_BYTES, checkDataKey, type AeadBackend } from "./aead.js";
import { packOpenItems } from "./pack-open-items.js";

/** The addon's two functions (prisma-vault-native's index.d.ts). */
export interface NativeBinding {
  seal(key: Uint8Array, ivs: Uint8Array, texts: string[], aads: (Uint8Array | null)[]): Uint8Array[];
  open(key: Uint8Array, bytes: Uint8Array, aads: Uint8Array, spans: Uint32Array): (string | null)[];
}

/**
 * The backend over a loaded addon's `binding`.
 *
 * @example const backend = nativeAead(require("prisma-vault-native"));
 */
export function nativeAead(binding: NativeBinding): AeadBackend {
  return {
    name: "native",
    seal(key, items) {
      checkDataKey(key);
      const ivs = Buffer.allocUnsafe(items.length * 12);
      const texts = new Array<string>(items.length);
      const aads = new Array<Uint8Array | null>(items.length);
      for (const [i, item] of items.entries()) {
        // Precondition: 12-byte IVs, laid end to end for the addon.
        if (item.iv.length !== 12) throw new RangeError("a sealing IV must be 12 bytes");
        ivs.set(item.iv, i * 12);
        texts[i] = item.text;
        aads[i] = item.aad.length > 0 ? item.aad : null;
      }
      return binding.seal(key, ivs, texts, aads).map((sealed) => {
        const end = sealed.length - AEAD_TAG_BYTES;
        return { ciphertext: sealed.subarray(0, end), tag: sealed.subarray(end) };
      });
    },
    open(key, items) {
      checkDataKey(key);
      const { bytes, aads, spans } = packOpenItems(items);
      return binding.open(key, bytes, aads, spans);
    },
    openBatch(key, { bytes, aads, spans }) {
      checkDataKey(key);
      return binding.open(key, bytes, aads, spans);
    },
  };
}

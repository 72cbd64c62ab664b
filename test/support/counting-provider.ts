/** Test rig: a real key provider wrapped so a test can see how often it was asked for a key. */
import type { KeyContext } from "../../src/context/key-context.js";
import type { KeyProvider } from "../../src/keys/provider.js";

export interface CountingProvider extends KeyProvider {
  /** createDataKey, decryptDataKey and rekey calls that reached the wrapped provider. */
  readonly calls: () => number;
}

/**
 * `provider` with every key call counted and passed on unchanged. `recognizes` is passed on (not
 * counted: it is a synchronous look at the blob, not a key request); `withoutRecognizes` drops it,
 * to stand for a provider that does not declare its blob format.
 */
export function countingProvider(
  provider: KeyProvider,
  options: { withoutRecognizes?: boolean } = {},
): CountingProvider {
  let calls = 0;
  return {
    name: `counting ${provider.name}`,
    calls: () => calls,
    createDataKey(context: KeyContext) {
      calls++;
      return provider.createDataKey(context);
    },
    decryptDataKey(blob: Uint8Array) {
      calls++;
      return provider.decryptDataKey(blob);
    },
    ...(provider.rekey && {
      rekey(blob: Uint8Array, context: KeyContext) {
        calls++;
        return provider.rekey!(blob, context);
      },
    }),
    ...(provider.recognizes &&
      options.withoutRecognizes !== true && {
        recognizes: (blob: Uint8Array) => provider.recognizes!(blob),
      }),
  };
}

/**
 * Test rig: a real LocalKeyProvider whose calls for chosen key contexts never answer until the test
 * releases them, standing for a key service that hangs for one tenant (or for all). No mock: every
 * answer, late or not, is the local ring's real one.
 */
import { randomBytes } from "node:crypto";
import { canonicalContext, type KeyContext } from "../../src/context/key-context.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { localBlobContext } from "../../src/format/local-blob.js";
import type { KeyProvider } from "../../src/keys/provider.js";

export interface StallingProvider {
  readonly provider: KeyProvider;
  /** Key calls that reached the provider, stalled or not. */
  readonly started: () => number;
  /** Stalled calls not released yet. */
  readonly stalled: () => number;
  /** Every data key handed out, to see it zeroed. */
  readonly handedOut: readonly Uint8Array[];
  /** From now on, stall calls whose canonical context (a blob's, for decrypt) `when` accepts. */
  stall(when: (canonical: string | undefined) => boolean): void;
  /** Answers every stalled call now (late), and stops stalling. */
  release(): Promise<void>;
}

/** `options.blobPrefix` hides the blob's context from anyone but this provider (an opaque format). */
export function stallingProvider(options: { blobPrefix?: string } = {}): StallingProvider {
  const local = new LocalKeyProvider({ keys: [{ id: "k", key: randomBytes(32) }] });
  const prefix = new TextEncoder().encode(options.blobPrefix ?? "");
  const handedOut: Uint8Array[] = [];
  let when: (canonical: string | undefined) => boolean = () => false;
  let started = 0;
  let waiting: (() => void)[] = [];
  const answered: Promise<unknown>[] = [];

  const run = <T extends { key: Uint8Array }>(canonical: string | undefined, work: () => Promise<T>) => {
    started++;
    const answer = () =>
      work().then((result) => {
        handedOut.push(result.key);
        return result;
      });
    if (!when(canonical)) return answer();
    const late = new Promise<T>((resolve) => waiting.push(() => resolve(answer())));
    answered.push(late);
    return late;
  };
  const inner = (blob: Uint8Array) => blob.subarray(prefix.length);
  const provider: KeyProvider = {
    name: "stalling",
    createDataKey: (context: KeyContext) =>
      run(canonicalContext(context), async () => {
        const key = await local.createDataKey(context);
        return { ...key, encryptedKeys: withPrefix(prefix, key.encryptedKeys) };
      }),
    decryptDataKey: (blob: Uint8Array) =>
      run(prefix.length === 0 ? localBlobContext(blob) : undefined, () => local.decryptDataKey(inner(blob))),
  };
  return {
    provider,
    started: () => started,
    stalled: () => waiting.length,
    handedOut,
    stall: (accept) => {
      when = accept;
    },
    async release() {
      when = () => false;
      const now = waiting;
      waiting = [];
      now.forEach((answer) => answer());
      await Promise.allSettled(answered);
    },
  };
}

function withPrefix(prefix: Uint8Array, blob: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + blob.length);
  out.set(prefix);
  out.set(blob, prefix.length);
  return out;
}

/** Whether `promise` has settled by now (after the current turn's callbacks). */
export async function settled(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol("pending");
  const result = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise((resolve) => setImmediate(() => resolve(marker))),
  ]);
  return result !== marker;
}

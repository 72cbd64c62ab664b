/**
 * The AES-256-GCM backends: `node:crypto` (always there) and the optional native batch addon
 * (`prisma-vault-native`: one N-API call per batch, key schedule set once). Both take and give the
 * same bytes; a value that does not open is `null` with either, whatever the reason.
 */
import { createCipheriv, createDecipheriv } from "node:crypto";
import { VaultConfigError, VaultKeyProviderError } from "../errors.js";

export const AEAD_KEY_BYTES = 32;
export const AEAD_TAG_BYTES = 16;

/** One value to seal: a fresh IV, the UTF-8 text, the associated data (empty: none). */
export interface SealItem {
  readonly iv: Uint8Array;
  readonly text: string;
  readonly aad: Uint8Array;
}

export interface Sealed {
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

/** One value to open (an envelope's parts) and its associated data (empty: none). */
export interface OpenItem {
  readonly iv: Uint8Array;
  readonly tag: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly aad: Uint8Array;
}

/** Offsets per value in {@link OpenBatch.spans}. */
export const SPAN_WORDS = 6;

/**
 * A batch of values to open, laid out flat (no object per value): value `i`'s parts lie in `bytes` at
 * `spans[6i, 6i + 6)` = IV start and end (the 16-byte tag follows the IV), ciphertext start and end,
 * and its associated data in `aads` from start to end (equal: none).
 */
export interface OpenBatch {
  readonly bytes: Uint8Array;
  readonly aads: Uint8Array;
  readonly spans: Uint32Array;
}

/**
 * An AES-256-GCM backend over a batch of values under one key. `open` and `openBatch` give each
 * value's plaintext, or `null` where the tag does not verify or the plaintext is not UTF-8: never a
 * hint which. `openBatch` is the read path's form; `open` packs its items into one.
 *
 * @example
 * const aead = resolveAead("auto");
 * const [sealed] = aead.seal(key, [{ iv, text: "123-45-6789", aad }]);
 */
export interface AeadBackend {
  readonly name: "node" | "native";
  seal(key: Uint8Array, items: readonly SealItem[]): Sealed[];
  open(key: Uint8Array, items: readonly OpenItem[]): (string | null)[];
  openBatch(key: Uint8Array, batch: OpenBatch): (string | null)[];
}

export const AEAD_CHOICES = ["auto", "native", "node"] as const;
export type AeadChoice = (typeof AEAD_CHOICES)[number];

/**
 * The backend for `vault({ aead })`: `"node"` never loads the addon, `"auto"` uses it when it loads,
 * `"native"` throws a `VaultConfigError` saying how to install it when it does not. The addon is loaded
 * once per process; `load` (for tests) stands for requiring `prisma-vault-native`, and is not memoized.
 *
 * @example const aead = resolveAead("native"); // aead.name === "native"
 */
export function resolveAead(choice: AeadChoice, load?: () => unknown): AeadBackend {
  if (choice === "node") return nodeAead;
  const native = load === undefined ? (loaded ??= loadNative(requireNative)) : loadNative(load);
  if ("backend" in native) return native.backend;
  if (choice === "auto") return nodeAead;
  const other = otherRuntime();
  if (other !== undefined) {
    throw new VaultConfigError(
      `options.aead is "native" but prisma-vault-native runs on Node.js only, and this is ${other}: ` +
        'use aead "auto" (the default) or "node", which use the runtime\'s node:crypto',
    );
  }
  throw new VaultConfigError(
    'options.aead is "native" but the prisma-vault-native package does not load: install it with ' +
      "`npm install prisma-vault-native` (it carries a linux-x64 glibc prebuild); on other platforms build it " +
      'with "npm run build" inside node_modules/prisma-vault-native (a C compiler and Python for node-gyp)',
    { cause: native.error },
  );
}

/** AES-256-GCM through `node:crypto`, a cipher object per value. */
export const nodeAead: AeadBackend = {
  name: "node",
  seal(key, items) {
    checkKey(key);
    return items.map(({ iv, text, aad }) => {
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      if (aad.length > 0) cipher.setAAD(aad);
      const ciphertext = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
      return { ciphertext, tag: cipher.getAuthTag() };
    });
  },
  open(key, items) {
    checkKey(key);
    return items.map(({ iv, tag, ciphertext, aad }) => openOne(key, iv, tag, ciphertext, aad));
  },
  openBatch(key, { bytes, aads, spans }) {
    checkKey(key);
    const out = new Array<string | null>(spans.length / SPAN_WORDS);
    for (let i = 0, s = 0; i < out.length; i++, s += SPAN_WORDS) {
      const ivEnd = spans[s + 1] as number;
      out[i] = openOne(
        key,
        bytes.subarray(spans[s], ivEnd),
        bytes.subarray(ivEnd, ivEnd + AEAD_TAG_BYTES),
        bytes.subarray(spans[s + 2], spans[s + 3]),
        aads.subarray(spans[s + 4], spans[s + 5]),
      );
    }
    return out;
  },
};

function openOne(
  key: Uint8Array,
  iv: Uint8Array,
  tag: Uint8Array,
  ciphertext: Uint8Array,
  aad: Uint8Array,
): string | null {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: AEAD_TAG_BYTES });
    if (aad.length > 0) decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const head = decipher.update(ciphertext);
    // Precondition: the tag verifies (final() throws otherwise) before any plaintext is used.
    const tail = decipher.final();
    return utf8.decode(tail.length === 0 ? head : Buffer.concat([head, tail]));
  } catch {
    return null;
  }
}

/**
 * `items` laid out as one {@link OpenBatch}: each IV and tag, ciphertext and associated data copied end
 * to end. Precondition: 12- or 32-byte IVs and 16-byte tags (else a RangeError, as the addon gives).
 */
export function packOpenItems(items: readonly OpenItem[]): OpenBatch {
  let size = 0;
  let aadSize = 0;
  for (const { iv, tag, ciphertext, aad } of items) {
    if (iv.length !== 12 && iv.length !== 32) throw new RangeError("an IV must be 12 or 32 bytes");
    if (tag.length !== AEAD_TAG_BYTES) throw new RangeError("a tag must be 16 bytes");
    size += iv.length + AEAD_TAG_BYTES + ciphertext.length;
    aadSize += aad.length;
  }
  const bytes = Buffer.allocUnsafe(size);
  const aads = Buffer.allocUnsafe(aadSize);
  const spans = new Uint32Array(items.length * SPAN_WORDS);
  let at = 0;
  let aadAt = 0;
  for (const [i, { iv, tag, ciphertext, aad }] of items.entries()) {
    const s = i * SPAN_WORDS;
    spans[s] = at;
    bytes.set(iv, at);
    spans[s + 1] = at += iv.length;
    bytes.set(tag, at);
    spans[s + 2] = at += AEAD_TAG_BYTES;
    bytes.set(ciphertext, at);
    spans[s + 3] = at += ciphertext.length;
    spans[s + 4] = aadAt;
    aads.set(aad, aadAt);
    spans[s + 5] = aadAt += aad.length;
  }
  return { bytes, aads, spans };
}

/** Plaintexts are strict UTF-8 (not well-formed: the value does not open); a BOM is kept as text. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The addon's two functions (prisma-vault-native's index.d.ts). */
interface NativeBinding {
  seal(key: Uint8Array, ivs: Uint8Array, texts: string[], aads: (Uint8Array | null)[]): Uint8Array[];
  open(key: Uint8Array, bytes: Uint8Array, aads: Uint8Array, spans: Uint32Array): (string | null)[];
}

let loaded: { backend: AeadBackend } | { error: unknown } | undefined;

function requireNative(): unknown {
  const other = otherRuntime();
  // The addon calls the OpenSSL inside Node's binary: elsewhere it could load and then end the process
  // at its first call (Bun: "undefined symbol: EVP_CIPHER_fetch"), so it is not loaded at all.
  if (other !== undefined) throw new Error(`prisma-vault-native runs on Node.js only, not on ${other}`);
  // node:module is looked up here, not imported: the root entry imports no Node built-in but node:crypto.
  const { createRequire } = process.getBuiltinModule("node:module");
  // Resolved from this package's own location, as its dependency (tsup shims import.meta.url in CJS).
  return createRequire(import.meta.url)("prisma-vault-native");
}

/** The runtime's name when it is not Node.js (Bun, Deno and workerd also answer `process.versions.node`). */
export function otherRuntime(): string | undefined {
  const versions = (globalThis.process?.versions ?? {}) as Record<string, string | undefined>;
  if (versions["bun"] !== undefined) return `Bun ${versions["bun"]}`;
  if (versions["deno"] !== undefined || "Deno" in globalThis) return "Deno";
  if (globalThis.navigator?.userAgent === "Cloudflare-Workers") return "Cloudflare Workers";
  if (versions["node"] === undefined || typeof globalThis.process.getBuiltinModule !== "function") {
    return "a runtime without Node.js's process";
  }
  return undefined;
}

function loadNative(load: () => unknown): { backend: AeadBackend } | { error: unknown } {
  try {
    const backend = nativeAead(load() as NativeBinding);
    selfTest(backend);
    return { backend };
  } catch (error) {
    return { error };
  }
}

function nativeAead(binding: NativeBinding): AeadBackend {
  return {
    name: "native",
    seal(key, items) {
      checkKey(key);
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
      checkKey(key);
      const { bytes, aads, spans } = packOpenItems(items);
      return binding.open(key, bytes, aads, spans);
    },
    openBatch(key, { bytes, aads, spans }) {
      checkKey(key);
      return binding.open(key, bytes, aads, spans);
    },
  };
}

/** A binary that loads but computes anything else than node:crypto is not used. */
function selfTest(backend: AeadBackend): void {
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

/** Precondition: a 32-byte data key (the same error with either backend). */
function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== AEAD_KEY_BYTES) {
    throw new VaultKeyProviderError(`a data key must be ${AEAD_KEY_BYTES} bytes`);
  }
}

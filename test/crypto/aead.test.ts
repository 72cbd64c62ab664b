import { createCipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { nodeAead } from "../../src/crypto/node-aead.js";
import { resolveAead } from "../../src/crypto/resolve-aead.js";
import { type AeadBackend } from "../../src/crypto/aead.js";
import { VaultConfigError, VaultKeyProviderError } from "../../src/errors.js";
import { decodeEnvelope } from "../../src/format/envelope.js";
import { KAT } from "./aead-vectors.js";

const key = randomBytes(32);
const aad = Buffer.from("prisma-vault:v1|User.ssn|{}");

/** Encrypts raw bytes (which need not be UTF-8) as the SDK would. */
function sealBytes(plain: Uint8Array, iv: Uint8Array = randomBytes(12), withAad: Uint8Array = aad) {
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  if (withAad.length > 0) cipher.setAAD(withAad);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext, aad: withAad };
}

describe("the node:crypto AEAD backend", () => {
  it("opens the pinned known-answer vector and seals it again to the same bytes", () => {
    const { iv, tag, ciphertext } = decodeEnvelope(KAT.envelope);
    expect(nodeAead.open(KAT.key, [{ iv, tag, ciphertext, aad: KAT.aad }])).toEqual([KAT.plaintext]);
    const [sealed] = nodeAead.seal(KAT.key, [{ iv, text: KAT.plaintext, aad: KAT.aad }]);
    expect(Buffer.from(sealed!.ciphertext)).toEqual(Buffer.from(ciphertext));
    expect(Buffer.from(sealed!.tag)).toEqual(Buffer.from(tag));
  });

  it("seals a batch in order, each value opening with its own IV and associated data", () => {
    const texts = ["", "a", "ünïcødé", "😀 astral", "x".repeat(65_536)];
    const items = texts.map((text, i) => ({ iv: randomBytes(12), text, aad: Buffer.from(`aad ${i}`) }));
    const sealed = nodeAead.seal(key, items);
    const opened = nodeAead.open(
      key,
      sealed.map((s, i) => ({ ...s, iv: items[i]!.iv, aad: items[i]!.aad })),
    );
    expect(opened).toEqual(texts);
  });

  it("a tampered tag, a tampered ciphertext, a wrong AAD or a wrong key opens to null, never a hint which", () => {
    const good = sealBytes(Buffer.from("123-45-6789"));
    const tag = Buffer.from(good.tag);
    tag[0]! ^= 1;
    const ciphertext = Buffer.from(good.ciphertext);
    ciphertext[3]! ^= 0x80;
    const cases = [
      { ...good, tag },
      { ...good, ciphertext },
      { ...good, aad: Buffer.from("prisma-vault:v1|User.email|{}") },
      { ...good, aad: new Uint8Array(0) },
    ];
    expect(nodeAead.open(key, [good, ...cases])).toEqual(["123-45-6789", null, null, null, null]);
    expect(nodeAead.open(randomBytes(32), [good])).toEqual([null]);
  });

  it("a plaintext that is not well-formed UTF-8 does not open; a byte-order mark is kept as text", () => {
    const bad = [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xe2, 0x82]];
    const opened = nodeAead.open(
      key,
      bad.map((bytes) => sealBytes(Uint8Array.from(bytes))),
    );
    expect(opened).toEqual(bad.map(() => null));
    expect(nodeAead.open(key, [sealBytes(Buffer.from("\uFEFFhi", "utf8"))])).toEqual(["\uFEFFhi"]);
  });

  it("empty associated data means none, as in the SDK", () => {
    const raw = sealBytes(Buffer.from("t"), randomBytes(12), new Uint8Array(0));
    const [sealed] = nodeAead.seal(key, [{ iv: raw.iv, text: "t", aad: new Uint8Array(0) }]);
    expect(Buffer.from(sealed!.tag)).toEqual(raw.tag);
    expect(nodeAead.open(key, [raw])).toEqual(["t"]);
  });

  it("opens legacy envelopes' 32-byte IVs", () => {
    const legacy = sealBytes(Buffer.from("old sdk"), randomBytes(32));
    expect(nodeAead.open(key, [legacy])).toEqual(["old sdk"]);
  });

  it("Precondition: a 32-byte data key (VAULT_KEY_PROVIDER otherwise)", () => {
    for (const bad of [randomBytes(31), randomBytes(33), new Uint8Array(0)]) {
      expect(() => nodeAead.seal(bad, [])).toThrow(VaultKeyProviderError);
      expect(() => nodeAead.open(bad, [])).toThrow(VaultKeyProviderError);
    }
  });
});

describe("resolveAead", () => {
  const failing = () => {
    throw Object.assign(new Error("Cannot find module 'prisma-vault-native'"), { code: "MODULE_NOT_FOUND" });
  };

  it('"node" is node:crypto and never loads the addon', () => {
    let calls = 0;
    expect(resolveAead("node", () => ++calls).name).toBe("node");
    expect(calls).toBe(0);
  });

  it('"auto" falls back to node:crypto when the addon does not load', () => {
    expect(resolveAead("auto", failing)).toBe(nodeAead);
  });

  it('"native" that does not load is VAULT_CONFIG saying how to install or build it', () => {
    const error = (() => {
      try {
        resolveAead("native", failing);
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(VaultConfigError);
    expect((error as Error).message).toMatch(/npm install prisma-vault-native/);
    expect((error as Error).message).toMatch(/npm run build/);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it("an addon that loads but seals anything else than node:crypto is not used", () => {
    const wrong = {
      seal: (_k: Uint8Array, _ivs: Uint8Array, texts: string[]) => texts.map(() => Buffer.alloc(30)),
      open: () => [],
    };
    expect(resolveAead("auto", () => wrong)).toBe(nodeAead);
    expect(() => resolveAead("native", () => wrong)).toThrow(VaultConfigError);
  });

  it("an addon of 0.1's signature (open takes an array of items) fails the self-test and is not used", () => {
    const mirror = mirrorOf(nodeAead);
    const old = {
      seal: mirror.seal,
      open: (key: Uint8Array, items: unknown) => {
        if (!Array.isArray(items)) throw new TypeError("items must be an array");
        return items.map(() => null);
      },
    };
    expect(resolveAead("auto", () => old)).toBe(nodeAead);
    expect(() => resolveAead("native", () => old)).toThrow(VaultConfigError);
  });

  it("an addon that loads and computes as node:crypto is the native backend", () => {
    const mirror = mirrorOf(nodeAead);
    expect(resolveAead("native", () => mirror).name).toBe("native");
  });
});

/** A stand-in binding with the addon's shape, computing through node:crypto. */
function mirrorOf(aead: AeadBackend) {
  return {
    seal: (k: Uint8Array, ivs: Uint8Array, texts: string[], aads: (Uint8Array | null)[]) =>
      aead
        .seal(
          k,
          texts.map((text, i) => ({
            iv: ivs.subarray(i * 12, i * 12 + 12),
            text,
            aad: aads[i] ?? new Uint8Array(0),
          })),
        )
        .map(({ ciphertext, tag }) => Buffer.concat([ciphertext, tag])),
    open: (k: Uint8Array, bytes: Uint8Array, aads: Uint8Array, spans: Uint32Array) =>
      aead.openBatch(k, { bytes, aads, spans }),
  };
}

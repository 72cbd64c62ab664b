/**
 * The native AEAD backend (prisma-vault-native) against node:crypto: the pinned known-answer vector,
 * identical bytes and results for the same inputs (property tests), and malformed input fuzzed in this
 * process (a crash would end the run). Skipped when the addon is not built, but a failure under
 * PRISMA_VAULT_REQUIRE_NATIVE=1 (CI builds it first).
 */
import { createCipheriv, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nodeAead } from "../../src/crypto/node-aead.js";
import { resolveAead } from "../../src/crypto/resolve-aead.js";
import { type AeadBackend, type OpenItem } from "../../src/crypto/aead.js";
import { FieldCipher } from "../../src/core/cipher.js";
import { isOpened } from "../../src/core/opened.js";
import { decodeEnvelope, encodeEnvelope } from "../../src/format/envelope.js";
import { DataKeyCache } from "../../src/keys/cache.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { KAT } from "./aead-vectors.js";
import { nativeBackend } from "../support/native.js";

const { backend: native, binding, skip } = nativeBackend();
const none = new Uint8Array(0);

describe.skipIf(skip !== undefined)("the native AEAD backend", () => {
  if (skip !== undefined) console.warn(`skipping the native AEAD backend: ${skip}`);
  const aead = native as AeadBackend;
  const raw = binding as NativeBinding;

  it('is what resolveAead gives for "native" and "auto"', () => {
    expect(aead.name).toBe("native");
    expect(resolveAead("native")).toBe(aead);
    expect(resolveAead("auto")).toBe(aead);
  });

  it("opens the pinned known-answer vector and seals it again to the same bytes", () => {
    const { iv, tag, ciphertext } = decodeEnvelope(KAT.envelope);
    expect(aead.open(KAT.key, [{ iv, tag, ciphertext, aad: KAT.aad }])).toEqual([KAT.plaintext]);
    const [sealed] = aead.seal(KAT.key, [{ iv, text: KAT.plaintext, aad: KAT.aad }]);
    expect(Buffer.from(sealed!.ciphertext)).toEqual(Buffer.from(ciphertext));
    expect(Buffer.from(sealed!.tag)).toEqual(Buffer.from(tag));
  });

  describe("gives the bytes and results of node:crypto", () => {
    it("seals any text under any key, IV and AAD to the same bytes, and opens them alike", () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.array(sealItem, { maxLength: 12 }),
          (k, items) => {
            const ours = aead.seal(k, items);
            const theirs = nodeAead.seal(k, items);
            expect(ours.map(hex)).toEqual(theirs.map(hex));
            const sealed = theirs.map((s, i) => ({ ...s, iv: items[i]!.iv, aad: items[i]!.aad }));
            expect(aead.open(k, sealed)).toEqual(nodeAead.open(k, sealed));
          },
        ),
        { numRuns: 300 },
      );
    });

    it("empty strings, non-ASCII, astral characters, lone surrogates and 64 KiB values", () => {
      const key = randomBytes(32);
      const texts = [
        "",
        "ascii",
        "ünïcødé ✓",
        "😀𝄞 astral",
        "\uD800 lone \uDFFF",
        "\uFEFFbom",
        "\0nul\0",
        "x".repeat(65_536),
        "é".repeat(32_768),
        "😀".repeat(16_384),
      ];
      const items = texts.map((text) => ({ iv: randomBytes(12), text, aad: randomBytes(40) }));
      const ours = aead.seal(key, items);
      expect(ours.map(hex)).toEqual(nodeAead.seal(key, items).map(hex));
      const opened = aead.open(
        key,
        ours.map((s, i) => ({ ...s, iv: items[i]!.iv, aad: items[i]!.aad })),
      );
      expect(opened).toEqual(
        nodeAead.open(
          key,
          ours.map((s, i) => ({ ...s, iv: items[i]!.iv, aad: items[i]!.aad })),
        ),
      );
      expect(opened.slice(0, 4)).toEqual(texts.slice(0, 4));
    });

    it("a tampered tag, a tampered ciphertext, a wrong AAD or a wrong key is null with both", () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          sealItem,
          fc.constantFrom("tag", "ciphertext", "aad", "key", "iv"),
          fc.nat(),
          (k, item, what, where) => {
            const [sealed] = nodeAead.seal(k, [item]);
            const open: OpenItem = { ...sealed!, iv: item.iv, aad: item.aad };
            const bad = tamper(open, what, where);
            const key = what === "key" ? flipped(k, where) : k;
            if (what === "ciphertext" && open.ciphertext.length === 0) return;
            expect(aead.open(key, [bad])).toEqual([null]);
            expect(nodeAead.open(key, [bad])).toEqual([null]);
          },
        ),
        { numRuns: 300 },
      );
    });

    it("any decrypted bytes: well-formed UTF-8 is the same string, anything else null, with both", () => {
      const key = randomBytes(32);
      const special = [
        [0xef, 0xbb, 0xbf, 0x41], // BOM
        [0xc0, 0xaf], // overlong
        [0xe0, 0x80, 0xaf],
        [0xf0, 0x80, 0x80, 0xaf],
        [0xed, 0xa0, 0x80], // surrogate
        [0xed, 0x9f, 0xbf], // U+D7FF
        [0xf4, 0x8f, 0xbf, 0xbf], // U+10FFFF
        [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
        [0xf5, 0x80, 0x80, 0x80],
        [0x80],
        [0xe2, 0x82], // truncated
        [0xc2],
        [0xff],
        [0xe2, 0x82, 0xac], // €
      ];
      const items = (bytes: number[][]) =>
        bytes.map((b) => sealRaw(key, Uint8Array.from(b), randomBytes(12)));
      expect(aead.open(key, items(special))).toEqual(nodeAead.open(key, items(special)));
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 8 }), (values) => {
          const sealed = items(values.map((v) => [...v]));
          expect(aead.open(key, sealed)).toEqual(nodeAead.open(key, sealed));
        }),
        { numRuns: 500 },
      );
    });

    it("legacy 32-byte IVs, mixed with 12-byte ones in one batch", () => {
      const key = randomBytes(32);
      const items = ["a", "bb", "ccc", "dddd", "é"].map((text, i) =>
        sealRaw(key, Buffer.from(text, "utf8"), randomBytes(i % 2 === 0 ? 32 : 12), randomBytes(8)),
      );
      expect(aead.open(key, items)).toEqual(["a", "bb", "ccc", "dddd", "é"]);
      expect(nodeAead.open(key, items)).toEqual(["a", "bb", "ccc", "dddd", "é"]);
    });

    it("a FieldCipher on either backend gives the same plaintexts and the same errors (class, code, message)", async () => {
      const provider = new LocalKeyProvider({ keys: [{ id: "k1", key: randomBytes(32) }] });
      const ref = (id: number, org = "o1") => ({ model: "User", field: "ssn", context: { org }, id });
      const writer = new FieldCipher(new DataKeyCache(provider), aead);
      const sealed = await writer.sealAll([0, 1, 2, 3].map((i) => ({ text: `v${i} ✓`, ref: ref(i) })));
      const tampered = decodeEnvelope(sealed[2]!);
      const tag = Uint8Array.from(tampered.tag);
      tag[0]! ^= 1;
      const batch = [
        { text: sealed[0]!, ref: ref(0) },
        { text: sealed[1]!, ref: ref(1, "o2") }, // another tenant's AAD
        { text: encodeEnvelope({ ...tampered, tag }), ref: ref(2) },
        { text: sealed[3]!, ref: ref(3) },
        { text: "not an envelope", ref: ref(4) },
      ];
      const outcome = async (backend: AeadBackend) => {
        const cipher = new FieldCipher(new DataKeyCache(provider), backend);
        const opened = cipher.openAll(batch);
        await opened.ready;
        return opened.opened.map((o) => (isOpened(o) ? o : describeError(o?.error)));
      };
      const ours = await outcome(aead);
      expect(ours).toEqual(await outcome(nodeAead));
      expect(ours[0]).toBe("v0 ✓");
      expect(ours[3]).toBe("v3 ✓");
      expect(ours[2]).toMatchObject({ code: "VAULT_DECRYPT_FAILED" });
    });
  });

  describe("malformed input throws a TypeError or RangeError, never crashes", () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    // One value: IV [0, 12), tag [12, 28), ciphertext [28, 33); no associated data.
    const bytes = randomBytes(33);
    const none8 = new Uint8Array(0);
    const span = (...offsets: number[]) => Uint32Array.from(offsets);
    const good = span(0, 12, 28, 33, 0, 0);

    it.each([
      ["a 31-byte key", () => raw.seal(randomBytes(31), iv, ["x"], [null]), RangeError],
      ["a 33-byte key", () => raw.open(randomBytes(33), bytes, none8, good), RangeError],
      ["an empty key", () => raw.open(new Uint8Array(0), bytes, none8, span()), RangeError],
      ["a key that is a string", () => raw.seal("k".repeat(32), iv, ["x"], [null]), TypeError],
      ["a key that is a Uint16Array", () => raw.open(new Uint16Array(16), bytes, none8, span()), TypeError],
      ["a key that is an ArrayBuffer", () => raw.open(new ArrayBuffer(32), bytes, none8, span()), TypeError],
      ["no arguments", () => raw.seal(), TypeError],
      ["no arguments to open", () => raw.open(), TypeError],
      ["ivs of 11 bytes", () => raw.seal(key, randomBytes(11), ["x"], [null]), RangeError],
      ["ivs for two texts of one", () => raw.seal(key, randomBytes(24), ["x"], [null]), RangeError],
      ["ivs that are an array", () => raw.seal(key, [...iv], ["x"], [null]), TypeError],
      ["texts that are not an array", () => raw.seal(key, iv, "x", [null]), TypeError],
      ["a text that is a number", () => raw.seal(key, iv, [42], [null]), TypeError],
      ["a text that is a Buffer", () => raw.seal(key, iv, [Buffer.from("x")], [null]), TypeError],
      ["more aads than texts", () => raw.seal(key, iv, ["x"], [null, null]), RangeError],
      ["an aad that is a string", () => raw.seal(key, iv, ["x"], ["aad"]), TypeError],
      ["bytes that are an array", () => raw.open(key, [...bytes], none8, good), TypeError],
      ["aads that are null", () => raw.open(key, bytes, null, good), TypeError],
      ["spans that are an array", () => raw.open(key, bytes, none8, [0, 12, 28, 33, 0, 0]), TypeError],
      ["spans that are an Int32Array", () => raw.open(key, bytes, none8, Int32Array.from(good)), TypeError],
      ["spans of 5 offsets", () => raw.open(key, bytes, none8, span(0, 12, 28, 33, 0)), RangeError],
      ["an 11-byte IV", () => raw.open(key, bytes, none8, span(0, 11, 28, 33, 0, 0)), RangeError],
      ["a 13-byte IV", () => raw.open(key, bytes, none8, span(0, 13, 29, 33, 0, 0)), RangeError],
      ["a 31-byte IV", () => raw.open(key, randomBytes(60), none8, span(0, 31, 47, 50, 0, 0)), RangeError],
      ["an empty IV", () => raw.open(key, bytes, none8, span(0, 0, 16, 33, 0, 0)), RangeError],
      [
        "an IV that ends before it starts",
        () => raw.open(key, bytes, none8, span(12, 0, 28, 33, 0, 0)),
        RangeError,
      ],
      [
        "a tag cut short by the ciphertext",
        () => raw.open(key, bytes, none8, span(0, 12, 27, 33, 0, 0)),
        RangeError,
      ],
      ["a ciphertext past the end", () => raw.open(key, bytes, none8, span(0, 12, 28, 34, 0, 0)), RangeError],
      [
        "a ciphertext that ends before it starts",
        () => raw.open(key, bytes, none8, span(0, 12, 30, 29, 0, 0)),
        RangeError,
      ],
      ["an IV past the end", () => raw.open(key, bytes, none8, span(30, 42, 58, 58, 0, 0)), RangeError],
      [
        "offsets near 2^32",
        () => raw.open(key, bytes, none8, span(0xfffffff0, 0xfffffffc, 0xffffffff, 0xffffffff, 0, 0)),
        RangeError,
      ],
      [
        "an aad past the end",
        () => raw.open(key, bytes, Uint8Array.of(1), span(0, 12, 28, 33, 0, 2)),
        RangeError,
      ],
      [
        "an aad that ends before it starts",
        () => raw.open(key, bytes, Uint8Array.of(1, 2), span(0, 12, 28, 33, 2, 1)),
        RangeError,
      ],
      [
        "one bad span among good ones",
        () => raw.open(key, bytes, none8, span(0, 12, 28, 33, 0, 0, 0, 12, 28, 40, 0, 0)),
        RangeError,
      ],
    ])("%s", (_what, call, kind) => {
      expect(call).toThrow(kind);
    });

    it("empty batches are empty results", () => {
      expect(raw.seal(key, new Uint8Array(0), [], [])).toEqual([]);
      expect(raw.open(key, none8, none8, span())).toEqual([]);
      expect(aead.seal(key, [])).toEqual([]);
      expect(aead.open(key, [])).toEqual([]);
    });

    it("any arguments at all: a result or a TypeError/RangeError", () => {
      const byteArgs = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(key, iv, bytes));
      const value = fc.oneof(byteArgs, fc.anything(), fc.constant(null));
      const spans = fc.oneof(
        fc
          .array(fc.oneof(fc.nat(64), fc.constant(0xffffffff)), { maxLength: 18 })
          .map((a) => Uint32Array.from(a)),
        value,
      );
      fc.assert(
        fc.property(
          value,
          fc.oneof(byteArgs, value),
          fc.array(value, { maxLength: 4 }),
          fc.array(value, { maxLength: 4 }),
          fc.oneof(byteArgs, value),
          spans,
          (k, ivs, texts, aads, aadBytes, offsets) => {
            const calls = [
              () => raw.seal(k, ivs, texts, aads),
              () => raw.open(k, ivs, aadBytes, offsets),
              () => raw.open(key, bytes, aadBytes, offsets),
            ];
            for (const call of calls) {
              try {
                expect(Array.isArray(call())).toBe(true);
              } catch (error) {
                expect(error instanceof TypeError || error instanceof RangeError).toBe(true);
              }
            }
          },
        ),
        { numRuns: 2_000 },
      );
    });

    it("spans anywhere inside the buffers open to a string or null, as node:crypto's do", () => {
      const buffer = randomBytes(80);
      const aadBuffer = randomBytes(8);
      const inside = fc
        .tuple(fc.nat(40), fc.constantFrom(12, 32), fc.nat(20), fc.nat(20), fc.nat(8), fc.nat(8))
        .map(([start, ivLength, gap, length, a, b]) => {
          const ivEnd = start + ivLength;
          const ctStart = Math.min(ivEnd + 16 + gap, 80);
          return span(start, ivEnd, ctStart, Math.min(ctStart + length, 80), Math.min(a, b), Math.max(a, b));
        })
        .filter((s) => (s[1] as number) + 16 <= (s[2] as number));
      fc.assert(
        fc.property(inside, (s) => {
          const batch = { bytes: buffer, aads: aadBuffer, spans: s };
          expect(aead.openBatch(key, batch)).toEqual(nodeAead.openBatch(key, batch));
        }),
        { numRuns: 500 },
      );
    });

    it("a getter that detaches a buffer mid-call cannot make the addon read freed memory", () => {
      const ivs = new Uint8Array(24);
      const texts = ["a", "b"];
      Object.defineProperty(texts, 1, {
        get() {
          structuredClone(ivs.buffer, { transfer: [ivs.buffer] });
          return "b";
        },
      });
      expect(() => raw.seal(key, ivs, texts, [null, null])).toThrow(RangeError);
      // The key, too: its bytes are taken again after the getters ran.
      const ownKey = new Uint8Array(randomBytes(32));
      const keyTexts = ["a", "b"];
      Object.defineProperty(keyTexts, 1, {
        get() {
          structuredClone(ownKey.buffer, { transfer: [ownKey.buffer] });
          return "b";
        },
      });
      expect(() => raw.seal(ownKey, new Uint8Array(24), keyTexts, [null, null])).toThrow(
        /the key must be 32 bytes/,
      );
    });

    it("a setter on Array.prototype that detaches the results' buffer runs after seal's last write into it", () => {
      const detach = {
        configurable: true,
        set(view: unknown) {
          // Node 22's structuredClone fills arrays of its own through this setter too: only the addon's
          // first result is ours to detach, and the setter is gone before structuredClone runs.
          if (!(view instanceof Uint8Array)) return;
          delete (Array.prototype as unknown as Record<number, unknown>)[0];
          structuredClone(view.buffer, { transfer: [view.buffer as ArrayBuffer] });
        },
      };
      Object.defineProperty(Array.prototype, 0, detach);
      let sealed: unknown;
      try {
        sealed = raw.seal(key, randomBytes(36), ["a", "bb", "ccc"], [null, null, null]);
      } finally {
        delete (Array.prototype as unknown as Record<number, unknown>)[0];
      }
      expect(Array.isArray(sealed)).toBe(true);
      const [, second] = sealed as Uint8Array[];
      expect(second?.length ?? 0).toBe(0); // the views share the buffer the setter detached
    });

    it("16 MiB values seal and open, and match node:crypto", () => {
      const big = "v".repeat(16 * 1024 * 1024);
      const item = { iv: randomBytes(12), text: big, aad: none };
      const [ours] = aead.seal(key, [item]);
      const [theirs] = nodeAead.seal(key, [item]);
      expect(Buffer.compare(Buffer.from(ours!.tag), Buffer.from(theirs!.tag))).toBe(0);
      expect(aead.open(key, [{ ...ours!, iv: item.iv, aad: none }])).toEqual([big]);
    });
  });
});

/** The addon called directly, as the fuzzing does: every argument typed as anything. */
interface NativeBinding {
  seal(...args: unknown[]): unknown;
  open(...args: unknown[]): unknown;
}

const sealItem = fc.record({
  iv: fc.uint8Array({ minLength: 12, maxLength: 12 }),
  text: fc.oneof(
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.string({
      unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
      maxLength: 3,
    }),
    fc.constant(""),
  ),
  aad: fc.uint8Array({ maxLength: 64 }),
});

function hex({ ciphertext, tag }: { ciphertext: Uint8Array; tag: Uint8Array }): string {
  return `${Buffer.from(ciphertext).toString("hex")}|${Buffer.from(tag).toString("hex")}`;
}

function flipped(bytes: Uint8Array, where: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[where % copy.length]! ^= 1 << (where % 8);
  return copy;
}

function tamper(item: OpenItem, what: string, where: number): OpenItem {
  switch (what) {
    case "tag":
      return { ...item, tag: flipped(item.tag, where) };
    case "ciphertext":
      return item.ciphertext.length === 0 ? item : { ...item, ciphertext: flipped(item.ciphertext, where) };
    case "aad":
      return { ...item, aad: item.aad.length === 0 ? Uint8Array.of(where % 256) : flipped(item.aad, where) };
    case "iv":
      return { ...item, iv: flipped(item.iv, where) };
    default:
      return item;
  }
}

/** Raw bytes (not necessarily UTF-8) sealed through node:crypto, with any IV length. */
function sealRaw(key: Uint8Array, plain: Uint8Array, iv: Uint8Array, aad: Uint8Array = none): OpenItem {
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  if (aad.length > 0) cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext, aad };
}

function describeError(error: unknown) {
  const e = error as Error & { code?: unknown; model?: unknown; field?: unknown; id?: unknown };
  return {
    class: e.constructor.name,
    code: e.code,
    message: e.message,
    model: e.model,
    field: e.field,
    id: e.id,
  };
}

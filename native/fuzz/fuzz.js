"use strict";
/**
 * Malformed-input fuzzing of prisma-vault-native: keys of any size and type, IVs, texts and AADs of any
 * shape, spans of random or near-2^32 offsets, one bad offset among good ones, inputs over
 * SharedArrayBuffers or detached buffers, and batch counts up to 2^32 - 1. Every call must give an array
 * or throw a TypeError or RangeError; values sealed by node:crypto, given their true spans, must open to
 * their text. A seeded generator makes every run the same.
 *
 * Run in-process by test/crypto/aead-native-hardening.test.ts, and under AddressSanitizer by
 * fuzz/asan.sh, which gives the .node it built:
 *
 *   node fuzz/fuzz.js <path of prisma-vault-native or its .node> [iterations] [seed]
 */
const { createCipheriv } = require("node:crypto");
const { Buffer } = require("node:buffer");

/**
 * Runs `iterations` random cases against `binding` ({ seal, open }); throws on the first call that
 * neither gives an array nor refuses with a TypeError/RangeError, or opens a true span wrongly.
 *
 * @example fuzz(require("prisma-vault-native"), { iterations: 500, seed: 7 }); // { results, refusals }
 */
function fuzz(binding, { iterations = 1000, seed = 1 } = {}) {
  const random = generator(seed);
  const tally = { results: 0, refusals: 0 };
  for (let n = 0; n < iterations; n++) {
    const [name, makeCase] = CASES[Math.floor(random() * CASES.length)];
    const call = makeCase(random, binding);
    let result;
    try {
      result = call();
    } catch (error) {
      if (!(error instanceof TypeError || error instanceof RangeError))
        throw new Error(`fuzz (seed ${seed}, case ${n}, ${name}): ${String(error)}`, { cause: error });
      tally.refusals++;
      continue;
    }
    if (!Array.isArray(result)) throw new Error(`fuzz (seed ${seed}, case ${n}, ${name}): not an array`);
    tally.results++;
  }
  return tally;
}

const CASES = [
  ["seal, any arguments", (r, b) => () => b.seal(anyKey(r), anyBytes(r, 40), anyTexts(r), anyAads(r))],
  ["seal, right shapes, wrong lengths", (r, b) => () => sealShaped(r, b)],
  ["open, any spans", (r, b) => () => b.open(anyKey(r), anyBytes(r, 120), anyBytes(r, 16), anySpans(r, 120))],
  ["open, true spans, one offset changed", (r, b) => () => openMutated(r, b)],
  ["huge counts", (r, b) => () => hugeCount(r, b)],
];

/** Offsets that have broken bounds checks: edges of the buffers and sums that wrap in 32 bits. */
function edgeWord(random, length) {
  const edges = [0, 1, 11, 12, 16, 28, 32, 44, 48, length - 1, length, length + 1, 0x7fffffff, 0x80000000];
  const wrapping = [
    0xffffffff,
    0xfffffffe,
    0xfffffff0,
    0xfffffff4,
    0xffffffe4,
    0xffffffec,
    0x100000000 - length,
  ];
  const pool = random() < 0.5 ? edges : wrapping;
  return random() < 0.2 ? Math.floor(random() * 0x100000000) : pool[Math.floor(random() * pool.length)] >>> 0;
}

function anySpans(random, length) {
  if (random() < 0.05) return [0, 12, 28, 33, 0, 0]; // an array, not a Uint32Array
  const words = random() < 0.7 ? 6 * Math.floor(random() * 6) : Math.floor(random() * 40);
  const spans = shared(random, Uint32Array, words);
  for (let i = 0; i < words; i++) spans[i] = edgeWord(random, length);
  return spans;
}

function anyKey(random) {
  const roll = random();
  if (roll < 0.1)
    return pick(random, ["k".repeat(32), null, undefined, 32, new Uint16Array(16), new ArrayBuffer(32)]);
  if (roll < 0.2) return detached(new Uint8Array(32));
  return anyBytes(random, random() < 0.5 ? 32 : 64, random() < 0.5 ? 32 : undefined);
}

/**
 * A Uint8Array, sometimes over a SharedArrayBuffer, sometimes a view starting 8 bytes into one; it always
 * ends where its buffer ends, so that under ASan a read one byte past it hits a redzone.
 */
function anyBytes(random, max, length = Math.floor(random() * (max + 1))) {
  if (random() < 0.05) return pick(random, [null, "bytes", [1, 2, 3], new Int8Array(length)]);
  const start = random() < 0.5 ? 0 : 8;
  const view = shared(random, Uint8Array, start + length).subarray(start);
  for (let i = 0; i < view.length; i++) view[i] = Math.floor(random() * 256);
  return view;
}

/** `bytes` copied into a buffer of its own, as long as it is (Buffer.concat's may be a slice of a pool). */
function exact(random, bytes) {
  const copy = shared(random, Uint8Array, bytes.length);
  copy.set(bytes);
  return copy;
}

function anyTexts(random) {
  if (random() < 0.05) return pick(random, ["text", null, {}]);
  return Array.from({ length: Math.floor(random() * 4) }, () =>
    pick(random, ["", "x", "é✓", "\ud800", 42, null, Buffer.from("x"), "v".repeat(300)]),
  );
}

function anyAads(random) {
  if (random() < 0.05) return pick(random, ["aad", null, new Uint8Array(2)]);
  return Array.from({ length: Math.floor(random() * 4) }, () =>
    pick(random, [null, undefined, anyBytes(random, 20), "aad", 7, detached(new Uint8Array(4))]),
  );
}

/** Well-typed seal arguments whose counts and lengths often disagree. */
function sealShaped(random, binding) {
  const count = Math.floor(random() * 5);
  const texts = Array.from({ length: count }, (_, i) => `text ${i}`.repeat(Math.floor(random() * 3)));
  const aadCount = random() < 0.8 ? count : Math.floor(random() * 5);
  const aads = Array.from({ length: aadCount }, () => (random() < 0.5 ? null : anyBytes(random, 24)));
  const ivLength = random() < 0.7 ? 12 * count : Math.floor(random() * 64);
  const key = random() < 0.8 ? anyBytes(random, 0, 32) : anyKey(random);
  const sealed = binding.seal(key, anyBytes(random, 0, ivLength), texts, aads);
  if (sealed.length !== count) throw new Error("seal did not give one result per text");
  return sealed;
}

/** A batch sealed by node:crypto, its true spans opened (each must give its text), then one word changed. */
function openMutated(random, binding) {
  const key = Buffer.alloc(32, Math.floor(random() * 256));
  const count = 1 + Math.floor(random() * 4);
  const texts = Array.from({ length: count }, (_, i) => `value ${i} ✓`.slice(0, Math.floor(random() * 12)));
  const parts = [];
  const aadParts = [];
  const spans = shared(random, Uint32Array, 6 * count);
  let at = 0;
  let aadAt = 0;
  texts.forEach((text, i) => {
    const iv = Buffer.alloc(random() < 0.8 ? 12 : 32, i + 1);
    const aad = Buffer.alloc(Math.floor(random() * 6), i);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    if (aad.length > 0) cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
    spans.set(
      [
        at,
        at + iv.length,
        at + iv.length + 16,
        at + iv.length + 16 + ciphertext.length,
        aadAt,
        aadAt + aad.length,
      ],
      6 * i,
    );
    parts.push(iv, cipher.getAuthTag(), ciphertext);
    aadParts.push(aad);
    at += iv.length + 16 + ciphertext.length;
    aadAt += aad.length;
  });
  const bytes = exact(random, Buffer.concat(parts));
  const aads = exact(random, Buffer.concat(aadParts));
  const opened = binding.open(key, bytes, aads, spans);
  if (JSON.stringify(opened) !== JSON.stringify(texts))
    throw new Error("true spans did not open to their texts");
  spans[Math.floor(random() * spans.length)] = edgeWord(random, random() < 0.5 ? bytes.length : aads.length);
  const texts2 = binding.open(key, bytes, aads, spans);
  if (!texts2.every((t, i) => t === null || t === texts[i]))
    throw new Error("a changed span opened to another text");
  return texts2;
}

/** Counts no batch can have: refused before anything is allocated for them. */
function hugeCount(random, binding) {
  const key = new Uint8Array(32);
  switch (Math.floor(random() * 4)) {
    case 0: // 2^32 - 1 texts and AADs (sparse), IVs for one
      return binding.seal(key, new Uint8Array(12), new Array(0xffffffff), new Array(0xffffffff));
    case 1: // IVs for 2^32 - 1 texts would wrap 12 * count in 32 bits to 2^32 - 12
      return binding.seal(key, new Uint8Array(12), new Array(0xffffffff), new Array(1));
    case 2: {
      // 20 000 true spans of one value, the last one bad: refused before any is opened
      const spans = new Uint32Array(120_000);
      for (let i = 0; i < spans.length; i += 6) spans.set([0, 12, 28, 28, 0, 0], i);
      spans[spans.length - 3] = 0xffffffff;
      return binding.open(key, new Uint8Array(28), new Uint8Array(0), spans);
    }
    default:
      return binding.open(key, new Uint8Array(28), new Uint8Array(0), new Uint32Array(6).fill(0xffffffff));
  }
}

/** A typed array of `length` elements, over a SharedArrayBuffer one time in three. */
function shared(random, Type, length) {
  if (random() < 1 / 3) return new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT));
  return new Type(length);
}

function detached(view) {
  view.buffer.transfer(); // leaves the original detached
  return view;
}

function pick(random, values) {
  return values[Math.floor(random() * values.length)];
}

/** mulberry32: a small seeded generator of floats in [0, 1). */
function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

module.exports = { fuzz };

if (require.main === module) {
  const [addon, iterations = "20000", seed = "1"] = process.argv.slice(2);
  const started = process.hrtime.bigint();
  const tally = fuzz(require(addon), { iterations: Number(iterations), seed: Number(seed) });
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  console.log(JSON.stringify({ iterations: Number(iterations), seed: Number(seed), ...tally, ms }));
}

"use strict";
/**
 * open() while another thread rewrites its spans: `spans` is a Uint32Array over a SharedArrayBuffer that a
 * worker flips, in a tight loop, between good offsets and offsets 4 GiB past the bytes. Each call must give
 * every value's text (or null) or refuse the spans with a RangeError; reading offsets again after checking
 * them reads out of bounds. Exits 0 and prints the tally, exits non-zero on anything else.
 *
 *   node fuzz/shared-spans.js <path of prisma-vault-native or its .node> [calls]
 */
const { createCipheriv } = require("node:crypto");
const { Buffer } = require("node:buffer");
const { Worker } = require("node:worker_threads");

const binding = require(process.argv[2]);
const calls = Number(process.argv[3] ?? 3000);
const VALUES = 512;

const key = Buffer.alloc(32, 7);
const iv = Buffer.alloc(12, 1);
const cipher = createCipheriv("aes-256-gcm", key, iv);
const ciphertext = Buffer.concat([cipher.update("secret", "utf8"), cipher.final()]);
const bytes = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
const good = [0, 12, 28, 28 + ciphertext.length, 0, 0];
const spans = new Uint32Array(new SharedArrayBuffer(VALUES * 6 * 4));
for (let i = 0; i < VALUES; i++) spans.set(good, i * 6);
// control[0]: stop; control[1]: the worker is writing.
const control = new Int32Array(new SharedArrayBuffer(8));

const worker = new Worker(
  `const { workerData: { spans, control, good } } = require("node:worker_threads");
   const bad = [0xffffff00, 0xffffff0c, 0xffffff1c, 0xffffff24, 0, 0];
   Atomics.store(control, 1, 1);
   Atomics.notify(control, 1);
   for (let n = 0; Atomics.load(control, 0) === 0; n++) {
     const s = n & 1 ? bad : good;
     for (let i = 0; i < spans.length; i++) spans[i] = s[i % 6];
   }`,
  { eval: true, workerData: { spans, control, good } },
);
Atomics.wait(control, 1, 0);

const tally = { opened: 0, refused: 0 };
for (let n = 0; n < calls; n++) {
  let texts;
  try {
    texts = binding.open(key, bytes, new Uint8Array(0), spans);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    tally.refused++;
    continue;
  }
  if (texts.length !== VALUES || !texts.every((t) => t === "secret" || t === null))
    throw new Error(`open gave something else than the text or null: ${JSON.stringify(texts.slice(0, 4))}`);
  tally.opened++;
}
Atomics.store(control, 0, 1);
void worker.terminate().then(() => console.log(JSON.stringify(tally)));

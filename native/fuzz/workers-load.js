"use strict";
/**
 * prisma-vault-native loaded by 8 worker threads at the same instant (a barrier releases them together),
 * each sealing and opening a batch and comparing the bytes with node:crypto; then all are terminated,
 * which unloads the addon's per-thread state, and the next round starts. Exits 0 and prints the rounds
 * when every worker agreed, non-zero otherwise.
 *
 *   node fuzz/workers-load.js <path of prisma-vault-native or its .node> [rounds]
 */
const { Worker } = require("node:worker_threads");

const addon = process.argv[2];
const rounds = Number(process.argv[3] ?? 5);
const THREADS = 8;

const source = `
const { createCipheriv, randomBytes } = require("node:crypto");
const { workerData: { addon, gate, threads }, parentPort } = require("node:worker_threads");
Atomics.add(gate, 0, 1);
while (Atomics.load(gate, 0) < threads) Atomics.wait(gate, 0, Atomics.load(gate, 0), 5);
const { seal, open } = require(addon);
const key = randomBytes(32);
const texts = Array.from({ length: 64 }, (_, i) => "value " + i + " ✓");
const ivs = randomBytes(12 * texts.length);
const aads = texts.map((_, i) => (i % 2 ? Buffer.from("row " + i) : null));
const sealed = seal(key, ivs, texts, aads);
const parts = [], aadParts = [], spans = new Uint32Array(6 * texts.length);
let at = 0, aadAt = 0;
sealed.forEach((s, i) => {
  const iv = ivs.subarray(12 * i, 12 * i + 12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  if (aads[i]) c.setAAD(aads[i]);
  const theirs = Buffer.concat([c.update(texts[i], "utf8"), c.final(), c.getAuthTag()]);
  if (Buffer.compare(theirs, Buffer.from(s)) !== 0) throw new Error("sealed differently from node:crypto");
  const ct = s.subarray(0, s.length - 16), tag = s.subarray(s.length - 16);
  const aad = aads[i] ?? new Uint8Array(0);
  spans.set([at, at + 12, at + 28, at + 28 + ct.length, aadAt, aadAt + aad.length], 6 * i);
  parts.push(iv, tag, ct);
  aadParts.push(aad);
  at += 28 + ct.length;
  aadAt += aad.length;
});
const opened = open(key, Buffer.concat(parts), Buffer.concat(aadParts), spans);
if (JSON.stringify(opened) !== JSON.stringify(texts)) throw new Error("opened differently");
parentPort.postMessage("ok");
`;

async function round() {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const done = Array.from({ length: THREADS }, () => {
    const worker = new Worker(source, { eval: true, workerData: { addon, gate, threads: THREADS } });
    return new Promise((resolve, reject) => {
      worker.once("message", () => resolve(worker.terminate()));
      worker.once("error", reject);
    });
  });
  await Promise.all(done);
}

async function main() {
  for (let r = 0; r < rounds; r++) await round();
  console.log(JSON.stringify({ rounds, threads: THREADS }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

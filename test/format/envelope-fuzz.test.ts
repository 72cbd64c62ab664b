/**
 * Fuzzing the envelope decoder and the blob-format check in front of every provider call: whatever the
 * stored text, they return parts that lie inside the input or throw a VaultError, and never hang.
 * 50,000 inputs by default (CI); PRISMA_VAULT_FUZZ_RUNS=1000000 for a long run.
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeOwnedEnvelope } from "../../src/format/blob-format.js";
import { decodeEnvelope } from "../../src/format/envelope.js";
import { sealEnvelope } from "../../src/crypto/seal-envelope.js";
import { WORKOS_KEY_BLOB_MAGIC } from "../../src/format/workos-blob.js";
import { isVaultError } from "../../src/errors.js";
import { LocalKeyProvider } from "../../src/keys/local.js";

const RUNS = Number(process.env["PRISMA_VAULT_FUZZ_RUNS"] ?? 50_000);
const local = new LocalKeyProvider({ keys: [{ id: "k1", key: randomBytes(32) }] });
const workosLike = { name: "workos", recognizes: (blob: Uint8Array) => blob[0] === WORKOS_KEY_BLOB_MAGIC[0] };

/** Real envelopes to mutate: a local-ring one and a WorkOS-format one, short and long. */
const seeds = await Promise.all(
  ["", "123-45-6789", "x".repeat(300)].map(async (text) => {
    const dataKey = await local.createDataKey({ organizationId: "org_1" });
    return Buffer.from(sealEnvelope(dataKey.key, dataKey.encryptedKeys, text, "aad"), "base64");
  }),
);
seeds.push(
  Buffer.concat([
    Buffer.alloc(28),
    Buffer.from([WORKOS_KEY_BLOB_MAGIC.length + 4]),
    WORKOS_KEY_BLOB_MAGIC,
    Buffer.alloc(8),
  ]),
);

/** Base64 of a seed with bytes changed, cut, extended or its length prefix rewritten. */
const mutated = fc
  .record({
    seed: fc.constantFrom(...seeds),
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
    tail: fc.uint8Array({ maxLength: 16 }),
    length: fc.option(fc.uint8Array({ minLength: 1, maxLength: 6 }), { nil: undefined }),
  })
  .map(({ seed, flips, cut, tail, length }) => {
    let bytes = Buffer.from(seed);
    for (const [at, xor] of flips) {
      const i = at % bytes.length;
      bytes[i] = (bytes[i] as number) ^ xor;
    }
    if (cut !== undefined) bytes = bytes.subarray(0, cut % (bytes.length + 1));
    if (length !== undefined && bytes.length > 28)
      bytes = Buffer.concat([bytes.subarray(0, 28), length, bytes.subarray(29)]);
    return Buffer.concat([bytes, tail]).toString("base64");
  });

const CODES = new Set(["VAULT_ENVELOPE_INVALID", "VAULT_KEY_UNAVAILABLE"]);
const DECODERS = [
  (text: string) => decodeEnvelope(text),
  (text: string) => decodeOwnedEnvelope(text, local),
  (text: string) => decodeOwnedEnvelope(text, workosLike),
];

const input = fc.oneof(
  { weight: 4, arbitrary: mutated },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString("base64")) },
  { weight: 1, arbitrary: fc.string({ maxLength: 400 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(..."AQgw+/=09azAZ"), maxLength: 400 }) },
);

describe(`envelope decoding under fuzzing (${RUNS.toLocaleString("en")} inputs)`, () => {
  it("returns parts inside the input or throws VAULT_ENVELOPE_INVALID / VAULT_KEY_UNAVAILABLE, and never hangs", () => {
    const started = performance.now();
    let decoded = 0;
    fc.assert(
      fc.property(input, (text) => {
        const cpu0 = process.cpuUsage();
        const size = Buffer.byteLength(text, "base64");
        for (const decode of DECODERS) {
          let parts;
          try {
            parts = decode(text);
          } catch (error) {
            // Plain checks, not expect(): this runs hundreds of thousands of times.
            if (!isVaultError(error) || !CODES.has(error.code)) throw error;
            continue;
          }
          decoded++;
          const total =
            parts.iv.length + parts.tag.length + parts.encryptedKeys.length + parts.ciphertext.length;
          if (total > size || parts.encryptedKeys.length === 0)
            throw new Error(`parts outside the input: ${text}`);
        }
        // The decoder is linear in its input (at most ~550 bytes here): no input makes it work for long.
        // Measured in CPU time, which only this process's work adds to: time spent waiting for a core
        // on a loaded machine does not count, and 250 ms of work is thousands of times a decode's.
        const cpu = process.cpuUsage(cpu0);
        if ((cpu.user + cpu.system) / 1000 > 250) throw new Error(`slow input: ${text}`);
      }),
      { numRuns: RUNS },
    );
    expect(decoded).toBeGreaterThan(0);
    console.log(
      `fuzzed ${RUNS} inputs in ${Math.round(performance.now() - started)} ms (${decoded} decoded)`,
    );
  }, 600_000);
});

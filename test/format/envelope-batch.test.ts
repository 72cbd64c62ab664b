/**
 * Many envelopes decoded into one buffer give, value by value, what decoding each alone gives: the
 * same parts or the same refusal, whatever lies beside it.
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blobOf, decodeEnvelopes, LAYOUT_WORDS, sameBlob } from "../../src/format/envelope-batch.js";
import { decodeEnvelope, encodeEnvelope } from "../../src/format/envelope.js";
import { sealEnvelope } from "../../src/crypto/seal-envelope.js";
import { VaultError } from "../../src/errors.js";

const key = randomBytes(32);
const workos = new TextEncoder().encode("WOS.EKM.v1\0a-workos-blob");
const local = new TextEncoder().encode("PVK1\x02k1-some-local-blob");

/** Stored texts of every kind: current and legacy envelopes, other blobs, base64 that is none, garbage. */
const stored = fc.oneof(
  fc.string({ maxLength: 20 }).map((text) => sealEnvelope(key, workos, text)),
  fc.string({ maxLength: 20 }).map((text) => sealEnvelope(key, local, text)),
  fc
    .uint8Array({ maxLength: 20 })
    .map((ciphertext) =>
      encodeEnvelope({ iv: randomBytes(32), tag: randomBytes(16), encryptedKeys: workos, ciphertext }),
    ),
  fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes).toString("base64")),
  fc.string({ maxLength: 30 }),
  fc.constantFrom("", "====", "AA==", "A-B_", "plaintext ssn 123-45-6789"),
  fc.anything(),
);

function alone(text: unknown): unknown {
  try {
    const { iv, tag, encryptedKeys, ciphertext } = decodeEnvelope(text as string);
    return { iv: hex(iv), tag: hex(tag), encryptedKeys: hex(encryptedKeys), ciphertext: hex(ciphertext) };
  } catch (error) {
    return error instanceof VaultError ? { code: error.code, message: error.message } : String(error);
  }
}

function inBatch(i: number, batch: ReturnType<typeof decodeEnvelopes>): unknown {
  const invalid = batch.invalid[i];
  if (invalid !== undefined) return { code: invalid.code, message: invalid.message };
  const [start, ivEnd, blobStart, blobEnd, end] = batch.layout.subarray(
    i * LAYOUT_WORDS,
    (i + 1) * LAYOUT_WORDS,
  );
  const { bytes } = batch;
  expect(hex(blobOf(batch, i))).toBe(hex(bytes.subarray(blobStart, blobEnd)));
  return {
    iv: hex(bytes.subarray(start, ivEnd)),
    tag: hex(bytes.subarray(ivEnd, (ivEnd as number) + 16)),
    encryptedKeys: hex(bytes.subarray(blobStart, blobEnd)),
    ciphertext: hex(bytes.subarray(blobEnd, end)),
  };
}

describe("decodeEnvelopes", () => {
  it("gives each value what decodeEnvelope gives it alone", () => {
    fc.assert(
      fc.property(fc.array(stored, { maxLength: 12 }), (texts) => {
        const batch = decodeEnvelopes(texts.length, (i) => texts[i]);
        texts.forEach((text, i) => expect(inBatch(i, batch)).toEqual(alone(text)));
      }),
      { numRuns: 500 },
    );
  });

  it("tells values with the same key blob from values with another, in place", () => {
    const texts = [
      sealEnvelope(key, workos, "a"),
      sealEnvelope(key, local, "b"),
      sealEnvelope(key, workos, "c"),
    ];
    const batch = decodeEnvelopes(3, (i) => texts[i]);
    expect(sameBlob(batch, 0, 2)).toBe(true);
    expect(sameBlob(batch, 0, 1)).toBe(false);
    expect(Buffer.from(blobOf(batch, 1))).toEqual(Buffer.from(local));
  });

  it("a local-ring blob in the current layout is taken as it is, though a legacy layout would parse too", () => {
    // IV | TAG | len 40 | "PVK1"… with, where a legacy envelope's length would be (byte 48), a WorkOS blob.
    const bytes = Buffer.alloc(75, 7);
    bytes[28] = 40;
    bytes.write("PVK1", 29, "latin1");
    bytes[48] = 14;
    bytes.write("WOS.EKM.v1\0xyz", 49, "latin1");
    const text = bytes.toString("base64");
    const batch = decodeEnvelopes(1, () => text);
    expect(batch.invalid[0]).toBeUndefined();
    const { iv, encryptedKeys } = decodeEnvelope(text);
    expect(iv).toHaveLength(12);
    expect(Buffer.from(encryptedKeys.subarray(0, 4)).toString("latin1")).toBe("PVK1");
    // The same bytes with a blob of no known format are read in the legacy layout.
    bytes.write("XXXX", 29, "latin1");
    expect(decodeEnvelope(bytes.toString("base64")).iv).toHaveLength(32);
  });

  it("an empty batch is empty", () => {
    const batch = decodeEnvelopes(0, () => undefined);
    expect(batch.layout).toHaveLength(0);
    expect(batch.invalid).toHaveLength(0);
  });
});

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

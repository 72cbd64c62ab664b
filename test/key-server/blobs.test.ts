import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasPrefix } from "../../src/format/has-prefix.js";
import { WORKOS_KEY_BLOB_MAGIC } from "../../src/format/workos-blob.js";
import { unwrapBlob, wrapBlob } from "../../src/key-server/blobs.js";
import { LOCAL_KEY_BLOB_MAGIC } from "../../src/format/local-blob.js";

const magic = [...WORKOS_KEY_BLOB_MAGIC];
const local = Uint8Array.from([...LOCAL_KEY_BLOB_MAGIC, 1, 2, 3]);

describe("wrapBlob", () => {
  it("puts WorkOS's prefix (WOS.EKM.v1\\0) in front of the provider's blob", () => {
    expect([...wrapBlob(local)]).toEqual([...magic, ...local]);
    expect(new TextDecoder().decode(wrapBlob(local).subarray(0, magic.length))).toBe("WOS.EKM.v1\0");
  });

  it("wraps a blob that is WorkOS's already once more, and an empty one too", () => {
    const workos = Uint8Array.from([...magic, 9, 9]);
    expect([...wrapBlob(workos)]).toEqual([...magic, ...magic, 9, 9]);
    expect([...wrapBlob(new Uint8Array(0))]).toEqual(magic);
  });

  it("copies: a later change to the provider's blob does not change what was handed out", () => {
    const blob = Uint8Array.from(local);
    const wrapped = wrapBlob(blob);
    blob.fill(0);
    expect([...wrapped.subarray(magic.length)]).toEqual([...local]);
  });
});

describe("unwrapBlob", () => {
  it("strips exactly one layer from whatever wrapBlob handed out", () => {
    const blob = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.uint8Array({ maxLength: 64 }).map((tail) => Uint8Array.from([...magic, ...tail])),
      fc.uint8Array({ maxLength: 64 }).map((tail) => Uint8Array.from([...LOCAL_KEY_BLOB_MAGIC, ...tail])),
    );
    fc.assert(
      fc.property(blob, (b) => {
        const wrapped = wrapBlob(b);
        expect(hasPrefix(wrapped, WORKOS_KEY_BLOB_MAGIC)).toBe(true);
        expect([...unwrapBlob(wrapped)]).toEqual([...b]);
      }),
    );
  });

  it("passes a bare blob (from servers before the wrapping) on as it is", () => {
    expect(unwrapBlob(local)).toBe(local);
    const almost = Uint8Array.from(magic.slice(0, -1));
    expect(unwrapBlob(almost)).toBe(almost);
    const empty = new Uint8Array(0);
    expect(unwrapBlob(empty)).toBe(empty);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeLeb128, encodeLeb128 } from "../../src/format/leb128.js";

describe("LEB128", () => {
  it.each([
    [0, [0x00]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [0xffff_ffff, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ])("encodes %i as the known bytes", (value, bytes) => {
    expect([...encodeLeb128(value)]).toEqual(bytes);
    expect(decodeLeb128(Uint8Array.from(bytes), 0)).toEqual({ value, next: bytes.length });
  });

  it("round-trips every uint32 at any offset", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffff_ffff }), fc.uint8Array({ maxLength: 4 }), (value, prefix) => {
        const bytes = Uint8Array.from([...prefix, ...encodeLeb128(value)]);
        expect(decodeLeb128(bytes, prefix.length)).toEqual({ value, next: bytes.length });
      }),
    );
  });

  it("refuses a sequence over 5 bytes, a truncated one, and one beyond 32 bits", () => {
    expect(decodeLeb128(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01), 0)).toBeUndefined();
    expect(decodeLeb128(Uint8Array.of(0x80, 0x80), 0)).toBeUndefined();
    expect(decodeLeb128(Uint8Array.of(), 0)).toBeUndefined();
    expect(decodeLeb128(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f), 0)).toBeUndefined();
  });

  it("reads no byte at or past end: a sequence cut there is truncated, though the bytes go on", () => {
    const bytes = Uint8Array.of(0xac, 0x02, 0x07);
    expect(decodeLeb128(bytes, 0, 1)).toBeUndefined();
    expect(decodeLeb128(bytes, 0, 2)).toEqual({ value: 300, next: 2 });
    expect(decodeLeb128(bytes, 2, 2)).toBeUndefined();
  });

  it("refuses to encode what is not a uint32", () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) expect(() => encodeLeb128(bad)).toThrow(RangeError);
  });
});

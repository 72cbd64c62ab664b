/**
 * Unsigned LEB128 for 32-bit lengths, as the WorkOS Vault envelope uses for the key-blob length.
 * Decoding reports malformed input as `undefined` so the caller raises one error type.
 */

/** At most 5 bytes encode a 32-bit value (5 × 7 = 35 bits). */
export const LEB128_MAX_BYTES = 5;
const MAX_UINT32 = 0xffff_ffff;

/**
 * Encodes an unsigned 32-bit integer.
 *
 * @example encodeLeb128(300) // Uint8Array [0xac, 0x02]
 */
export function encodeLeb128(value: number): Uint8Array {
  // Precondition: value is a whole number in the uint32 range.
  if (!Number.isInteger(value) || value < 0 || value > MAX_UINT32) {
    throw new RangeError(`LEB128 value must be an integer from 0 to ${MAX_UINT32}`);
  }
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return Uint8Array.from(bytes);
}

/**
 * Decodes an unsigned 32-bit integer starting at `offset`, reading no byte at or past `end`;
 * `undefined` when the sequence is truncated, longer than 5 bytes or beyond 32 bits.
 *
 * @example decodeLeb128(Uint8Array.of(0xac, 0x02), 0) // { value: 300, next: 2 }
 */
export function decodeLeb128(
  bytes: Uint8Array,
  offset: number,
  end = bytes.length,
): { value: number; next: number } | undefined {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < LEB128_MAX_BYTES; i++) {
    if (offset + i >= end) return undefined;
    const byte = bytes[offset + i];
    if (byte === undefined) return undefined;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return value > MAX_UINT32 ? undefined : { value, next: offset + i + 1 };
    multiplier *= 128;
  }
  return undefined;
}

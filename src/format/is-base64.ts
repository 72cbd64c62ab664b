/** Pure: whether text is base64, the form of envelopes, keys and secrets given as text. */

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * True when `text` is non-empty base64 (standard alphabet, padding only at the end).
 *
 * @example isBase64("QmF0") // true
 */
export function isBase64(text: unknown): text is string {
  return typeof text === "string" && BASE64.test(text);
}

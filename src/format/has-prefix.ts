/** Pure: whether bytes begin with a prefix, which is how key-blob formats are recognised. */

/**
 * True when `bytes` begins with `prefix` (how key-blob formats are recognised); with `start` and
 * `end`, when `bytes[start, end)` does.
 *
 * @example hasPrefix(blob, LOCAL_KEY_BLOB_MAGIC) // a local key ring's PVK1 blob
 */
export function hasPrefix(bytes: Uint8Array, prefix: Uint8Array, start = 0, end = bytes.length): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[start + i] !== prefix[i]) return false;
  return true;
}

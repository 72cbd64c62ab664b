/** The checks of `new LocalKeyProvider()`'s key ring: ids, key bytes and destroyed keys. */
import { VaultConfigError } from "../errors.js";
import { DATA_KEY_BYTES } from "../format/envelope-sizes.js";
import { isBase64 } from "../format/is-base64.js";

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A master key id: 1-64 letters, digits, `.`, `_` or `-`; else a `VaultConfigError`. */
export function checkKeyId(id: unknown): string {
  if (typeof id !== "string" || !KEY_ID.test(id)) {
    throw new VaultConfigError("LocalKeyProvider: a master key id is 1-64 letters, digits, '.', '_' or '-'");
  }
  return id;
}

/** The ids of `destroyedKeys`, checked: well-formed, not in the ring, not repeated. */
export function checkDestroyed(ids: unknown, ring: ReadonlyMap<string, Uint8Array>): ReadonlySet<string> {
  if (ids === undefined) return new Set();
  if (!Array.isArray(ids)) {
    throw new VaultConfigError("LocalKeyProvider: destroyedKeys must be an array of master key ids");
  }
  const destroyed = new Set<string>();
  for (const entry of ids as unknown[]) {
    const id = checkKeyId(entry);
    // A key cannot be both usable and shredded: one of the two declarations is a mistake.
    if (ring.has(id)) {
      throw new VaultConfigError(`LocalKeyProvider: master key "${id}" is in both keys and destroyedKeys`);
    }
    if (destroyed.has(id)) {
      throw new VaultConfigError(`LocalKeyProvider: master key id "${id}" appears twice in destroyedKeys`);
    }
    destroyed.add(id);
  }
  return destroyed;
}

/** A master key as 32 bytes of its own, from bytes or base64; else a `VaultConfigError` naming its id. */
export function toKeyBytes(id: string, key: Uint8Array | string | undefined): Uint8Array {
  let bytes: Uint8Array | undefined;
  if (key instanceof Uint8Array) bytes = new Uint8Array(key);
  else if (isBase64(key)) bytes = new Uint8Array(Buffer.from(key, "base64"));
  if (bytes?.length !== DATA_KEY_BYTES) {
    throw new VaultConfigError(
      `LocalKeyProvider: master key "${id}" must be ${DATA_KEY_BYTES} bytes (raw or base64)`,
    );
  }
  return bytes;
}

/**
 * LocalKeyProvider: data keys wrapped by a ring of master keys held by the application, for
 * development and self-hosting. No network.
 *
 * Key-encryption key per context: HKDF-SHA256(master, salt "prisma-vault/PVK1",
 * info "kek|" + SHA-256(canonical context)). The info is a digest because HKDF info is capped at
 * 1024 bytes and a context's length is not.
 *
 * Blob (self-describing, so decryption needs only the blob and the master key it names):
 *   "PVK1" | LEB128 len | master key id | LEB128 len | data key id | LEB128 len | canonical context
 *          | IV[12] | TAG[16] | wrapped data key[32]
 * The header (everything before the IV) is the AES-GCM associated data of the wrap.
 */
import { createCipheriv, randomBytes, randomFillSync, randomUUID } from "node:crypto";
import { LRUCache } from "lru-cache";
import { canonicalContext, parseCanonicalContext, type KeyContext } from "../context/key-context.js";
import { DATA_KEY_BYTES, IV_BYTES } from "../format/envelope-sizes.js";
import { hasPrefix } from "../format/has-prefix.js";
import { VaultConfigError, VaultKeyRejectedError, VaultKeyUnavailableError } from "../errors.js";
import { blobId } from "../format/blob-format.js";
import {
  lengthPrefixed,
  LOCAL_KEY_BLOB_MAGIC,
  localMasterKeyId,
  parseBlob,
  type ParsedBlob,
} from "../format/local-blob.js";
import type { DataKey, DecryptedDataKey, KeyProvider } from "./provider.js";
import { keyEncryptionKey } from "./key-encryption-key.js";
import { unwrapDataKey } from "./local-unwrap.js";
import { checkDestroyed, checkKeyId, toKeyBytes } from "./master-key-checks.js";

/** A master key: an id (letters, digits, `.`, `_`, `-`; at most 64) and 32 bytes, raw or base64. */
export interface MasterKey {
  /** Names the key inside every blob it wraps: letters, digits, `.`, `_`, `-`; 1 to 64 characters. */
  readonly id: string;
  /** 32 bytes of key, raw or as base64 (`npx prisma-vault keygen` makes one). */
  readonly key: Uint8Array | string;
}

/**
 * The options of `new LocalKeyProvider()`. The constructor throws `VaultConfigError` for an empty ring,
 * a malformed or repeated id, a key that is not 32 bytes, or an id both in `keys` and `destroyedKeys`.
 */
export interface LocalKeyProviderOptions {
  /** The key ring; the first key wraps new data keys, all of them unwrap. */
  readonly keys: readonly MasterKey[];
  /**
   * Ids of master keys deliberately destroyed (crypto-shredding): the ring still owns their blobs, and
   * a value under one fails as `VAULT_DECRYPT_FAILED` (so it follows `onDecryptError` and its row can
   * be listed and deleted) instead of `VAULT_KEY_UNAVAILABLE`. An id may not be both here and in `keys`.
   */
  readonly destroyedKeys?: readonly string[];
}

/** The environment variable {@link LocalKeyProvider.fromEnv} reads: `k2:<base64>,k1:<base64>`. */
export const KEYS_ENV = "PRISMA_VAULT_KEYS";
/** The environment variable {@link LocalKeyProvider.fromEnv} reads for `destroyedKeys`: `kb,kc`. */
export const DESTROYED_KEYS_ENV = "PRISMA_VAULT_DESTROYED_KEYS";

/**
 * A key provider backed by master keys in the application's configuration.
 *
 * @example
 * const keys = new LocalKeyProvider({ keys: [{ id: "k1", key: process.env.MASTER_KEY! }] });
 * // or, from PRISMA_VAULT_KEYS="k2:<base64>,k1:<base64>":
 * const keys = LocalKeyProvider.fromEnv();
 * // a tenant's ring whose master key "acme-1" was destroyed: its values read as VAULT_DECRYPT_FAILED
 * const shredded = new LocalKeyProvider({ keys: [{ id: "acme-2", key }], destroyedKeys: ["acme-1"] });
 */
export class LocalKeyProvider implements KeyProvider {
  /** `"local"`. */
  readonly name = "local";
  readonly #ring: ReadonlyMap<string, Uint8Array>;
  readonly #destroyed: ReadonlySet<string>;
  readonly #activeId: string;
  /** {@link owns}'s verdicts by blob bytes: each distinct blob's wrap is authenticated once. */
  readonly #owned = new LRUCache<string, boolean>({ max: OWNED_VERDICTS });

  constructor(options: LocalKeyProviderOptions) {
    const keys = options?.keys;
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new VaultConfigError("LocalKeyProvider needs at least one master key in `keys`");
    }
    const ring = new Map<string, Uint8Array>();
    for (const entry of keys as readonly MasterKey[]) {
      const id = checkKeyId(entry?.id);
      if (ring.has(id)) throw new VaultConfigError(`LocalKeyProvider: master key id "${id}" appears twice`);
      ring.set(id, toKeyBytes(id, entry.key));
    }
    this.#destroyed = checkDestroyed(options.destroyedKeys, ring);
    this.#ring = ring;
    this.#activeId = (keys[0] as MasterKey).id;
  }

  /**
   * Reads the key ring from `PRISMA_VAULT_KEYS` (`id:base64` pairs, comma-separated, active key first),
   * and the ids of destroyed master keys from `PRISMA_VAULT_DESTROYED_KEYS` (comma-separated), if set.
   *
   * @example PRISMA_VAULT_KEYS="k2:9c1X...=,k1:QmF0...=" // rotate by putting a new key in front
   */
  static fromEnv(
    env: Readonly<Record<string, string | undefined>> = process.env,
    variable = KEYS_ENV,
  ): LocalKeyProvider {
    const value = env[variable];
    if (value === undefined || value.trim() === "") {
      throw new VaultConfigError(
        `${variable} is not set: give it "id:<base64 of 32 bytes>" pairs, comma-separated (npx prisma-vault keygen makes one)`,
      );
    }
    const keys = value.split(",").map((pair, index) => {
      const colon = pair.indexOf(":");
      if (colon <= 0) throw new VaultConfigError(`${variable}: entry ${index + 1} is not "id:<base64>"`);
      return { id: pair.slice(0, colon).trim(), key: pair.slice(colon + 1).trim() };
    });
    const destroyed = env[DESTROYED_KEYS_ENV];
    if (destroyed === undefined || destroyed.trim() === "") return new LocalKeyProvider({ keys });
    return new LocalKeyProvider({ keys, destroyedKeys: destroyed.split(",").map((id) => id.trim()) });
  }

  /** A new random master key as base64, for `PRISMA_VAULT_KEYS`. */
  static generateKey(): string {
    return randomBytes(DATA_KEY_BYTES).toString("base64");
  }

  /** The id of the master key that wraps new data keys. */
  get activeKeyId(): string {
    return this.#activeId;
  }

  createDataKey(context: KeyContext): Promise<DataKey> {
    return settle(() => {
      // Drawn straight into the array handed back: no other copy of the data key is left behind.
      const key = randomFillSync(new Uint8Array(DATA_KEY_BYTES));
      const id = randomUUID();
      return { key, id, encryptedKeys: this.#wrap(key, id, context) };
    });
  }

  decryptDataKey(encryptedKeys: Uint8Array): Promise<DecryptedDataKey> {
    return settle(() => this.#unwrap(encryptedKeys));
  }

  /** Re-wraps under the active master key and `context`; the data key and its id stay the same. */
  rekey(encryptedKeys: Uint8Array, context: KeyContext): Promise<DataKey> {
    return settle(() => {
      const { key, id } = this.#unwrap(encryptedKeys);
      return { key, id, encryptedKeys: this.#wrap(key, id, context) };
    });
  }

  /**
   * True for every `PVK1` blob: the format is this provider's, so a blob of a master key the ring
   * does not hold reaches {@link decryptDataKey} and fails there as `VAULT_KEY_UNAVAILABLE` naming the
   * key, and a modified one as a decryption failure. Which of several rings owns a blob is
   * {@link owns}.
   */
  recognizes(encryptedKeys: Uint8Array): boolean {
    return hasPrefix(encryptedKeys, LOCAL_KEY_BLOB_MAGIC);
  }

  /**
   * True when this ring owns the blob: a `PVK1` blob of a master key it holds and whose wrap that key
   * authenticates, or of a master key declared destroyed. A `KeyRouter` asks this, so that two
   * rings, even with a master-key id in common, never claim each other's blobs. Each distinct blob is
   * authenticated once (the verdicts are kept, by blob bytes, for the last 4,096).
   */
  owns(encryptedKeys: Uint8Array): boolean {
    if (!hasPrefix(encryptedKeys, LOCAL_KEY_BLOB_MAGIC)) return false;
    const id = blobId(encryptedKeys);
    const known = this.#owned.get(id);
    if (known !== undefined) return known;
    const verdict = this.#ownsParsed(encryptedKeys);
    this.#owned.set(id, verdict);
    return verdict;
  }

  /** Whether the blob is wrapped by the active master key (a malformed blob is not). */
  isCurrent(encryptedKeys: Uint8Array): boolean {
    return localMasterKeyId(encryptedKeys) === this.#activeId;
  }

  /**
   * The master key id, data key id and context a blob names, without unwrapping it (for migrations and
   * reports). Throws `VaultKeyRejectedError` for a blob that is not a well-formed `PVK1` blob.
   */
  describe(encryptedKeys: Uint8Array): {
    /** The id of the master key that wrapped the data key. */
    masterKeyId: string;
    /** The data key's id ({@link DataKey.id}). */
    dataKeyId: string;
    /** The key context the blob is bound to. */
    context: KeyContext;
  } {
    const blob = parseBlob(encryptedKeys);
    return {
      masterKeyId: blob.masterKeyId,
      dataKeyId: blob.dataKeyId,
      context: parseCanonicalContext(blob.context),
    };
  }

  #wrap(key: Uint8Array, dataKeyId: string, context: KeyContext): Uint8Array {
    const canonical = canonicalContext(context);
    const master = this.#ring.get(this.#activeId) as Uint8Array;
    const header = Buffer.concat([
      LOCAL_KEY_BLOB_MAGIC,
      lengthPrefixed(this.#activeId),
      lengthPrefixed(dataKeyId),
      lengthPrefixed(canonical),
    ]);
    const iv = randomBytes(IV_BYTES);
    const kek = keyEncryptionKey(master, canonical);
    let cipher;
    try {
      cipher = createCipheriv("aes-256-gcm", kek, iv);
    } finally {
      // The cipher holds its own copy of the key.
      kek.fill(0);
    }
    cipher.setAAD(header);
    const wrapped = Buffer.concat([cipher.update(key), cipher.final()]);
    return new Uint8Array(Buffer.concat([header, iv, cipher.getAuthTag(), wrapped]));
  }

  #ownsParsed(encryptedKeys: Uint8Array): boolean {
    let blob: ParsedBlob;
    try {
      blob = parseBlob(encryptedKeys);
    } catch {
      return false;
    }
    if (this.#destroyed.has(blob.masterKeyId)) return true;
    const master = this.#ring.get(blob.masterKeyId);
    if (master === undefined) return false;
    const key = unwrapDataKey(master, blob);
    key?.fill(0);
    return key !== undefined;
  }

  #unwrap(encryptedKeys: Uint8Array): DecryptedDataKey {
    const blob = parseBlob(encryptedKeys);
    // Precondition: a destroyed key's values are shredded, not missing: they read as decryption failures.
    if (this.#destroyed.has(blob.masterKeyId)) {
      throw new VaultKeyRejectedError(
        `master key "${blob.masterKeyId}" was destroyed (it is in destroyedKeys): the data key cannot be recovered`,
      );
    }
    const master = this.#ring.get(blob.masterKeyId);
    // A key that is not configured is not a bad value: the caller must not read it as one (or null).
    if (master === undefined) {
      throw new VaultKeyUnavailableError(
        `master key "${blob.masterKeyId}" is not in the local key ring (it holds ${[...this.#ring.keys()].join(", ")})`,
        { keyId: blob.masterKeyId },
      );
    }
    const key = unwrapDataKey(master, blob);
    if (key === undefined) {
      throw new VaultKeyRejectedError(
        `cannot unwrap the data key with master key "${blob.masterKeyId}": a different key under that id, or a modified blob`,
      );
    }
    return { key, id: blob.dataKeyId };
  }
}

/** Runs synchronous work so that its errors reject the promise rather than throw. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}

const OWNED_VERDICTS = 4_096;

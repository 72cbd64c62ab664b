/**
 * The key-provider contract: where data keys come from. Four small methods, so AWS KMS, Google KMS or
 * HashiCorp Vault transit can plug in; guardProvider (guard-provider.ts) checks what any provider returns.
 */
import type { KeyContext } from "../context/key-context.js";
import type { AttemptObserver } from "./audit.js";

/** A fresh data key: the plaintext key, its encrypted form to store in the envelope, and an id. */
export interface DataKey {
  /** 32 bytes of AES-256 key. Never log or persist it. */
  readonly key: Uint8Array;
  /** The provider's encrypted form of `key` (WorkOS's `encrypted_keys`), stored inside each envelope. */
  readonly encryptedKeys: Uint8Array;
  /** The data key's id, as the provider names it (a UUID for `LocalKeyProvider`); for audit and reports. */
  readonly id: string;
}

/** A decrypted data key: what a provider recovers from an `encryptedKeys` blob. */
export interface DecryptedDataKey {
  /** 32 bytes of AES-256 key. Never log or persist it. */
  readonly key: Uint8Array;
  /** The data key's id, the same as {@link DataKey.id} when it was created. */
  readonly id: string;
}

/**
 * A source of data keys.
 *
 * @example
 * const provider: KeyProvider = {
 *   name: "kms",
 *   async createDataKey(context) { ... return { key, encryptedKeys, id } },
 *   async decryptDataKey(encryptedKeys) { ... return { key, id } },
 * };
 */
export interface KeyProvider {
  /** A short name for messages, stats and audit events (`"local"`, `"workos"`, …). */
  readonly name: string;
  /** Generates a data key for `context`; the context is bound into `encryptedKeys`. */
  createDataKey(context: KeyContext): Promise<DataKey>;
  /** Recovers the data key from an encrypted-keys blob. */
  decryptDataKey(encryptedKeys: Uint8Array): Promise<DecryptedDataKey>;
  /** Re-wraps a data key (for a new master key or context); the data key itself is unchanged. */
  rekey?(encryptedKeys: Uint8Array, context: KeyContext): Promise<DataKey>;
  /**
   * True when this provider owns the blob (its format, e.g. a magic prefix). A stored value is an
   * envelope only when its blob is `PVK1`, `WOS.EKM.v1\0` or one this accepts; other values are
   * plaintext (under `plaintext: "read"`) and never reach the provider, and a `PVK1` or WorkOS blob
   * this refuses is `VAULT_KEY_UNAVAILABLE`. Without `recognizes`, every value that parses as an
   * envelope is taken for this provider's and its blob is passed to `decryptDataKey`.
   */
  recognizes?(encryptedKeys: Uint8Array): boolean;
  /**
   * Stricter than `recognizes`, for a `KeyRouter` choosing among providers of one blob format: true
   * only when this provider's own key opens the blob (e.g. a local ring holds its master-key id and
   * that key authenticates the wrap), or its key was declared destroyed. Two instances of one provider
   * type must not both own a blob. Without `owns`, a router takes `recognizes` for ownership.
   */
  owns?(encryptedKeys: Uint8Array): boolean;
  /**
   * True when `rekey` would leave this blob as it is: it is already wrapped by the master key that
   * wraps new data keys. `migrate rekey` skips such blobs without a call; without `isCurrent`, every
   * blob is re-wrapped on every run.
   */
  isCurrent?(encryptedKeys: Uint8Array): boolean;
  /**
   * This provider, reporting every attempt it makes to `observer` as `name` (for `vault({ audit })`):
   * for a provider that makes several requests per call (retries) or passes calls on (a router).
   * Without it, each call counts as one attempt.
   */
  observed?(observer: AttemptObserver, name: string): KeyProvider;
}

/**
 * The key-provider contract: where data keys come from. Four small methods, so AWS KMS, Google KMS or
 * HashiCorp Vault transit can plug in; {@link guardProvider} checks what any provider returns.
 */
import type { KeyContext } from "../context.js";
import { DATA_KEY_BYTES } from "../envelope.js";
import { VaultConfigError, VaultError, type VaultErrorCode } from "../errors.js";

/** A fresh data key: the plaintext key, its encrypted form to store in the envelope, and an id. */
export interface DataKey {
  /** 32 bytes of AES-256 key. Never log or persist it. */
  readonly key: Uint8Array;
  /** The provider's encrypted form of `key` (WorkOS's `encrypted_keys`), stored inside each envelope. */
  readonly encryptedKeys: Uint8Array;
  readonly id: string;
}

/** A decrypted data key. */
export interface DecryptedDataKey {
  readonly key: Uint8Array;
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
}

/**
 * Wraps a provider so a buggy or failing one fails loudly and uniformly: results are checked
 * (a 32-byte key, a non-empty blob, a string id) and every thrown error becomes `VAULT_KEY_PROVIDER`,
 * except a key that is not configured (`VAULT_KEY_UNAVAILABLE`, e.g. {@link VaultKeyUnavailableError}),
 * which is passed on as it is. Wrapping twice is harmless.
 */
export function guardProvider(provider: KeyProvider): KeyProvider {
  if (GUARDED.has(provider)) return provider;
  checkShape(provider);
  const name = provider.name;
  const guarded: KeyProvider = {
    name,
    createDataKey: (context) =>
      call(name, "createDataKey", () => provider.createDataKey(context)).then(checkDataKey(name)),
    decryptDataKey: (encryptedKeys) =>
      call(name, "decryptDataKey", () => provider.decryptDataKey(encryptedKeys)).then(checkDecrypted(name)),
    ...(provider.rekey && {
      rekey: (encryptedKeys: Uint8Array, context: KeyContext) =>
        call(name, "rekey", () => provider.rekey!(encryptedKeys, context)).then(checkDataKey(name)),
    }),
    ...(provider.recognizes && { recognizes: (blob: Uint8Array) => provider.recognizes!(blob) === true }),
  };
  GUARDED.add(guarded);
  return Object.freeze(guarded);
}

const GUARDED = new WeakSet<KeyProvider>();

function checkShape(provider: KeyProvider): void {
  const p = provider as Partial<KeyProvider> | null;
  if (typeof p !== "object" || p === null) throw configError("a key provider must be an object");
  if (typeof p.name !== "string" || p.name === "") throw configError("a key provider needs a non-empty name");
  for (const method of ["createDataKey", "decryptDataKey"] as const) {
    if (typeof p[method] !== "function") throw configError(`key provider "${p.name}" has no ${method}()`);
  }
  for (const method of ["rekey", "recognizes"] as const) {
    if (p[method] !== undefined && typeof p[method] !== "function") {
      throw configError(`key provider "${p.name}": ${method} must be a function`);
    }
  }
}

const PASSED_THROUGH = new Set<VaultErrorCode>(["VAULT_KEY_PROVIDER", "VAULT_KEY_UNAVAILABLE"]);

async function call<T>(name: string, method: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // A refused blob and a key that is not configured are answers, not outages: they keep their code.
    if (error instanceof VaultError && PASSED_THROUGH.has(error.code)) throw error;
    throw new VaultError("VAULT_KEY_PROVIDER", `key provider "${name}" failed in ${method}()`, {
      cause: error,
    });
  }
}

function checkDecrypted(name: string) {
  return (result: DecryptedDataKey): DecryptedDataKey => {
    if (!(result?.key instanceof Uint8Array) || result.key.length !== DATA_KEY_BYTES) {
      throw broken(name, `returned a data key that is not ${DATA_KEY_BYTES} bytes`);
    }
    if (typeof result.id !== "string") throw broken(name, "returned a data key without a string id");
    return result;
  };
}

function checkDataKey(name: string) {
  const checkKey = checkDecrypted(name);
  return (result: DataKey): DataKey => {
    checkKey(result);
    if (!(result.encryptedKeys instanceof Uint8Array) || result.encryptedKeys.length === 0) {
      throw broken(name, "returned an empty encrypted data key");
    }
    return result;
  };
}

function broken(name: string, what: string): VaultError {
  return new VaultError("VAULT_KEY_PROVIDER", `key provider "${name}" ${what}`);
}

function configError(message: string): VaultError {
  return new VaultConfigError(message);
}

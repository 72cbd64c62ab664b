/**
 * FieldCipher: one field value <-> its envelope, through the data-key cache. The only asynchronous
 * crypto in the library; everything it calls below the cache is synchronous.
 *
 * Also the standalone `encrypt` / `decrypt`, which behave like the SDK's `vault.encrypt` / `vault.decrypt`.
 */
import { checkBlobContext, decodeOwnedEnvelope } from "./blob-format.js";
import { associatedData, validateContext, type KeyContext } from "./context.js";
import { openEnvelope, sealEnvelope } from "./envelope.js";
import {
  VaultConfigError,
  VaultDecryptError,
  VaultError,
  VaultKeyRejectedError,
  VaultKeyUnavailableError,
  type VaultErrorDetails,
} from "./errors.js";
import type { DataKeyCache } from "./keys/cache.js";
import { guardProvider, type DataKey, type DecryptedDataKey, type KeyProvider } from "./keys/provider.js";

/** Where a value lives: it decides the key (context) and the associated data. */
export interface FieldRef {
  readonly model: string;
  readonly field: string;
  readonly context: KeyContext;
  /** The row's primary key, for error messages only. */
  readonly id?: unknown;
  /** Overrides the associated data; `""` means none. Default: `associatedData(model, field, context)`. */
  readonly aad?: string;
}

/**
 * Encrypts and decrypts field values with cached data keys.
 *
 * @example
 * const cipher = new FieldCipher(new DataKeyCache(LocalKeyProvider.fromEnv()));
 * const stored = await cipher.encrypt("123-45-6789", { model: "User", field: "ssn", context: { organizationId: "org_1" } });
 */
export class FieldCipher {
  readonly keys: DataKeyCache;

  constructor(keys: DataKeyCache) {
    this.keys = keys;
  }

  /** The envelope of `plaintext` for this field and context. */
  async encrypt(plaintext: string, ref: FieldRef): Promise<string> {
    return located(ref, async () => this.keys.withEncryptionKey(ref.context, sealer(plaintext, ref)));
  }

  /**
   * The envelope of `plaintext` when a data key for the context is cached, without a promise;
   * `undefined` when one must be made (then call {@link encrypt}). Fails exactly as `encrypt` does.
   */
  encryptCached(plaintext: string, ref: FieldRef): string | undefined {
    return locatedNow(
      ref,
      () => this.keys.withCachedEncryptionKey(ref.context, sealer(plaintext, ref))?.value,
    );
  }

  /**
   * The plaintext of an envelope whose data key is cached, without a promise; `undefined` when the key
   * must be fetched (then call {@link decrypt}). Fails exactly as `decrypt` does.
   */
  decryptCached(envelope: string, ref: FieldRef): string | undefined {
    return locatedNow(ref, () => {
      const { encryptedKeys, open } = opener(envelope, ref, this.keys.provider);
      return this.keys.withCachedDecryptionKey(encryptedKeys, open)?.value;
    });
  }

  /** The plaintext of an envelope stored in this field; fails closed on any doubt. */
  async decrypt(envelope: string, ref: FieldRef): Promise<string> {
    return located(ref, async () => {
      const { encryptedKeys, open } = opener(envelope, ref, this.keys.provider);
      // The row's context owns the call, so one tenant's cold keys cannot take every provider slot.
      return this.keys.withDecryptionKey(encryptedKeys, open, ref.context);
    });
  }
}

/** What seals `plaintext` for `ref` once a data key is at hand. */
function sealer(plaintext: string, ref: FieldRef): (key: DataKey) => string {
  if (typeof plaintext !== "string") throw new VaultConfigError("an encrypted field holds strings only");
  const aad = aadOf(ref);
  return (key) => sealEnvelope(key.key, key.encryptedKeys, plaintext, aad);
}

/**
 * The key blob of a stored envelope, and what opens it for `ref` once its data key is at hand.
 * A value that is no envelope, or one `provider` does not own, fails here, before any key is asked for.
 */
function opener(
  envelope: string,
  ref: FieldRef,
  provider: KeyProvider,
): { encryptedKeys: Uint8Array; open: (key: DecryptedDataKey) => string } {
  const aad = aadOf(ref);
  const parts = decodeOwnedEnvelope(envelope, provider);
  checkBlobContext(parts.encryptedKeys, ref.context);
  return { encryptedKeys: parts.encryptedKeys, open: (key) => openEnvelope(key.key, parts, aad) };
}

/**
 * Encrypts like `workos.vault.encrypt(text, context, aad)`: a new data key from `provider` for this
 * value, sealed into an SDK-compatible envelope.
 *
 * @example const stored = await encrypt(new WorkOSKeyProvider({ workos }), "secret", { organizationId: "org_1" });
 */
export async function encrypt(
  provider: KeyProvider,
  text: string,
  context: KeyContext,
  aad = "",
): Promise<string> {
  if (typeof text !== "string") throw new VaultConfigError("encrypt() takes a string");
  const dataKey = await guardProvider(provider).createDataKey(validateContext(context));
  try {
    return sealEnvelope(dataKey.key, dataKey.encryptedKeys, text, aad);
  } finally {
    dataKey.key.fill(0);
  }
}

/**
 * Decrypts like `workos.vault.decrypt(envelope, aad)`: reads any SDK envelope, fails closed. Like
 * FieldCipher, it asks `provider` only for blobs it owns (see `decodeOwnedEnvelope`).
 *
 * @example const text = await decrypt(provider, stored);
 */
export async function decrypt(provider: KeyProvider, envelope: string, aad = ""): Promise<string> {
  const guarded = guardProvider(provider);
  const parts = decodeOwnedEnvelope(envelope, guarded);
  const key = await guarded.decryptDataKey(parts.encryptedKeys).catch((error: unknown) => {
    throw error instanceof VaultKeyRejectedError ? new VaultDecryptError({ cause: error }) : error;
  });
  try {
    return openEnvelope(key.key, parts, aad);
  } finally {
    key.key.fill(0);
  }
}

function aadOf(ref: FieldRef): string {
  return ref.aad ?? associatedData(ref.model, ref.field, ref.context);
}

/** Runs `work` and re-throws its errors with the model, field and row id attached. */
async function located<T>(ref: FieldRef, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw locate(error, { model: ref.model, field: ref.field, id: ref.id });
  }
}

/** {@link located} for work that does not wait. */
function locatedNow<T>(ref: FieldRef, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw locate(error, { model: ref.model, field: ref.field, id: ref.id });
  }
}

function locate(error: unknown, place: VaultErrorDetails): unknown {
  // A refused key blob is, for the field, a value that does not decrypt (tampered or foreign).
  if (error instanceof VaultKeyRejectedError || error instanceof VaultDecryptError) {
    return new VaultDecryptError({
      ...place,
      cause: error instanceof VaultKeyRejectedError ? error : undefined,
    });
  }
  if (!(error instanceof VaultError) || error.model !== undefined) return error;
  const details = { ...place, cause: error.cause ?? error };
  if (error instanceof VaultKeyUnavailableError) {
    return new VaultKeyUnavailableError(error.message, { ...details, keyId: error.keyId });
  }
  if (error instanceof VaultConfigError) return new VaultConfigError(error.message, details);
  // Precondition: a located error keeps its class. Only the base class is rebuilt from its code; a
  // subclass not named above is passed on unlocated rather than turned into a plain VaultError.
  if (error.constructor !== VaultError) return error;
  return new VaultError(error.code, error.message, details);
}

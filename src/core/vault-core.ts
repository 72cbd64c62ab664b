/**
 * VaultCore: the one internal interface under every shell (the Prisma 7 extension, migrate/, objects/,
 * the CLI, and the coming Prisma 8 middleware). It seals and opens values a batch at a time, computes
 * blind indexes, checks a column's capacity, re-wraps key blobs, tells whether the provider owns a
 * stored value, and zeroes its keys when disposed. No shell reaches past it to the cipher or the cache.
 */
import { blobAdmits, decodeOwnedEnvelope, namedContext } from "../format/blob-format.js";
import type { Envelope } from "../format/envelope.js";
import { canonicalize, validContext, type KeyContext } from "../context/key-context.js";
import { sealEnvelopes } from "../crypto/seal-envelope.js";
import type { AeadBackend } from "../crypto/aead.js";
import { nodeAead } from "../crypto/node-aead.js";
import { CLOSED } from "../error-messages.js";
import { VaultConfigError } from "../errors.js";
import { DataKeyCache } from "../keys/cache.js";
import type { GuardedKeyProvider } from "../keys/guard-provider.js";
import type { VaultStats } from "../keys/vault-stats.js";
import type { BlindIndexSpec } from "../schema/blind-index-spec.js";
import type { FieldRef } from "../schema/field-ref.js";
import type { EncryptedField } from "../schema/model-schema.js";
import { aadOf } from "./aad-of.js";
import { blindIndexOf } from "./blind-index.js";
import { FieldCipher } from "./cipher.js";
import type { CipherItem } from "./cipher-item.js";
import { isOpened, unopened, type Opened, type OpenedBatch } from "./opened.js";

/**
 * What every shell asks of prisma-vault's crypto. Internal: not exported from the package.
 *
 * @example
 * const core = vaultCore(new DataKeyCache(LocalKeyProvider.fromEnv()));
 * const [envelope] = await core.sealAll([{ text: "123-45-6789", ref }]);
 */
export interface VaultCore {
  /** The key provider (guarded), for what serves it as it is: `key-server --config`, audit events. */
  readonly provider: GuardedKeyProvider;
  /** The AES-256-GCM backend values are sealed and opened with. */
  readonly aead: AeadBackend;
  /** Milliseconds one provider call may take. */
  readonly timeoutMs: number;
  /** True once {@link dispose} ran: every call that needs a data key then throws `VaultConfigError`. */
  readonly disposed: boolean;
  /** {@link FieldCipher.sealAll}: the envelopes of `items`, at once when every key is cached. */
  sealAll(items: readonly CipherItem[]): string[] | Promise<string[]>;
  /** {@link FieldCipher.openAll}: the plaintexts of `items`, each a string or why it did not open. */
  openAll(items: readonly CipherItem[]): OpenedBatch;
  /** One value's envelope. */
  seal(text: string, ref: FieldRef): Promise<string>;
  /** One envelope's plaintext; fails closed on any doubt. */
  open(envelope: string, ref: FieldRef): Promise<string>;
  /** One value's envelope and the id of the data key that sealed it (objects record it). */
  sealKeyed(text: string, ref: FieldRef): Promise<{ envelope: string; keyId: string }>;
  /** The blind index of `text` under the index `spec` describes (`field.index.blind` or `.own`). */
  blindIndex(spec: BlindIndexSpec, text: string, context: KeyContext): string;
  /** Precondition of every write: `envelope` fits `field`'s column (non-strict databases cut silently). */
  fits(field: EncryptedField, envelope: string): boolean;
  /**
   * `text` decoded, once the provider is known to own its key blob: `VAULT_ENVELOPE_INVALID` when it
   * is no envelope, `VAULT_KEY_UNAVAILABLE` when another provider's blob.
   */
  ownedEnvelope(text: string): Envelope;
  /** True when the provider says `blob` is wrapped under its current master key. */
  isCurrent(blob: Uint8Array): boolean;
  /** True when the key blob may be opened under `context`: it names no context, or names this one. */
  admits(blob: Uint8Array, context: KeyContext): boolean;
  /** `VaultConfigError` unless the provider can re-wrap blobs. */
  checkRekey(): void;
  /** `blob` re-wrapped under the provider's current master key (the data key it unwrapped zeroed). */
  rekey(blob: Uint8Array, context: KeyContext): Promise<Uint8Array>;
  /** A core over the same provider and backend whose cache starts empty: keys created from now on. */
  withOwnKeys(): VaultCore;
  /** The cache's counters. */
  stats(): VaultStats;
  /** Zeroes and forgets every cached key; later calls that need a key fail. Idempotent. */
  dispose(): void;
}

/**
 * The {@link VaultCore} over `keys` (the data-key cache) and `aead`.
 *
 * @example const core = vaultCore(new DataKeyCache(provider, {}, { timeoutMs: 5_000 }), nodeAead);
 */
export function vaultCore(keys: DataKeyCache, aead: AeadBackend = nodeAead): VaultCore {
  return new Core(keys, aead);
}

class Core implements VaultCore {
  readonly aead: AeadBackend;
  readonly #keys: DataKeyCache;
  readonly #cipher: FieldCipher;
  #disposed = false;

  constructor(keys: DataKeyCache, aead: AeadBackend) {
    this.#keys = keys;
    this.aead = aead;
    this.#cipher = new FieldCipher(keys, aead);
  }

  get provider(): GuardedKeyProvider {
    return this.#keys.provider;
  }

  get timeoutMs(): number {
    return this.#keys.timeoutMs;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  sealAll(items: readonly CipherItem[]): string[] | Promise<string[]> {
    this.#open();
    const sealing = this.#cipher.sealAll(items);
    return sealing instanceof Promise ? sealing.then(this.#sealed, this.#failed) : sealing;
  }

  openAll(items: readonly CipherItem[]): OpenedBatch {
    this.#open();
    const batch = this.#cipher.openAll(items);
    if (batch.ready === undefined) return batch;
    const opened = batch.opened as Opened[];
    const ready = batch.ready.then(() => {
      if (!this.#disposed) return;
      this.#keys.clear();
      const closed = unopened(new VaultConfigError(CLOSED));
      for (const [i, outcome] of opened.entries()) if (!isOpened(outcome)) opened[i] = closed;
    });
    return { opened, ready };
  }

  async seal(text: string, ref: FieldRef): Promise<string> {
    const [envelope] = await this.sealAll([{ text, ref }]);
    return envelope as string;
  }

  async open(envelope: string, ref: FieldRef): Promise<string> {
    this.#open();
    return this.#cipher.decrypt(envelope, ref).then(this.#sealed, this.#failed);
  }

  async sealKeyed(text: string, ref: FieldRef): Promise<{ envelope: string; keyId: string }> {
    this.#open();
    const aad = Buffer.from(aadOf(ref), "utf8");
    const sealing = this.#keys.withEncryptionKey(ref.context, (key) => ({
      envelope: sealEnvelopes(this.aead, key.key, key.encryptedKeys, [text], [aad])[0] as string,
      keyId: key.id,
    }));
    return sealing instanceof Promise ? sealing.then(this.#sealed, this.#failed) : sealing;
  }

  blindIndex(spec: BlindIndexSpec, text: string, context: KeyContext): string {
    return blindIndexOf(spec).compute(text, context);
  }

  fits(field: EncryptedField, envelope: string): boolean {
    return field.capacity === undefined || envelope.length <= field.capacity;
  }

  ownedEnvelope(text: string): Envelope {
    return decodeOwnedEnvelope(text, this.#keys.provider);
  }

  isCurrent(blob: Uint8Array): boolean {
    return this.#keys.provider.isCurrent?.(blob) === true;
  }

  admits(blob: Uint8Array, context: KeyContext): boolean {
    return blobAdmits(namedContext(blob), canonicalize(validContext(context)));
  }

  checkRekey(): void {
    const provider = this.#keys.provider;
    if (provider.rekey === undefined) {
      throw new VaultConfigError(`key provider "${provider.name}" cannot rekey`);
    }
  }

  async rekey(blob: Uint8Array, context: KeyContext): Promise<Uint8Array> {
    this.#open();
    const key = await this.#keys.rekey(blob, context);
    key.key.fill(0);
    return key.encryptedKeys;
  }

  withOwnKeys(): VaultCore {
    return new Core(new DataKeyCache(this.#keys.provider), this.aead);
  }

  stats(): VaultStats {
    return this.#keys.stats();
  }

  dispose(): void {
    this.#disposed = true;
    this.#keys.clear();
  }

  /** Precondition: the core is not disposed; a key asked for afterwards would outlive the release. */
  #open(): void {
    if (this.#disposed) throw new VaultConfigError(CLOSED);
  }

  /**
   * A key that arrives after dispose() (asked for before it) is zeroed as soon as it is cached, and
   * what waited for it fails as a disposed core's calls do.
   */
  readonly #sealed = <T>(value: T): T => {
    if (this.#disposed) this.#failed(undefined);
    return value;
  };

  readonly #failed = (error: unknown): never => {
    if (!this.#disposed) throw error;
    this.#keys.clear();
    throw new VaultConfigError(CLOSED);
  };
}

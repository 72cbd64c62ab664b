/**
 * FieldCipher: field values <-> their envelopes, a batch at a time, through the data-key cache. The
 * only asynchronous crypto in the library; everything it calls below the cache is synchronous.
 */
import { blobAdmits, blobId, checkOwner, namedContext } from "../format/blob-format.js";
import { canonicalize, validContext, type KeyContext } from "../context/key-context.js";
import { sealEnvelopes } from "../crypto/seal-envelope.js";
import { blobOf, decodeEnvelopes, sameBlob, type EnvelopeBatch } from "../format/envelope-batch.js";
import { VaultConfigError, VaultDecryptError } from "../errors.js";
import type { DataKeyCache } from "../keys/cache.js";
import { nodeAead } from "../crypto/node-aead.js";
import type { AeadBackend } from "../crypto/aead.js";
import { locate, locatedNow } from "./located.js";
import { AadBytes } from "./aad-of.js";
import { openBatchOf } from "./open-batch-of.js";
import { isOpened, unopened, type Opened, type OpenedBatch } from "./opened.js";
import type { FieldRef } from "../schema/field-ref.js";
import type { CipherItem } from "./cipher-item.js";
import { type DataKey, type DecryptedDataKey } from "../keys/provider.js";

/**
 * Encrypts and decrypts field values with cached data keys, a batch at a time: values are grouped by
 * key context (sealing) or key blob (opening), and each group costs one cache lookup, so a result set
 * of many rows costs one provider call per distinct key, and no promise at all when every key is cached.
 *
 * @example
 * const cipher = new FieldCipher(new DataKeyCache(LocalKeyProvider.fromEnv()));
 * const stored = await cipher.encrypt("123-45-6789", { model: "User", field: "ssn", context: { organizationId: "org_1" } });
 */
export class FieldCipher {
  /** The data-key cache every key is asked from. */
  readonly keys: DataKeyCache;
  /**
   * The AES-256-GCM backend: one call per group of values under one data key. Internal: the
   * extension's choice (`vault({ aead })`), of a type not exported.
   *
   * @internal
   */
  readonly aead: AeadBackend;

  /**
   * @param keys - The data-key cache to ask for keys.
   * @param aead - The AES-256-GCM backend; default `node:crypto`'s. The extension passes the one
   * `vault({ aead })` chose; its type is internal.
   */
  constructor(keys: DataKeyCache, aead: AeadBackend = nodeAead) {
    this.keys = keys;
    this.aead = aead;
  }

  /** The envelope of `plaintext` for this field and context. */
  async encrypt(plaintext: string, ref: FieldRef): Promise<string> {
    const [envelope] = await this.sealAll([{ text: plaintext, ref }]);
    return envelope as string;
  }

  /** The plaintext of an envelope stored in this field; fails closed on any doubt. */
  async decrypt(envelope: string, ref: FieldRef): Promise<string> {
    const batch = this.openAll([{ text: envelope, ref }]);
    await batch.ready;
    const [opened] = batch.opened;
    if (isOpened(opened)) return opened;
    throw opened === undefined ? new Error("a value was left unopened") : opened.error;
  }

  /**
   * The envelopes of `items` (plaintexts), in order: at once when every context's data key is cached,
   * else a promise. Fails as a whole, with the error of the first value that cannot be sealed.
   */
  sealAll(items: readonly CipherItem[]): string[] | Promise<string[]> {
    const out = new Array<string>(items.length);
    const groups = new Map<string, SealGroup>();
    for (const [i, item] of items.entries()) {
      const context = locatedNow(item.ref, () => {
        if (typeof item.text !== "string")
          throw new VaultConfigError("an encrypted field holds strings only");
        return validContext(item.ref.context);
      });
      const canonical = canonicalize(context);
      const group = groups.get(canonical) ?? { context, indexes: [] };
      group.indexes.push(i);
      groups.set(canonical, group);
    }
    const aad = new AadBytes();
    const pending: Promise<void>[] = [];
    for (const group of groups.values()) {
      const sealing = this.#sealGroup(group, items, out, aad);
      if (sealing !== undefined) pending.push(sealing);
    }
    return pending.length === 0 ? out : Promise.all(pending).then(() => out);
  }

  /**
   * The plaintexts of `items` (envelopes), in order, each a string or an {@link Unopened} saying why
   * not: at once where a blob's data key is cached, the others once `ready` resolves. Each distinct key blob is
   * checked (its owner, the context it names) and looked up once; a value that is no envelope, that
   * the provider does not own or that names another context fails before any key is asked for.
   */
  openAll(items: readonly CipherItem[]): OpenedBatch {
    const out = new Array<Opened>(items.length);
    const batch = decodeEnvelopes(items.length, (i) => (items[i] as CipherItem).text);
    const groups = new Map<string, OpenGroup>();
    // A result's values share few blobs, and a row's context object (one per tenant) nearly always
    // goes with one of them: each value is compared in place with the blob its context had last,
    // and only a value that differs costs a lookup by its blob's bytes.
    const byContext = new Map<KeyContext, OpenGroup>();
    for (let i = 0; i < items.length; i++) {
      const { ref } = items[i] as CipherItem;
      const invalid = batch.invalid[i];
      if (invalid !== undefined) {
        out[i] = unopened(locate(invalid, ref));
        continue;
      }
      let group = byContext.get(ref.context);
      if (group === undefined || !sameBlob(batch, group.indexes[0] as number, i)) {
        const blob = blobOf(batch, i);
        const id = blobId(blob);
        group = groups.get(id);
        if (group === undefined) groups.set(id, (group = { blob, indexes: [] }));
        byContext.set(ref.context, group);
      }
      group.indexes.push(i);
    }
    const pending: Promise<void>[] = [];
    const open = (blob: Uint8Array, indexes: readonly number[]) => {
      const opening = this.#openGroup(blob, indexes, items, batch, out);
      if (opening !== undefined) pending.push(opening);
    };
    for (const group of groups.values()) {
      const admitted = this.#admitted(group, items, out);
      // Without a cache every value asks the provider for its key, as `cache: false` promises.
      if (this.keys.caching) open(group.blob, admitted);
      else for (const i of admitted) open(group.blob, [i]);
    }
    return {
      opened: out,
      ready: pending.length === 0 ? undefined : Promise.all(pending).then(() => undefined),
    };
  }

  /** Seals one context's values; `undefined` when done at once, else a promise of it. */
  #sealGroup(
    group: SealGroup,
    items: readonly CipherItem[],
    out: string[],
    aad: AadBytes,
  ): Promise<void> | undefined {
    let done = 0;
    const seal = (key: DataKey, uses: number): void => {
      const indexes = group.indexes.slice(done, done + uses);
      const texts = indexes.map((i) => (items[i] as CipherItem).text);
      const aads = indexes.map((i) => aad.of((items[i] as CipherItem).ref));
      const sealed = sealEnvelopes(this.aead, key.key, key.encryptedKeys, texts, aads);
      for (const [k, i] of indexes.entries()) out[i] = sealed[k] as string;
      done += uses;
    };
    const failed = (error: unknown): never => {
      throw locate(error, (items[group.indexes[done] as number] as CipherItem).ref);
    };
    // A key has maxUses uses: a group larger than what is left of one asks again for the rest.
    const step = (): Promise<void> | undefined => {
      while (done < group.indexes.length) {
        const sealing = this.keys.withEncryptionKey(group.context, seal, group.indexes.length - done);
        if (sealing instanceof Promise) return sealing.then(step, failed);
      }
      return undefined;
    };
    try {
      return step();
    } catch (error) {
      return failed(error);
    }
  }

  /**
   * The values of a blob group that may ask for its key: the provider owns the blob (checked once),
   * and the context the blob names, if any, is the row's. The others are marked in `out`.
   */
  #admitted(group: OpenGroup, items: readonly CipherItem[], out: Opened[]): number[] {
    try {
      checkOwner(group.blob, this.keys.provider);
    } catch (error) {
      for (const i of group.indexes) out[i] = unopened(locate(error, (items[i] as CipherItem).ref));
      return [];
    }
    const named = namedContext(group.blob);
    const admits = new Map<string, boolean>();
    const admitted: number[] = [];
    // A row's values share its context object: it is checked once per run of them.
    let context: KeyContext | undefined;
    let admit = false;
    for (const i of group.indexes) {
      const { ref } = items[i] as CipherItem;
      try {
        if (ref.context !== context) {
          const canonical = canonicalize(validContext(ref.context));
          admit = admits.get(canonical) ?? blobAdmits(named, canonical);
          admits.set(canonical, admit);
          context = ref.context;
        }
        if (!admit) throw new VaultDecryptError();
        admitted.push(i);
      } catch (error) {
        out[i] = unopened(locate(error, ref));
      }
    }
    return admitted;
  }

  /** Opens the values of one blob with its data key; `undefined` when done at once, else a promise. */
  #openGroup(
    blob: Uint8Array,
    indexes: readonly number[],
    items: readonly CipherItem[],
    batch: EnvelopeBatch,
    out: Opened[],
  ): Promise<void> | undefined {
    if (indexes.length === 0) return undefined;
    const failed = (error: unknown): void => {
      for (const i of indexes) out[i] = unopened(locate(error, (items[i] as CipherItem).ref));
    };
    const open = (key: DecryptedDataKey): void => {
      let opened: (string | null)[];
      try {
        opened = this.aead.openBatch(key.key, openBatchOf(batch, indexes, items));
      } catch (error) {
        failed(error);
        return;
      }
      for (const [k, i] of indexes.entries()) {
        const text = opened[k];
        out[i] =
          typeof text === "string"
            ? text
            : unopened(locate(new VaultDecryptError(), (items[i] as CipherItem).ref));
      }
    };
    // The row's context owns the call, so one tenant's cold keys cannot take every provider slot.
    const owner = (items[indexes[0] as number] as CipherItem).ref.context;
    try {
      const opening = this.keys.withDecryptionKey(blob, open, owner, indexes.length);
      return opening instanceof Promise ? opening.then(undefined, failed) : undefined;
    } catch (error) {
      failed(error);
      return undefined;
    }
  }
}

interface SealGroup {
  readonly context: KeyContext;
  readonly indexes: number[];
}

interface OpenGroup {
  readonly blob: Uint8Array;
  readonly indexes: number[];
}

/** A provider as a {@link KeyRouter} holds it: its label, its role, its counts and its ownership check. */
import type { KeyContext } from "../context/key-context.js";
import { VaultKeyProviderError } from "../errors.js";
import type { DataKey, DecryptedDataKey, KeyProvider } from "./provider.js";

/**
 * One distinct provider of a router, its name as the router reports it, and its counts.
 *
 * @example const member = new Member(ring, "local", false); member.claims(blob)
 */
export class Member {
  constructor(
    readonly provider: KeyProvider,
    readonly label: string,
    readonly decryptOnly: boolean,
    readonly counts = { createDataKey: 0, decryptDataKey: 0, rekey: 0 },
  ) {}

  /** The same member (name, role, counts) calling `provider` instead. */
  with(provider: KeyProvider): Member {
    return new Member(provider, this.label, this.decryptOnly, this.counts);
  }

  createDataKey(context: KeyContext): Promise<DataKey> {
    this.counts.createDataKey++;
    return this.provider.createDataKey(context);
  }

  decryptDataKey(encryptedKeys: Uint8Array): Promise<DecryptedDataKey> {
    this.counts.decryptDataKey++;
    return this.provider.decryptDataKey(encryptedKeys);
  }

  rekey(encryptedKeys: Uint8Array, context: KeyContext): Promise<DataKey> {
    // Precondition: a retired provider never wraps anything new, a rekey included.
    if (this.decryptOnly) {
      throw new VaultKeyProviderError(
        `key provider "${this.label}" is decrypt-only: a retired provider cannot rekey; use migrate rotate`,
      );
    }
    if (this.provider.rekey === undefined) {
      throw new VaultKeyProviderError(`key provider "${this.label}" cannot rekey (it has no rekey())`);
    }
    this.counts.rekey++;
    return this.provider.rekey(encryptedKeys, context);
  }

  claims(encryptedKeys: Uint8Array): boolean {
    const { provider } = this;
    try {
      return provider.owns
        ? provider.owns(encryptedKeys) === true
        : provider.recognizes!(encryptedKeys) === true;
    } catch (error) {
      throw new VaultKeyProviderError(`key provider "${this.label}": ownership check threw`, {
        cause: error,
      });
    }
  }
}

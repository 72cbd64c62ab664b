/**
 * `prisma.$vault`: what the extension adds to the client, beside Prisma's own members. Its own file, so
 * that the client's types (client-types.ts) and the extension that builds it both use it.
 */
import type { AeadBackend } from "../crypto/aead.js";
import type { VaultStats } from "../keys/vault-stats.js";
import type { KeyRouterCounts } from "../keys/router.js";
import type { VaultObjects } from "../objects/vault-objects.js";

/**
 * `prisma.$vault`: counters of the extension's data-key cache and key provider, Vault objects, and the
 * release of the client's keys.
 */
export interface VaultClientApi {
  /** The counters so far, a fresh snapshot on each call. */
  stats(): VaultClientStats;
  /**
   * WorkOS Vault's object API on this database, with `vault({ objects: true })`; without it, reading
   * this property throws `VaultConfigError`.
   */
  readonly objects: VaultObjects;
  /**
   * Zeroes and forgets every data key the client has cached, and keeps it from asking for keys again:
   * from then on a query that needs a key (a write of an encrypted field, a read of one, an object)
   * fails with `VaultConfigError`, where fetching the keys again would undo the release. Queries that
   * need no key run as before; a second call does nothing. It does not disconnect Prisma: call
   * `$disconnect()` as well when the client is done.
   *
   * @example
   * process.once("SIGTERM", async () => {
   *   await prisma.$vault.close();
   *   await prisma.$disconnect();
   * });
   */
  close(): Promise<void>;
  /**
   * {@link close}, for `await using`.
   *
   * @example
   * await using vaulted = prisma.$vault; // closed when the block ends
   */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The cache's counters, the AES-256-GCM backend `vault({ aead })` resolved to and, when `keys` is a
 * {@link KeyRouter}, the calls it passed to each of its providers.
 */
export interface VaultClientStats extends VaultStats {
  /** The AES-256-GCM backend in use: `"native"` (`prisma-vault-native`) or `"node"` (`node:crypto`). */
  readonly aead: AeadBackend["name"];
  /**
   * With a {@link KeyRouter} as `keys`: the calls it passed to each provider, by the name it reports
   * them under (`local`, `local#2`, …). Absent otherwise.
   */
  readonly routed?: Readonly<Record<string, KeyRouterCounts>>;
}

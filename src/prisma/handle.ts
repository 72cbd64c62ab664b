/**
 * What migrations need from a client extended with `vault()`: the validated schema, the cipher (and
 * its data-key cache) and the client underneath the extension, whose queries are not intercepted.
 * It hangs off `prisma.$vault` under a symbol, so it is not part of the client's typed surface.
 */
import type { FieldCipher } from "../cipher.js";
import { VaultConfigError } from "../errors.js";
import type { VaultSchema } from "../schema/model-schema.js";

const HANDLE = Symbol.for("prisma-vault.handle");

export interface VaultHandle {
  readonly schema: VaultSchema;
  readonly cipher: FieldCipher;
  /** The Prisma client under the extension: reads return envelopes, writes store what they are given. */
  readonly client: unknown;
}

/** Attaches `handle` to the `$vault` object of an extended client. */
export function withHandle<T extends object>(api: T, handle: VaultHandle): T {
  Object.defineProperty(api, HANDLE, { value: handle, enumerable: false });
  return api;
}

/**
 * The handle of a client extended with `vault()`; `VaultConfigError` for anything else.
 *
 * @example handleOf(prisma).schema.models.get("User")
 */
export function handleOf(prisma: unknown): VaultHandle {
  const api = (prisma as { $vault?: Record<symbol, unknown> } | null | undefined)?.$vault;
  const handle = api?.[HANDLE] as VaultHandle | undefined;
  if (!handle) throw new VaultConfigError("expected a Prisma client extended with vault()");
  return handle;
}

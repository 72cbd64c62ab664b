/**
 * `prisma-vault/workos`: the WorkOS Vault key provider. It never imports `@workos-inc/node` itself:
 * pass it your `WorkOS` instance.
 *
 * @module prisma-vault/workos
 */
export { WorkOSKeyProvider } from "./keys/workos.js";
export type { WorkOSKeyProviderOptions, WorkOSVaultClient } from "./keys/workos.js";
export type { WorkOSRetryOptions } from "./keys/workos-retry.js";

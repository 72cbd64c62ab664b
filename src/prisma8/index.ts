/**
 * `prisma-vault/prisma8`: prisma-vault for Prisma 8, as one SQL middleware (DESIGN.md §14). Loads without
 * `@prisma/client` (Prisma 7).
 */
export { vaultMiddleware } from "./middleware.js";
export type { VaultMiddleware, VaultMiddlewareOptions } from "./middleware.js";

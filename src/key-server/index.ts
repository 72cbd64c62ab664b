/**
 * `prisma-vault/key-server`: a local HTTP server speaking WorkOS Vault's key and object APIs, so the
 * real `@workos-inc/node` SDK runs end to end without a WorkOS account. A development and test tool.
 *
 * @module prisma-vault/key-server
 */
export { startKeyServer } from "./server.js";
export type { KeyServer } from "./server.js";
export type { KeyServerStats } from "./key-server-stats.js";
export { KEY_SERVER_TOKEN_ENV } from "./options.js";
export type { KeyServerOptions } from "./options.js";
export type { Fault, Faults, FaultSettings } from "./faults.js";

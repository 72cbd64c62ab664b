/**
 * The Prisma 6.19 side of test target "sqlite-prisma6": the client that scripts/generate-clients.ts
 * generates into ./generated/client with this folder's prisma@6.19 CLI, and the 6.19 SQLite driver
 * adapter. Both resolve @prisma/* and better-sqlite3 from compat/prisma6/node_modules, not from the
 * root's Prisma 7 install. Loaded by test/support/databases.ts; needs `npm ci --prefix compat/prisma6`
 * and `npm run generate` first.
 */
export { Prisma, PrismaClient } from "./generated/client/client.ts";
export { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

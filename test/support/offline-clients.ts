/**
 * Prisma clients of each test target that are constructed but never connected: what a client holds
 * before its first query (its engine config, its runtime data model) needs no database server. The
 * sqlite-prisma6 one is the Prisma 6.19 client from compat/prisma6 (see compat/prisma6/README.md).
 */
import { existsSync } from "node:fs";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaMariaDb } from "@prisma/adapter-mariadb";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Target } from "./databases.js";

/** compat/prisma6/index.js (a variable, so tsc leaves it alone). */
const PRISMA6: string = "../../compat/prisma6/index.js";

/** Why target sqlite-prisma6 cannot be loaded here, or `undefined` when it can. */
export const prisma6Missing: string | undefined = existsSync(
  new URL("../../compat/prisma6/node_modules", import.meta.url),
)
  ? undefined
  : "compat/prisma6 is not installed (npm ci --prefix compat/prisma6 && npm run generate)";

/** A client the caller only reads and then disconnects. */
export interface OfflineClient {
  $disconnect(): Promise<void>;
}

/**
 * A new client of `target` whose adapter points at no server (SQLite: an unopened in-memory database).
 *
 * @example
 * const client = await offlineClient("postgres");
 * inlineSchemaDataModel(client)?.provider; // "postgresql"
 * await client.$disconnect();
 */
export async function offlineClient(target: Target): Promise<OfflineClient> {
  type Client = new (options: object) => OfflineClient;
  if (target === "sqlite-prisma6") {
    const prisma6 = (await import(PRISMA6)) as {
      PrismaClient: Client;
      PrismaBetterSQLite3: new (options: { url: string }) => object;
    };
    return new prisma6.PrismaClient({ adapter: new prisma6.PrismaBetterSQLite3({ url: ":memory:" }) });
  }
  const { PrismaClient } = (await import(`../generated/${target}/client/client.ts`)) as {
    PrismaClient: Client;
  };
  const adapter =
    target === "sqlite"
      ? new PrismaBetterSqlite3({ url: ":memory:" })
      : target === "postgres"
        ? new PrismaPg({ connectionString: "postgresql://offline@127.0.0.1:9/offline" })
        : new PrismaMariaDb("mariadb://offline@127.0.0.1:9/offline");
  return new PrismaClient({ adapter });
}

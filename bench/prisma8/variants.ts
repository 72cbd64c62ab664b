/**
 * The clients the Prisma 8 cases of `npm run bench` compare (bench/prisma8.ts), all on PostgreSQL:
 * - a Prisma 8 app on a fresh database with bench/prisma8/contract.prisma (User, encrypted through
 *   `vaultMiddleware`, and its plaintext twin PlainUser), made as test/prisma8 makes one (its CLI's
 *   `contract emit` and `db init`), with a plain client and a client with the middleware;
 * - a Prisma 7 database of the test schema (test/support/databases.ts), whose User has the same columns,
 *   with a client extended by `vault()` and a plain one.
 * Both shells get the same key ring, index secret and AEAD backend, and a data-key cache each.
 *
 * Loaded only after bench/prisma8.ts has checked that Prisma 8 runs here: src/prisma8 loads
 * `@prisma/orm-postgres`, which needs Node >= 22.18.
 */
import { randomBytes } from "node:crypto";
import type { AeadChoice } from "../../src/crypto/aead.js";
import { LocalKeyProvider, vault } from "../../src/index.js";
import { vaultMiddleware, type VaultMiddleware } from "../../src/prisma8.js";
import type { ModelsOption } from "../../src/schema/options.js";
import { vaultSchema } from "../../test/generated/postgres/vault/index.js";
import { prisma8App, type Prisma8Db } from "../../test/prisma8/support/prisma8-app.js";
import { openDatabase, type TestDatabase } from "../../test/support/databases.js";

/** Prisma 8's encrypted fields of User: those the Prisma 7 test schema annotates on its User. */
export const MODELS: ModelsOption = {
  User: { context: ["organizationId"], fields: { email: {}, ssn: {}, notes: {} } },
};

/** The part of a Prisma 8 model's collection (`db.orm.public.User`) that the cases call. */
export interface Prisma8Collection {
  all(): PromiseLike<Record<string, unknown>[]>;
  select(...fields: string[]): Prisma8Collection;
  createAll(rows: readonly object[]): PromiseLike<Record<string, unknown>[]>;
  createAndCount(rows: readonly object[]): Promise<number>;
}

/** The part of a Prisma 7 client's User delegate that the cases call. */
export interface Prisma7Users {
  findMany(args?: object): Promise<Record<string, unknown>[]>;
  createMany(args: { data: readonly object[] }): Promise<{ count: number }>;
  createManyAndReturn(args: { data: readonly object[] }): Promise<Record<string, unknown>[]>;
}

/** What the cases run on. */
export interface Prisma8Variants {
  /** Prisma 8 without middleware: PlainUser (plaintext) and User (read and written as text). */
  readonly plain: { readonly PlainUser: Prisma8Collection; readonly User: Prisma8Collection };
  /** Prisma 8 with `vaultMiddleware`: User. */
  readonly vault: Prisma8Collection;
  /** Prisma 7 with `vault()`: User. */
  readonly prisma7: Prisma7Users;
  /** Prisma 7 without extension: User, read and written as text. */
  readonly prisma7Text: Prisma7Users;
  /** The middleware, for its stats. */
  readonly middleware: VaultMiddleware;
  /** Empties a table of the Prisma 8 database (`p8`) or the Prisma 7 one (`p7`). */
  empty(table: "p8.User" | "p8.PlainUser" | "p7.User"): Promise<void>;
  /** Closes every client and drops both databases. */
  close(): Promise<void>;
}

/**
 * Opens both databases and their clients. Throws test/prisma8's `Prisma8Skip` when PostgreSQL does not
 * answer, and an `Error` when the Prisma 7 database cannot be made.
 *
 * @example const variants = await prisma8Variants("node"); await variants.vault.all(); await variants.close();
 */
export async function prisma8Variants(aead: AeadChoice): Promise<Prisma8Variants> {
  const keys = new LocalKeyProvider({ keys: [{ id: "bench", key: LocalKeyProvider.generateKey() }] });
  const indexSecret = randomBytes(32);
  const app = await prisma8App("bench8", { contract: new URL("./contract.prisma", import.meta.url) });
  let database: TestDatabase | undefined;
  try {
    const opened = await openDatabase("postgres");
    if ("skip" in opened) throw new Error(`the Prisma 7 side's PostgreSQL database: ${opened.skip}`);
    database = opened;
    const middleware = vaultMiddleware({
      keys,
      models: MODELS,
      contract: app.contractJson,
      indexSecret,
      aead,
    });
    const plain = app.client();
    const extended = database.client().$extends(vault({ keys, schema: vaultSchema, indexSecret, aead }));
    const p7 = database;
    return {
      plain: { PlainUser: collection(plain, "PlainUser"), User: collection(plain, "User") },
      vault: collection(app.client([middleware]), "User"),
      prisma7: extended.user as unknown as Prisma7Users,
      prisma7Text: database.client().user as unknown as Prisma7Users,
      middleware,
      async empty(table) {
        const [side, name] = table.split(".") as ["p8" | "p7", string];
        if (side === "p8") await app.sql(`TRUNCATE "${name}"`);
        else await p7.plain.$executeRawUnsafe(`TRUNCATE "${name}"`);
      },
      async close() {
        await middleware.close();
        await Promise.all([app.drop(), p7.close()]);
      },
    };
  } catch (error) {
    await Promise.all([app.drop(), database?.close()]).catch(() => undefined);
    throw error;
  }
}

function collection(db: Prisma8Db, model: string): Prisma8Collection {
  const found = db.orm.public?.[model];
  if (found === undefined) throw new Error(`the bench contract has no model ${model}`);
  return found;
}

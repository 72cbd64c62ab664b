/**
 * A Prisma 8 app on a fresh PostgreSQL database, made the way a user makes one: a folder with
 * prisma.config.ts and the fixture contract (support/contract.prisma), `prisma contract emit`, then
 * `prisma db init --yes` from compat/prisma8's CLI, then `postgres({ contractJson, url, middleware })`.
 *
 * The runtime is the root's `@prisma/orm-postgres` (a devDependency pinned to the same 8.0.0-rc.13 as
 * compat/prisma8's), not compat/prisma8's copy: src/prisma8 builds SQL AST nodes with the classes of the
 * root's copy, and the runtime that lowers them must be the one those classes come from. compat/prisma8
 * supplies the CLI, and the `@prisma/orm-postgres/config` that its prisma.config.ts loads.
 *
 * Raw SQL for assertions goes through `pg` on its own connection, so what a test reads is what
 * PostgreSQL stores, never what a middleware let through.
 */
import { copyFile, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Contract } from "@prisma/orm-postgres/contract/types";
import type { SqlStorage } from "@prisma/orm-postgres/family-contract/types";
import type { PostgresClient, PostgresOptionsBase } from "@prisma/orm-postgres/runtime";
import pg from "pg";
import { emitContract } from "./emit-contract.js";
import { freshDatabase } from "./fresh-database.js";
import { runPrisma8Cli } from "./prisma8-cli.js";
import { assertPrisma8Runs, COMPAT_PRISMA8 } from "./prisma8-skip.js";

/** A Prisma 8 client on the fixture contract; models are at `db.orm.public.<Model>`. */
export type Prisma8Db = PostgresClient<Contract<SqlStorage>>;

/** One SQL middleware, as `postgres({ middleware })` takes it (e.g. `vaultMiddleware(options)`). */
export type Prisma8Middleware = NonNullable<PostgresOptionsBase["middleware"]>[number];

/** What {@link prisma8App} made: a database with the fixture's tables, and ways in. */
export interface Prisma8App {
  /** The database's connection URL. */
  readonly url: string;
  /** The emitted contract (contract.json), as `postgres({ contractJson })` takes it. */
  readonly contractJson: unknown;
  /** A new Prisma 8 client with `middleware` (none: a plain client); {@link drop} closes it. */
  client(middleware?: readonly Prisma8Middleware[]): Prisma8Db;
  /** Runs raw SQL through `pg`, past Prisma and every middleware, and returns the rows. */
  sql<Row = Record<string, unknown>>(query: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Closes every client and connection, drops the database and deletes the app folder. */
  drop(): Promise<void>;
}

/** prisma.config.ts of the app folder; `prisma/config` is compat/prisma8's CLI's own `definePrismaConfig`. */
const CONFIG = `import { defineConfig } from "@prisma/orm-postgres/config";
import { definePrismaConfig } from "prisma/config";

export default definePrismaConfig({
  orm: defineConfig({ contract: "./contract.prisma", db: { connection: process.env["DATABASE_URL"]! } }),
});
`;

/** What {@link prisma8App} may be given besides its name. */
export interface Prisma8AppOptions {
  /** The contract.prisma to emit and create (default: the fixture, support/contract.prisma); the bench has its own. */
  readonly contract?: URL;
}

/**
 * Creates database `p8_<name>_<pid>_<random>` with the fixture contract's tables (or those of
 * `options.contract`). Throws a `Prisma8Skip` when Prisma 8 or PostgreSQL is not available here (see
 * prisma8-skip.ts).
 *
 * @example
 * const app = await prisma8App("harness");
 * const db = app.client([vaultMiddleware(options)]);
 * await db.orm.public.User.create({ organizationId, email: "a@example.com" });
 * await app.drop();
 */
export async function prisma8App(name: string, options: Prisma8AppOptions = {}): Promise<Prisma8App> {
  assertPrisma8Runs();
  // Loaded only now: on a Node the release candidate does not support, assertPrisma8Runs() has thrown.
  const { default: postgres } = await import("@prisma/orm-postgres/runtime");
  const database = await freshDatabase(name);
  const { url } = database;
  const dir = await mkdtemp(join(tmpdir(), `prisma-vault-p8-${database.slug}-`));
  const clients: Prisma8Db[] = [];
  const raw = new pg.Client({ connectionString: url });
  const drop = async () => {
    await Promise.all(clients.map((db) => db.close()));
    await raw.end();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await raw.connect();
    // The config's imports resolve from the app folder, as in a user's project: compat/prisma8's packages.
    await symlink(join(COMPAT_PRISMA8, "node_modules"), join(dir, "node_modules"), "dir");
    await writeFile(join(dir, "prisma.config.ts"), CONFIG);
    await copyFile(
      options.contract ?? new URL("./contract.prisma", import.meta.url),
      join(dir, "contract.prisma"),
    );
    const contractJson = await emitContract(dir, url);
    await runPrisma8Cli(["db", "init", "--yes"], { cwd: dir, url });
    return {
      url,
      contractJson,
      client(middleware = []) {
        const db = postgres<Contract<SqlStorage>>({ contractJson, url, middleware });
        clients.push(db);
        return db;
      },
      async sql<Row>(query: string, params: readonly unknown[] = []) {
        const result = await raw.query(query, [...params]);
        return result.rows as Row[];
      },
      drop,
    };
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
}

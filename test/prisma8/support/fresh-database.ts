/**
 * A fresh PostgreSQL database for one test file of test/prisma8 (and the guide's app): made on the
 * test server, named uniquely per file and run, and dropped by `drop()`. Skips (or fails, under
 * PRISMA_VAULT_REQUIRE_PRISMA8 or PRISMA_VAULT_REQUIRE_DATABASES) when PostgreSQL does not answer.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { SERVERS } from "../../support/global-setup.js";
import { skipOrFail } from "./prisma8-skip.js";

/** A database made for a test, and how to drop it. */
export interface FreshDatabase {
  readonly url: string;
  /** The test's name as it appears in the database's: lower case, `_` for the rest, 30 characters at most. */
  readonly slug: string;
  /** Drops the database (it waits, up to 5 s, for closing connections to go) and ends the admin connection. */
  drop(): Promise<void>;
}

/**
 * A new database `p8_<slug>_<pid>_<random>`; `slug` is the test file's name, so a leftover database
 * says whose it is.
 *
 * @example const { url, drop } = await freshDatabase("round_trips");
 */
export async function freshDatabase(slug: string): Promise<FreshDatabase> {
  const adminUrl = process.env[SERVERS.postgres.env] ?? SERVERS.postgres.url;
  // An unquoted identifier within PostgreSQL's 63 characters.
  const safe = slug
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .slice(0, 30);
  const database = `p8_${safe}_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
  } catch (error) {
    await admin.end().catch(() => undefined);
    skipOrFail(
      `PostgreSQL at ${redact(adminUrl)} is not reachable (${String(error)}); set ${SERVERS.postgres.env}`,
      ["PRISMA_VAULT_REQUIRE_DATABASES"],
    );
  }
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    slug: safe,
    async drop() {
      // Not WITH (FORCE): a pool's end() resolves before its sockets close, and a connection the server
      // terminates then reports an error nobody listens to any more.
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      await admin.end();
    },
  };
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

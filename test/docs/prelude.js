/**
 * What the guides' code blocks take as given, made real: the docs test copies this file into its app as
 * docs-prelude.js and imports it before each block. A block is a fragment of an app; the names it uses
 * without declaring them (`base`, `prisma`, `keys`, `workos`, …) and prisma-vault's exports are set
 * here as globals, so that a block's own declarations, imports included, shadow them as they would in
 * the reader's app. Plain JavaScript: it imports the app's generated client, which this repo does not
 * have to typecheck against.
 */
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { WorkOS } from "@workos-inc/node";
import * as exported from "prisma-vault";
import { PrismaClient } from "./generated/prisma/client.ts";
import { vaultSchema } from "./generated/vault/index.js";

const { LocalKeyProvider, vault } = exported;
const adapter = new PrismaBetterSqlite3({ url: "file:./dev.db" });
const base = new PrismaClient({ adapter });
const keys = LocalKeyProvider.fromEnv();
const prisma = base.$extends(vault({ keys, schema: vaultSchema, objects: true }));
const port = Number(process.env.DOCS_WORKOS_PORT);

Object.assign(globalThis, exported, {
  PrismaClient,
  PrismaBetterSqlite3,
  WorkOS,
  vaultSchema,
  adapter,
  base,
  keys,
  provider: keys,
  prisma,
  // A value a block searches for.
  email: "ann@x.io",
  models: { User: { context: ["organizationId"], fields: { ssn: {} } } },
  // A WorkOS client of the test's key server (the SDK over HTTP, as against WorkOS).
  workos: new WorkOS(process.env.WORKOS_API_KEY, { apiHostname: "127.0.0.1", port, https: false }),
  // A query extension of the user's own, which goes before vault().
  softDelete: {
    name: "softDelete",
    query: { $allModels: { $allOperations: ({ args, query }) => query(args) } },
  },
  logger: { info: () => undefined },
  alertOperator: () => undefined,
  signal: new AbortController().signal,
  lastSync: new Date(0),
  newKey: LocalKeyProvider.generateKey(),
  acmeRing: new LocalKeyProvider({ keys: [{ id: "acme-1", key: LocalKeyProvider.generateKey() }] }),
  // startKeyServer's options, as a reader's app would have them.
  port: 0,
  host: "127.0.0.1",
  token: process.env.WORKOS_API_KEY,
  faults: false,
  objects: prisma.$vault.objects,
  idempotencyTtlMs: 3_600_000,
  idempotencyKeys: 10_000,
});

/**
 * prisma-vault quickstart: a Prisma client on embedded SQLite whose User.email and User.ssn are
 * encrypted per organization, in the WorkOS Vault envelope format, with email searchable through
 * its blind index; and a tenant's API key stored as a versioned Vault object.
 *
 *   npm ci && npm run example
 *
 * Uses PRISMA_VAULT_KEYS and PRISMA_VAULT_INDEX_KEY when set; otherwise throwaway keys made for this run.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { isVaultError, LocalKeyProvider, vault } from "../../src/index.js";
import { PrismaClient } from "./generated/client/client.js";
import { vaultSchema } from "./generated/vault/index.js";

const keys = process.env["PRISMA_VAULT_KEYS"]
  ? LocalKeyProvider.fromEnv()
  : new LocalKeyProvider({ keys: [{ id: "demo", key: LocalKeyProvider.generateKey() }] });

const dir = mkdtempSync(join(tmpdir(), "prisma-vault-quickstart-"));
const base = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${join(dir, "dev.db")}` }) });
// The schema's `/// @encrypted` and `/// @vault.context` annotations configure the extension.
const indexSecret = process.env["PRISMA_VAULT_INDEX_KEY"] ?? randomBytes(32);
const prisma = base.$extends(vault({ keys, schema: vaultSchema, indexSecret, objects: true }));

try {
  await createTables();

  // 1. Two organizations, one user each. The app writes and reads plaintext.
  for (const [org, name, email, ssn] of [
    ["org_acme", "Ann", "ann@acme.test", "123-45-6789"],
    ["org_globex", "Bob", "bob@globex.test", "987-65-4321"],
  ] as const) {
    await prisma.organization.create({ data: { id: org, name: org } });
    await prisma.user.create({ data: { organizationId: org, name, email, ssn } });
  }

  // 2. What the database stores next to what the app reads.
  const stored = await base.$queryRawUnsafe<{ id: number; organizationId: string; ssn: string }[]>(
    `SELECT id, organizationId, ssn FROM "User" ORDER BY id`,
  );
  for (const user of await prisma.user.findMany({ orderBy: { id: "asc" } })) {
    const raw = stored.find((row) => Number(row.id) === user.id)?.ssn ?? "";
    console.log(`${user.name} (${user.organizationId})`);
    console.log(`  database: ssn = ${raw.slice(0, 56)}…`);
    console.log(`  app:      ssn = ${user.ssn}, email = ${user.email}`);
  }

  // 3. Log in by email: the filter is rewritten to the blind index, normalized like the stored value.
  const login = await prisma.user.findFirst({ where: { email: "  ANN@acme.test" } });
  const [{ emailIndex } = { emailIndex: "" }] = await base.$queryRawUnsafe<{ emailIndex: string }[]>(
    `SELECT emailIndex FROM "User" WHERE id = ${login?.id ?? 0}`,
  );
  console.log(`log-in lookup "  ANN@acme.test": ${login?.name} via emailIndex = ${emailIndex.slice(0, 16)}…`);
  if (login?.name !== "Ann") throw new Error("the blind-index lookup did not find Ann");

  // 4. Copy Ann's ciphertext into Bob's row (another tenant): it is refused, not decrypted.
  await base.$executeRawUnsafe(
    `UPDATE "User" SET ssn = (SELECT ssn FROM "User" WHERE name = 'Ann') WHERE name = 'Bob'`,
  );
  try {
    await prisma.user.findFirstOrThrow({ where: { name: "Bob" } });
    throw new Error("a ciphertext copied to another tenant decrypted; this must never happen");
  } catch (error) {
    if (!isVaultError(error, "VAULT_DECRYPT_FAILED")) throw error;
    console.log(`copied to another tenant: refused with ${error.code} (${error.message})`);
  }

  // 5. A secret that is no column of a row: a tenant's API key as a Vault object, versioned.
  const objects = prisma.$vault.objects;
  const key = await objects.createObject({
    name: "stripe-key:org_acme",
    value: "sk_test_acme_1",
    context: { organizationId: "org_acme" },
  });
  await objects.updateObject({ id: key.id, value: "sk_test_acme_2", versionCheck: key.versionId });
  try {
    await objects.updateObject({ id: key.id, value: "sk_test_lost", versionCheck: key.versionId });
    throw new Error("a stale versionCheck was accepted");
  } catch (error) {
    if (!isVaultError(error, "VAULT_CONFLICT")) throw error;
    console.log(`stale versionCheck: refused with ${error.code}`);
  }
  const current = await objects.readObjectByName("stripe-key:org_acme");
  const versions = await objects.listObjectVersions({ id: key.id });
  console.log(`object ${current.name}: value ${current.value}, ${versions.length} versions`);

  const stats = prisma.$vault.stats();
  console.log(
    `key provider calls: ${stats.provider.createDataKey} createDataKey, ${stats.provider.decryptDataKey} decryptDataKey`,
  );
} finally {
  await base.$disconnect();
  rmSync(dir, { recursive: true, force: true });
}

/** The schema's tables. A real project runs `prisma migrate`; this example stays offline. */
async function createTables(): Promise<void> {
  await base.$executeRawUnsafe(`CREATE TABLE "Organization" ("id" TEXT PRIMARY KEY, "name" TEXT NOT NULL)`);
  await base.$executeRawUnsafe(
    `CREATE TABLE "User" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "organizationId" TEXT NOT NULL,
      "name" TEXT NOT NULL, "email" TEXT NOT NULL, "emailIndex" TEXT UNIQUE, "ssn" TEXT)`,
  );
  await base.$executeRawUnsafe(
    `CREATE TABLE "VaultObject" ("id" TEXT PRIMARY KEY, "name" TEXT NOT NULL, "liveName" TEXT UNIQUE,
      "context" TEXT NOT NULL, "keyId" TEXT NOT NULL, "versionId" TEXT NOT NULL, "value" TEXT NOT NULL,
      "createdAt" DATETIME NOT NULL, "updatedAt" DATETIME NOT NULL, "deletedAt" DATETIME)`,
  );
  await base.$executeRawUnsafe(
    `CREATE TABLE "VaultObjectVersion" ("id" TEXT PRIMARY KEY,
      "objectId" TEXT NOT NULL REFERENCES "VaultObject" ("id") ON DELETE CASCADE,
      "keyId" TEXT NOT NULL, "value" TEXT NOT NULL, "createdAt" DATETIME NOT NULL)`,
  );
}

/**
 * The runtime legs' scenario (issue 26), the same on workerd, Bun and Deno: it imports only the packed
 * package's entries and the WorkOS SDK, and is given an unextended Prisma client on the runtime's SQLite
 * (D1 or libsql). It returns what it saw; the Node test asserts it.
 *
 * 1. two tenants' users created through the extension (local key ring);
 * 2. findMany, an include, a blind-index login, an update that reads first, found by its new email;
 * 3. one tenant's ciphertext copied into the other's row is refused with VAULT_DECRYPT_FAILED; then an
 *    updateMany over both tenants;
 * 4. when a key server is given: a user written and read with `WorkOSKeyProvider` over the runtime's fetch.
 */
import { WorkOS } from "@workos-inc/node";
import {
  isVaultError,
  LocalKeyProvider,
  vault,
  WorkOSKeyProvider,
  type GeneratedVaultSchema,
} from "prisma-vault";
// Only a type: the app's own client, generated from the same models, is what runs.
import type { PrismaClient } from "../../examples/quickstart/generated/client/client.js";

/** What the runner passes in: the secrets, and the key server when the runtime can reach it. */
export interface ScenarioInput {
  /** The app's `vaultSchema` (generated/vault). */
  readonly schema: GeneratedVaultSchema;
  /** A 32-byte master key, base64 (the local key ring's `keys` entry "ring"). */
  readonly masterKey: string;
  /** The blind index secret, base64. */
  readonly indexSecret: string;
  readonly keyServer?: { readonly url: string; readonly token: string };
}

export interface ScenarioReport {
  readonly users: { name: string; organizationId: string; email: string; ssn: string | null }[];
  readonly stored: { name: string; ssnIsEnvelope: boolean; plaintextStored: boolean }[];
  readonly included: Record<string, string[]>;
  readonly login: string | null;
  readonly updated: { readonly name: string | null; readonly ssn: string | null };
  readonly crossTenant: string;
  readonly updatedMany: { readonly count: number; readonly ssns: (string | null)[] };
  readonly workos?: { readonly read: string | null; readonly envelope: boolean };
}

/** A Prisma client generated from schema.template.prisma, unextended. */
type Client = PrismaClient;

export const TABLES = [
  `CREATE TABLE IF NOT EXISTS "Organization" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS "User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "organizationId" TEXT NOT NULL, "name" TEXT NOT NULL, "email" TEXT NOT NULL, "emailIndex" TEXT, "ssn" TEXT, CONSTRAINT "User_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE RESTRICT ON UPDATE CASCADE)`,
  `CREATE UNIQUE INDEX IF NOT EXISTS "User_emailIndex_key" ON "User"("emailIndex")`,
];

const PEOPLE = [
  ["org_acme", "Ann", "ann@acme.test", "123-45-6789"],
  ["org_globex", "Bob", "bob@globex.test", "987-65-4321"],
] as const;

/** `base` with the extension as the scenario configures it (a worker may build it at module scope). */
export function withLocalVault(base: Client, input: ScenarioInput) {
  const keys = new LocalKeyProvider({ keys: [{ id: "ring", key: input.masterKey }] });
  return base.$extends(vault({ keys, schema: input.schema, indexSecret: input.indexSecret }));
}

export type VaultClient = ReturnType<typeof withLocalVault>;

/** Runs the scenario on `base`'s database, through `extended` (default: {@link withLocalVault}). */
export async function runScenario(
  base: Client,
  input: ScenarioInput,
  extended?: VaultClient,
): Promise<ScenarioReport> {
  for (const statement of TABLES) await base.$executeRawUnsafe(statement);
  const prisma = extended ?? withLocalVault(base, input);

  for (const [org, name, email, ssn] of PEOPLE) {
    await prisma.organization.create({ data: { id: org, name: org } });
    await prisma.user.create({ data: { organizationId: org, name, email, ssn } });
  }
  const users = (await prisma.user.findMany({ orderBy: { id: "asc" } })).map((u) => ({
    name: u.name,
    organizationId: u.organizationId,
    email: u.email,
    ssn: u.ssn,
  }));
  const rows = await base.$queryRawUnsafe<{ name: string; ssn: string | null; email: string }[]>(
    `SELECT name, ssn, email FROM "User" ORDER BY id`,
  );
  const stored = rows.map((row) => ({
    name: row.name,
    ssnIsEnvelope: row.ssn !== null && !row.ssn.includes("-") && row.ssn.length > 40,
    plaintextStored: PEOPLE.some(([, , email, ssn]) => row.ssn === ssn || row.email === email),
  }));
  const orgs = await prisma.organization.findMany({ include: { users: true }, orderBy: { id: "asc" } });
  const included = Object.fromEntries(orgs.map((o) => [o.id, o.users.map((u) => u.email)]));
  const login = (await prisma.user.findFirst({ where: { email: "  ANN@acme.test" } }))?.name ?? null;

  // An update that reads the row first (its tenant is not in the data): in a transaction where the
  // database has them (D1 runs its statements one by one). Then found by its new email.
  const ann = await prisma.user.findFirstOrThrow({ where: { name: "Ann" } });
  await prisma.user.update({
    where: { id: ann.id },
    data: { email: "ann@acme.example", ssn: "111-22-3333" },
  });
  const found = await prisma.user.findFirst({ where: { email: "ANN@acme.example" } });
  const updated = { name: found?.name ?? null, ssn: found?.ssn ?? null };

  await base.$executeRawUnsafe(
    `UPDATE "User" SET ssn = (SELECT ssn FROM "User" WHERE name = 'Ann') WHERE name = 'Bob'`,
  );
  let crossTenant = "decrypted";
  try {
    await prisma.user.findFirstOrThrow({ where: { name: "Bob" } });
  } catch (error) {
    crossTenant = isVaultError(error) ? error.code : `not a VaultError: ${String(error)}`;
  }

  // An updateMany over both tenants: one write per tenant, each sealed under its own key context
  // (it also replaces the copied ciphertext).
  const { count } = await prisma.user.updateMany({
    where: { name: { in: ["Ann", "Bob"] } },
    data: { ssn: "000-00-0000" },
  });
  const after = await prisma.user.findMany({
    where: { name: { in: ["Ann", "Bob"] } },
    orderBy: { id: "asc" },
  });
  const updatedMany = { count, ssns: after.map((u) => u.ssn) };

  if (input.keyServer === undefined) {
    return { users, stored, included, login, updated, crossTenant, updatedMany };
  }
  const url = new URL(input.keyServer.url);
  const workos = new WorkOS(input.keyServer.token, {
    apiHostname: url.hostname,
    port: Number(url.port),
    https: url.protocol === "https:",
  });
  const viaWorkos = base.$extends(
    vault({ keys: new WorkOSKeyProvider({ workos }), schema: input.schema, indexSecret: input.indexSecret }),
  );
  await viaWorkos.organization.create({ data: { id: "org_initech", name: "org_initech" } });
  const created = await viaWorkos.user.create({
    data: { organizationId: "org_initech", name: "Cy", email: "cy@initech.test", ssn: "555-01-0001" },
  });
  const read = await viaWorkos.user.findUnique({ where: { id: created.id } });
  const [row] = await base.$queryRawUnsafe<{ ssn: string | null }[]>(
    `SELECT ssn FROM "User" WHERE id = ${Number(created.id)}`,
  );
  return {
    users,
    stored,
    included,
    login,
    updated,
    crossTenant,
    updatedMany,
    workos: { read: read?.ssn ?? null, envelope: typeof row?.ssn === "string" && row.ssn !== "555-01-0001" },
  };
}

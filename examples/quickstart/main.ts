/**
 * prisma-vault quickstart (foundation): per-tenant field encryption in the WorkOS Vault envelope
 * format, read back by the official @workos-inc/node SDK through the local key server.
 *
 *   npm ci && npm run example
 *
 * Uses PRISMA_VAULT_KEYS when set; otherwise a throwaway master key made for this run.
 */
import { WorkOS } from "@workos-inc/node";
import {
  associatedData,
  DataKeyCache,
  FieldCipher,
  isVaultError,
  LocalKeyProvider,
  startKeyServer,
  WorkOSKeyProvider,
} from "../../src/index.js";

const local = process.env["PRISMA_VAULT_KEYS"]
  ? LocalKeyProvider.fromEnv()
  : new LocalKeyProvider({ keys: [{ id: "demo", key: LocalKeyProvider.generateKey() }] });

// 1. Encrypt two tenants' SSNs with the local key ring and a data-key cache.
const cipher = new FieldCipher(new DataKeyCache(local));
const rows = [
  { id: 1, organizationId: "org_acme", ssn: "123-45-6789" },
  { id: 2, organizationId: "org_globex", ssn: "987-65-4321" },
];
const stored = await Promise.all(
  rows.map(async (row) => ({
    ...row,
    ssn: await cipher.encrypt(row.ssn, {
      model: "User",
      field: "ssn",
      context: { organizationId: row.organizationId },
    }),
  })),
);
for (const [i, row] of stored.entries()) {
  const ref = { model: "User", field: "ssn", context: { organizationId: row.organizationId }, id: row.id };
  console.log(`row ${row.id} (${row.organizationId})`);
  console.log(`  stored: ${row.ssn.slice(0, 60)}…`);
  console.log(`  read:   ${await cipher.decrypt(row.ssn, ref)}  (was ${rows[i]!.ssn})`);
}

// 2. A ciphertext copied into another tenant's row is refused.
try {
  await cipher.decrypt(stored[0]!.ssn, {
    model: "User",
    field: "ssn",
    context: { organizationId: "org_globex" },
    id: 2,
  });
  throw new Error("a cross-tenant copy decrypted: this must never happen");
} catch (error) {
  if (!isVaultError(error, "VAULT_DECRYPT_FAILED")) throw error;
  console.log(`\ncopying row 1's SSN into row 2 (org_globex) is refused: ${error.code} — ${error.message}`);
}

// 3. The same format, through WorkOS Vault's key API: our local key server and the official SDK.
const server = await startKeyServer({ provider: local });
try {
  const workos = new WorkOS("sk_example", { apiHostname: "127.0.0.1", port: server.port, https: false });
  const viaWorkOS = new FieldCipher(new DataKeyCache(new WorkOSKeyProvider({ workos })));
  const context = { organizationId: "org_acme" };
  const envelope = await viaWorkOS.encrypt("4111-1111-1111-1111", { model: "User", field: "card", context });
  const bySdk = await workos.vault.decrypt(envelope, associatedData("User", "card", context));
  console.log(`\nworkos.vault.decrypt() reads prisma-vault's envelope: ${bySdk}`);
  console.log(
    `key server calls: ${JSON.stringify({ dataKey: server.stats().dataKey, decrypt: server.stats().decrypt })}`,
  );
} finally {
  await server.close();
}

/**
 * `prisma-vault reseal-objects --config <file>` as a real child process: on a SQLite file holding an
 * object value written as prisma-vault 0.2 wrote it (not bound to its name), it binds it in place and
 * exits 0; a version that opens neither way is listed and exits 2; a config whose client has no
 * objects exits 1 naming the option.
 */
import { describe, expect, it } from "vitest";
import { sealEnvelope } from "../../src/crypto/seal-envelope.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { legacyObjectAad } from "../../src/objects/sealing.js";
import { vault } from "../../src/prisma/extension.js";
import { copyDatabase, masterKey, runCliAsync, sqliteClient, useCliRig } from "../support/migrate-cli.js";

describe("prisma-vault reseal-objects --config", () => {
  const rig = useCliRig("reseal");
  const keys = new LocalKeyProvider({ keys: [{ id: "k1", key: Buffer.from(masterKey, "base64") }] });
  const context = { organizationId: "org_1" };

  it("binds a 0.2 value to its name (exit 0), lists a version that opens neither way (exit 2), and refuses a client without objects (exit 1)", async () => {
    const file = await copyDatabase(rig.db(), rig.dir(), "reseal");
    const plain = sqliteClient(file);
    const prisma = plain.$extends(vault({ keys, models: {}, objects: true }));
    try {
      const created = await prisma.$vault.objects.createObject({
        name: "from-0.2",
        value: "whsec_old",
        context,
      });
      const key = await keys.createDataKey(context);
      const aad = legacyObjectAad({
        id: created.id,
        versionId: created.versionId,
        name: "from-0.2",
        context,
      });
      const old = sealEnvelope(key.key, key.encryptedKeys, "whsec_old", aad);
      await plain.vaultObject.update({ where: { id: created.id }, data: { value: old } });
      await plain.vaultObjectVersion.update({ where: { id: created.versionId }, data: { value: old } });
      expect(
        await prisma.$vault.objects.readObject({ id: created.id }).catch((e: { code?: string }) => e.code),
      ).toBe("VAULT_DECRYPT_FAILED");

      const done = await runCliAsync(["reseal-objects", "--config", "objects.config.mjs", "--json"], {
        cwd: rig.dir(),
        database: file,
      });
      expect(done.stderr).toBe("");
      expect(done.status).toBe(0);
      expect(JSON.parse(done.stdout)).toEqual({ scanned: 1, resealed: 1, failed: [], failedTotal: 0 });
      expect((await prisma.$vault.objects.readObject({ id: created.id })).value).toBe("whsec_old");

      const other = await prisma.$vault.objects.createObject({ name: "tampered", value: "x", context });
      await plain.vaultObjectVersion.update({ where: { id: other.versionId }, data: { value: old } });
      const failed = await runCliAsync(["reseal-objects", "--config", "objects.config.mjs"], {
        cwd: rig.dir(),
        database: file,
      });
      expect(failed.status).toBe(2);
      expect(failed.stdout).toContain("2 versions read, 0 resealed, 1 failed");
      expect(failed.stdout).toContain(`failed: ${other.id} ${other.versionId}`);
      expect(failed.stdout).not.toContain("whsec_old");
    } finally {
      await plain.$disconnect();
    }

    const refused = await runCliAsync(["reseal-objects", "--config", "vault.config.mjs"], {
      cwd: rig.dir(),
      database: file,
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("VAULT_CONFIG");
    expect(refused.stderr).toContain("vault({ objects: true })");
  }, 60_000);
});

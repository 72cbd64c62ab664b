/**
 * An object's value bound to its name (issue 24), per database: names swapped in the database no
 * longer hand one tenant's secret to a read of the other's name; values sealed by prisma-vault 0.2
 * (bound to id, version and context only) are refused by default, opened only with `unboundValues:
 * "open"`, and bound in place by `resealObjects()`. Run per database by binding-<target>.test.ts.
 */
import { expect, it } from "vitest";
import type { KeyContext } from "../../src/context/key-context.js";
import { VaultConfigError } from "../../src/errors.js";
import { sealEnvelope } from "../../src/crypto/seal-envelope.js";
import { legacyObjectAad } from "../../src/objects/sealing.js";
import type { Target } from "../support/databases.js";
import { vaultFailure } from "../support/errors.js";
import { expectNoSecrets } from "../support/secrets.js";
import { useObjectsRig } from "./objects-rig.js";

export function bindingSuite(target: Target): void {
  const rig = useObjectsRig(target);
  const objects = () => rig.prisma().$vault.objects;
  const plain = () => rig.database().plain;

  /** Rewrites version `versionId` of `id` (and the object's current value, if it is that version) as 0.2 sealed it. */
  const sealAsVersion02 = async (
    object: { id: string; name: string; context: KeyContext },
    versionId: string,
    value: string,
  ) => {
    const key = await rig.keys.createDataKey(object.context);
    const aad = legacyObjectAad({ id: object.id, versionId, name: object.name, context: object.context });
    const envelope = sealEnvelope(key.key, key.encryptedKeys, value, aad);
    await plain().vaultObjectVersion.update({ where: { id: versionId }, data: { value: envelope } });
    await plain().vaultObject.updateMany({ where: { id: object.id, versionId }, data: { value: envelope } });
    return envelope;
  };

  it("names swapped in the database: neither name reads the other tenant's secret, by name, by id or through the SDK", async () => {
    const [a, b] = [rig.secret("stripe-a"), rig.secret("stripe-b")];
    const oa = await objects().createObject({
      name: "stripe-key:org_a",
      value: a,
      context: { organizationId: "org_a" },
    });
    const ob = await objects().createObject({
      name: "stripe-key:org_b",
      value: b,
      context: { organizationId: "org_b" },
    });
    // Swap the names alone: each row keeps its own context, key and value, which all still match.
    const rowA = await plain().vaultObject.findUniqueOrThrow({ where: { id: oa.id } });
    const rowB = await plain().vaultObject.findUniqueOrThrow({ where: { id: ob.id } });
    await plain().$transaction([
      plain().vaultObject.update({ where: { id: oa.id }, data: { name: "swap", liveName: null } }),
      plain().vaultObject.update({ where: { id: ob.id }, data: { name: rowA.name, liveName: rowA.name } }),
      plain().vaultObject.update({ where: { id: oa.id }, data: { name: rowB.name, liveName: rowB.name } }),
    ]);
    for (const read of [
      () => objects().readObjectByName("stripe-key:org_b"),
      () => objects().readObjectByName("stripe-key:org_a"),
      () => objects().readObject({ id: oa.id }),
      () => objects().readObject({ id: ob.id }),
    ]) {
      const failure = await vaultFailure(read());
      expect(failure.code).toBe("VAULT_DECRYPT_FAILED");
      expectNoSecrets(failure);
    }
    const sdk = await rig.workos.vault.readObjectByName("stripe-key:org_b").catch((e: unknown) => e);
    expect(sdk).toMatchObject({ status: 400 });
    expectNoSecrets(sdk);
  });

  it('a value sealed by 0.2 is refused by default, opened with unboundValues: "open", and bound in place by resealObjects()', async () => {
    const context = { organizationId: "org_1" };
    const [v1, v2] = [rig.secret("old-1"), rig.secret("old-2")];
    const created = await objects().createObject({ name: "from-0.2", value: v1, context });
    const updated = await objects().updateObject({ id: created.id, value: v2 });
    const object = { id: created.id, name: "from-0.2", context };
    const oldCurrent = await sealAsVersion02(object, updated.metadata.versionId, v2);
    await sealAsVersion02(object, created.versionId, v1);
    const bound = await objects().createObject({ name: "bound", value: rig.secret("new"), context });

    const refused = await vaultFailure(objects().readObject({ id: created.id }));
    expect(refused.code).toBe("VAULT_DECRYPT_FAILED");
    expectNoSecrets(refused);
    expect(await rig.workos.vault.readObject({ id: created.id }).catch((e: unknown) => e)).toMatchObject({
      status: 400,
    });
    const open = rig.prisma({ unboundValues: "open" }).$vault.objects;
    expect((await open.readObject({ id: created.id })).value).toBe(v2);
    expect((await open.readObjectVersion({ id: created.id, versionId: created.versionId })).value).toBe(v1);

    // A version that opens neither way is reported and left as it is.
    const tampered = await objects().createObject({ name: "tampered", value: rig.secret("t"), context });
    const garbage = (await plain().vaultObjectVersion.findUniqueOrThrow({ where: { id: bound.versionId } }))
      .value;
    await plain().vaultObjectVersion.update({ where: { id: tampered.versionId }, data: { value: garbage } });

    const report = await objects().resealObjects();
    expect(report).toEqual({
      scanned: 4,
      resealed: 2,
      failed: [{ id: tampered.id, versionId: tampered.versionId }],
      failedTotal: 1,
    });
    expect((await objects().readObject({ id: created.id })).value).toBe(v2);
    expect((await objects().readObjectVersion({ id: created.id, versionId: created.versionId })).value).toBe(
      v1,
    );
    expect((await plain().vaultObject.findUniqueOrThrow({ where: { id: created.id } })).value).not.toBe(
      oldCurrent,
    );
    expect(
      (await plain().vaultObjectVersion.findUniqueOrThrow({ where: { id: tampered.versionId } })).value,
    ).toBe(garbage);
    // Run again: nothing left to bind.
    expect(await objects().resealObjects()).toMatchObject({ scanned: 4, resealed: 0, failedTotal: 1 });
  });

  it('unboundValues takes "refuse" or "open" and nothing else', () => {
    expect(() => rig.prisma({ unboundValues: "fallback" as never })).toThrow(VaultConfigError);
    expect(() => rig.prisma({ unboundValues: "refuse" })).not.toThrow();
  });
}

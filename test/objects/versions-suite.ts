/**
 * An object's versions and writes that arrive twice (issue 24), per database: versions list in commit
 * order whatever order concurrent updaters chose their ids in; a checked or unchecked update sent
 * again after it was applied, and a delete sent again, change nothing and do not fail; each version
 * carries SDK 10+'s `etag` and `size`. Run per database by versions-<target>.test.ts.
 */
import { expect, it } from "vitest";
import type { Target } from "../support/databases.js";
import { vaultFailure } from "../support/errors.js";
import { SDK_MAJOR } from "../support/key-server.js";
import { useObjectsRig } from "./objects-rig.js";

export function versionsSuite(target: Target): void {
  const rig = useObjectsRig(target);
  const objects = () => rig.prisma().$vault.objects;
  const context = { organizationId: "org_1" };
  const versionRows = (objectId: string) =>
    rig.database().plain.vaultObjectVersion.count({ where: { objectId } });

  it("20 concurrent unchecked updates: versions list in commit order, the current one first, each later than the next", async () => {
    const created = await objects().createObject({ name: "order", value: rig.secret("v0"), context });
    const values = Array.from({ length: 20 }, (_, i) => rig.secret(`v${i + 1}`));
    const updates = await Promise.all(
      values.map((value) => objects().updateObject({ id: created.id, value })),
    );
    const current = await objects().readObject({ id: created.id });
    const versions = await objects().listObjectVersions({ id: created.id });
    expect(versions).toHaveLength(21);
    expect(versions[0]).toMatchObject({ id: current.metadata.versionId, currentVersion: true });
    expect(versions.filter((v) => v.currentVersion)).toHaveLength(1);
    expect(versions.at(-1)?.id).toBe(created.versionId);
    for (const [i, version] of versions.slice(1).entries())
      expect(version.createdAt.getTime()).toBeLessThan(versions[i]!.createdAt.getTime());
    // The current value is the last committer's, and its reply names the time the list shows.
    const last = updates.find((u) => u.metadata.versionId === current.metadata.versionId);
    expect(current.value).toBe(values[updates.indexOf(last!)]);
    expect(last?.metadata.updatedAt).toEqual(versions[0]?.createdAt);
    expect(current.metadata.updatedAt).toEqual(versions[0]?.createdAt);
  });

  it("a checked update sent again after it was applied returns the version it made and writes nothing; another value from that check is VAULT_CONFLICT", async () => {
    const created = await objects().createObject({
      name: "replayed-update",
      value: rig.secret("a"),
      context,
    });
    const value = rig.secret("b");
    const first = await objects().updateObject({ id: created.id, value, versionCheck: created.versionId });
    const again = await objects().updateObject({ id: created.id, value, versionCheck: created.versionId });
    expect(again.metadata).toEqual(first.metadata);
    expect(await versionRows(created.id)).toBe(2);
    const other = await vaultFailure(
      objects().updateObject({ id: created.id, value: rig.secret("c"), versionCheck: created.versionId }),
    );
    expect(other.code).toBe("VAULT_CONFLICT");
    // Once another version follows, the first check is stale even with the same value.
    const third = await objects().updateObject({ id: created.id, value: rig.secret("d") });
    const late = await vaultFailure(
      objects().updateObject({ id: created.id, value, versionCheck: created.versionId }),
    );
    expect(late.code).toBe("VAULT_CONFLICT");
    expect((await objects().readObject({ id: created.id })).metadata.versionId).toBe(
      third.metadata.versionId,
    );
    // Over HTTP as well: the SDK's second PUT gets 200 and the same version.
    const sdk = await rig.workos.vault.updateObject({
      id: created.id,
      value,
      versionCheck: third.metadata.versionId,
    });
    const sdkAgain = await rig.workos.vault.updateObject({
      id: created.id,
      value,
      versionCheck: third.metadata.versionId,
    });
    expect(sdkAgain.metadata.versionId).toBe(sdk.metadata.versionId);
    expect(await versionRows(created.id)).toBe(4);
  });

  it("an unchecked update with the current value writes nothing and returns the current version", async () => {
    const value = rig.secret("same");
    const created = await objects().createObject({ name: "same-value", value, context });
    const again = await objects().updateObject({ id: created.id, value });
    expect(again.metadata.versionId).toBe(created.versionId);
    expect(await versionRows(created.id)).toBe(1);
    const changed = await objects().updateObject({ id: created.id, value: rig.secret("changed") });
    expect(changed.metadata.versionId).not.toBe(created.versionId);
    expect(await versionRows(created.id)).toBe(2);
  });

  it("a delete sent again succeeds and changes nothing; with another version's check, or once purged, it is VAULT_NOT_FOUND", async () => {
    const created = await objects().createObject({ name: "deleted-twice", value: rig.secret("x"), context });
    await objects().deleteObject({ id: created.id, versionCheck: created.versionId });
    const row = await rig.database().plain.vaultObject.findUnique({ where: { id: created.id } });
    await objects().deleteObject({ id: created.id, versionCheck: created.versionId });
    await objects().deleteObject({ id: created.id });
    expect(await rig.database().plain.vaultObject.findUnique({ where: { id: created.id } })).toEqual(row);
    const other = await vaultFailure(objects().deleteObject({ id: created.id, versionCheck: "version_0" }));
    expect(other.code).toBe("VAULT_NOT_FOUND");
    await objects().purgeDeleted({ olderThan: new Date(Date.now() + 60_000) });
    expect((await vaultFailure(objects().deleteObject({ id: created.id }))).code).toBe("VAULT_NOT_FOUND");
    // A live object with a stale check is still a conflict, and stays.
    const live = await objects().createObject({ name: "deleted-twice", value: rig.secret("y"), context });
    await objects().updateObject({ id: live.id, value: rig.secret("z") });
    const stale = await vaultFailure(objects().deleteObject({ id: live.id, versionCheck: live.versionId }));
    expect(stale.code).toBe("VAULT_CONFLICT");
    expect((await objects().describeObject({ id: live.id })).id).toBe(live.id);
  });

  it("each version carries etag (a digest of what is stored) and size (the value's UTF-8 bytes), here and through the SDK", async () => {
    const [a, b] = ["héllo wörld", rig.secret("second")];
    const created = await objects().createObject({ name: "digests", value: a, context });
    await objects().updateObject({ id: created.id, value: b });
    const versions = await objects().listObjectVersions({ id: created.id });
    expect(versions.map((v) => v.size)).toEqual([Buffer.byteLength(b), Buffer.byteLength(a)]);
    for (const version of versions) expect(version.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(versions[0]?.etag).not.toBe(versions[1]?.etag);
    const sdk = await rig.workos.vault.listObjectVersions({ id: created.id });
    expect(sdk.map((v) => v.id)).toEqual(versions.map((v) => v.id));
    // SDK 8's version shape has neither field; 10+ reads both.
    if (SDK_MAJOR >= 10)
      expect(sdk.map((v) => [(v as { etag?: string }).etag, (v as { size?: number }).size])).toEqual(
        versions.map((v) => [v.etag, v.size]),
      );
  });
}

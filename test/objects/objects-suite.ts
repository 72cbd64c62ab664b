/**
 * Vault objects on a real database (issue 14): the official SDK's object methods end to end against
 * the key server backed by `prisma.$vault.objects`, optimistic locking under 50 concurrent updaters,
 * cursor pages over 1,000 objects both ways in both orders, what the columns hold, values copied
 * between objects or versions, the seeds' tenant check, and purgeDeleted. Run per database by
 * objects-<target>.test.ts.
 */
import { randomBytes } from "node:crypto";
import { NotFoundException, UnprocessableEntityException } from "@workos-inc/node";
import { expect, it } from "vitest";
import { newObjectId } from "../../src/objects/ids.js";
import { objectAad } from "../../src/objects/sealing.js";
import type { ObjectList } from "../../src/objects/shapes.js";
import type { Target } from "../support/databases.js";
import { vaultFailure } from "../support/errors.js";
import { TEST_TOKEN } from "../support/key-server.js";
import { expectNoSecrets } from "../support/secrets.js";
import { useObjectsRig } from "./objects-rig.js";

export function objectsSuite(target: Target): void {
  const rig = useObjectsRig(target);
  const { database, secret } = rig;
  const objects = () => rig.prisma().$vault.objects;

  const rawObject = async (id: string) =>
    (await database().raw<Record<string, unknown>>("VaultObject", `${quoted("id")} = '${id}'`))[0];
  const quoted = (name: string) => (target === "mariadb" ? `\`${name}\`` : `"${name}"`);

  /** The version id an SDK object reply carries, which the key server always sets. */
  const versionIdOf = (reply: { readonly versionId?: string | null }): string => {
    const id = reply.versionId;
    if (typeof id !== "string") throw new Error(`the reply has no version id: ${String(id)}`);
    expect(id).toMatch(/^version_/);
    return id;
  };

  it("the SDK's object methods end to end: create, read, by name, describe, update, stale update, versions, delete, read, create again", async () => {
    const [first, second] = [secret("sk_live"), secret("sk_live_rotated")];
    const context = { organizationId: "org_1" };
    const created = await rig.workos.vault.createObject({ name: "stripe-key", value: first, context });
    expect(created).toMatchObject({
      context,
      environmentId: "environment_prisma_vault",
    });
    expect(created.id).toMatch(/^secret_[0-9A-F]{32}$/);
    expect(created.updatedAt).toBeInstanceOf(Date);
    expect(created.updatedBy).toEqual({ id: "prisma-vault", name: "prisma-vault" });

    const read = await rig.workos.vault.readObject({ id: created.id });
    expect(read).toMatchObject({ id: created.id, name: "stripe-key", value: first });
    expect(read.metadata).toMatchObject({ versionId: created.versionId, keyId: created.keyId, context });
    expect(await rig.workos.vault.readObjectByName("stripe-key")).toMatchObject({
      id: created.id,
      value: first,
    });
    const described = await rig.workos.vault.describeObject({ id: created.id });
    expect(described).toMatchObject({ id: created.id, name: "stripe-key" });
    // SDK 8 leaves the property out; SDK 10+ sets it to undefined.
    expect(described.value).toBeUndefined();

    // SDK 8 types versionId `string`; SDK 11+ `string | null | undefined`. Ours always sets it.
    const createdVersion = versionIdOf(created);
    const updated = await rig.workos.vault.updateObject({
      id: created.id,
      value: second,
      versionCheck: createdVersion,
    });
    expect(updated.metadata.versionId).not.toBe(created.versionId);
    expect(updated.metadata.context).toEqual(context);
    const stale = await rig.workos.vault
      .updateObject({ id: created.id, value: secret("lost"), versionCheck: createdVersion })
      .catch((e: unknown) => e);
    // SDK 8 throws its ConflictException, which it does not export.
    expect(stale).toMatchObject({ name: "ConflictException", status: 409 });
    expectNoSecrets(stale);
    expect((await rig.workos.vault.readObject({ id: created.id })).value).toBe(second);

    const versions = await rig.workos.vault.listObjectVersions({ id: created.id });
    expect(versions.map((v) => [v.id, v.currentVersion])).toEqual([
      [updated.metadata.versionId, true],
      [created.versionId, false],
    ]);
    expect(versions[0]?.createdAt).toBeInstanceOf(Date);
    // The old version stays readable through its entry until purged.
    const old = await objects().readObjectVersion({ id: created.id, versionId: createdVersion });
    expect(old.value).toBe(first);

    await rig.workos.vault.deleteObject({ id: created.id });
    for (const call of [
      () => rig.workos.vault.readObject({ id: created.id }),
      () => rig.workos.vault.readObjectByName("stripe-key"),
      () => rig.workos.vault.describeObject({ id: created.id }),
      () => rig.workos.vault.listObjectVersions({ id: created.id }),
      () => rig.workos.vault.updateObject({ id: created.id, value: "x" }),
    ])
      expect(await call().catch((e: unknown) => e)).toBeInstanceOf(NotFoundException);
    // Deleted at another version than the one checked: not found (SDK 8 sends no version_check).
    const staleDelete = await vaultFailure(
      objects().deleteObject({ id: created.id, versionCheck: createdVersion }),
    );
    expect(staleDelete.code).toBe("VAULT_NOT_FOUND");
    // A delete again (a retry whose reply was lost) is done already: it succeeds and changes nothing.
    await rig.workos.vault.deleteObject({ id: created.id });
    expect((await rig.workos.vault.listObjects()).data.map((o) => o.id)).not.toContain(created.id);

    const again = await rig.workos.vault.createObject({ name: "stripe-key", value: first, context });
    expect(again.id).not.toBe(created.id);
    expect((await rig.workos.vault.readObjectByName("stripe-key")).id).toBe(again.id);
  });

  it("names are unique among live objects: a second create is VAULT_CONFLICT (409 to the SDK); of 10 concurrent creates one wins", async () => {
    const context = { organizationId: "org_1" };
    await objects().createObject({ name: "webhook", value: secret("whsec"), context });
    expect(
      (await vaultFailure(objects().createObject({ name: "webhook", value: secret("v"), context }))).code,
    ).toBe("VAULT_CONFLICT");
    const sdk = await rig.workos.vault
      .createObject({ name: "webhook", value: "v", context })
      .catch((e: unknown) => e);
    expect(sdk).toMatchObject({ name: "ConflictException", status: 409 });
    const racing = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        objects().createObject({ name: "race", value: `value-${i}`, context }),
      ),
    );
    expect(racing.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of racing)
      if (r.status === "rejected")
        expect((await vaultFailure(Promise.reject(r.reason as Error))).code).toBe("VAULT_CONFLICT");
    expect(await database().plain.vaultObject.count({ where: { name: "race" } })).toBe(1);
    // Any name travels in the SDK's URL: slashes, spaces, percent signs, non-ASCII.
    const odd = "team/a b%2F-é";
    await objects().createObject({ name: odd, value: "odd", context });
    expect((await rig.workos.vault.readObjectByName(odd)).value).toBe("odd");
    const near = await rig.workos.vault.readObjectByName("team/a b").catch((e: unknown) => e);
    expect(near).toBeInstanceOf(NotFoundException);
  });

  it("50 concurrent updateObject calls with the same versionCheck: exactly 1 wins, 49 get VAULT_CONFLICT, the winner's value is stored", async () => {
    const created = await objects().createObject({
      name: "oauth",
      value: "v0",
      context: { organizationId: "org_1" },
    });
    const values = Array.from({ length: 50 }, (_, i) => `value-${i}-${randomBytes(6).toString("hex")}`);
    const results = await Promise.allSettled(
      values.map((value) =>
        objects().updateObject({ id: created.id, value, versionCheck: created.versionId }),
      ),
    );
    const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of results)
      if (r.status === "rejected")
        expect((await vaultFailure(Promise.reject(r.reason as Error))).code).toBe("VAULT_CONFLICT");
    const read = await objects().readObject({ id: created.id });
    expect(read.value).toBe(values[won[0] as number]);
    expect(await objects().listObjectVersions({ id: created.id })).toHaveLength(2);
  });

  it("listObjects over 1,000 objects: every page forward with after and back with before, each object exactly once, in both orders", async () => {
    // Rows written straight to the table (the list reads no value): 1,000 ids, three to a millisecond,
    // and 20 deleted ones the list must skip.
    const base = Date.now() - 10_000;
    const rows = Array.from({ length: 1_020 }, (_, i) => {
      const id = newObjectId(base + Math.floor(i / 3));
      const deleted = i % 51 === 0;
      return {
        id,
        name: `list-${i}`,
        liveName: deleted ? null : `list-${i}`,
        context: '{"organizationId":"org_1"}',
        keyId: "k",
        versionId: "version_x",
        value: "not read",
        createdAt: new Date(base),
        updatedAt: new Date(base),
        deletedAt: deleted ? new Date(base) : null,
      };
    });
    await database().plain.vaultObject.createMany({ data: rows });
    const live = rows.filter((row) => row.deletedAt === null).map((row) => row.id);
    expect(live).toHaveLength(1_000);
    for (const order of ["asc", "desc"] as const) {
      const expected = [...live].sort();
      if (order === "desc") expected.reverse();
      const forward: string[] = [];
      let after: string | undefined;
      let pages = 0;
      let last: ObjectList | undefined;
      do {
        last = await objects().listObjects({ limit: 37, order, ...(after !== undefined && { after }) });
        forward.push(...last.data.map((o) => o.id));
        expect(last.listMetadata.before !== undefined).toBe(pages > 0);
        after = last.listMetadata.after;
        pages++;
      } while (after !== undefined);
      expect(forward).toEqual(expected);
      expect(pages).toBe(Math.ceil(1_000 / 37));
      // Back from the last page with before.
      const backward: string[][] = [last.data.map((o) => o.id)];
      let before = last.listMetadata.before;
      while (before !== undefined) {
        const page = await objects().listObjects({ limit: 37, order, before });
        backward.unshift(page.data.map((o) => o.id));
        expect(page.listMetadata.after).toBe(page.data[page.data.length - 1]?.id);
        before = page.listMetadata.before;
      }
      expect(backward.flat()).toEqual(expected);
    }
    // The SDK reads the same pages over HTTP.
    const page = await rig.workos.vault.listObjects({ limit: 5, order: "asc" });
    expect(page.data.map((o) => o.id)).toEqual([...live].sort().slice(0, 5));
    expect(page.data[0]?.updatedAt).toBeInstanceOf(Date);
    expect(page.listMetadata).toEqual({ after: page.data[4]?.id });
    const next = await rig.workos.vault.listObjects({
      limit: 5,
      order: "asc",
      after: page.listMetadata.after!,
    });
    expect(next.listMetadata).toEqual({ before: next.data[0]?.id, after: next.data[4]?.id });
  });

  it("the columns hold envelopes, never the value; a value copied into another object's row or version is VAULT_DECRYPT_FAILED", async () => {
    const [a, b] = [secret("value-a"), secret("value-b")];
    const context = { organizationId: "org_1" };
    const oa = await objects().createObject({ name: "a", value: a, context });
    const ob = await objects().createObject({ name: "b", value: b, context });
    const rowA = await rawObject(oa.id);
    const dump =
      JSON.stringify(await database().raw("VaultObject")) +
      JSON.stringify(await database().raw("VaultObjectVersion"));
    expect(dump).not.toContain(a);
    expect(dump).not.toContain(b);
    expect(String(rowA?.["value"])).toMatch(/^[A-Za-z0-9+/]+=*$/);
    // A's envelope in B's row: same tenant, same key, another object.
    await database().plain.vaultObject.update({
      where: { id: ob.id },
      data: { value: String(rowA?.["value"]) },
    });
    expect((await vaultFailure(objects().readObject({ id: ob.id }))).code).toBe("VAULT_DECRYPT_FAILED");
    // Another version's envelope in a version row.
    const updated = await objects().updateObject({ id: oa.id, value: secret("value-a2") });
    await database().plain.vaultObjectVersion.update({
      where: { id: oa.versionId },
      data: { value: String((await rawObject(oa.id))?.["value"]) },
    });
    const copied = await vaultFailure(objects().readObjectVersion({ id: oa.id, versionId: oa.versionId }));
    expect(copied.code).toBe("VAULT_DECRYPT_FAILED");
    expect((await objects().readObject({ id: oa.id })).metadata.versionId).toBe(updated.metadata.versionId);
  });

  it("the seeds' check: an object of { organization_id: test_org } is not readable as one of different_org by any path", async () => {
    const value = secret("tenant-secret");
    const ours = await objects().createObject({
      name: "ours",
      value,
      context: { organization_id: "test_org" },
    });
    const theirs = await objects().createObject({
      name: "theirs",
      value: "x",
      context: { organization_id: "different_org" },
    });
    const envelope = String((await rawObject(ours.id))?.["value"]);
    // Its envelope moved into the other tenant's object.
    await database().plain.vaultObject.update({ where: { id: theirs.id }, data: { value: envelope } });
    expect((await vaultFailure(objects().readObject({ id: theirs.id }))).code).toBe("VAULT_DECRYPT_FAILED");
    // Its own row relabelled as the other tenant's.
    await database().plain.vaultObject.update({
      where: { id: ours.id },
      data: { context: '{"organization_id":"different_org"}' },
    });
    expect((await vaultFailure(objects().readObject({ id: ours.id }))).code).toBe("VAULT_DECRYPT_FAILED");
    const sdk = await rig.workos.vault.readObject({ id: ours.id }).catch((e: unknown) => e);
    expect(sdk).toMatchObject({ status: 400 });
    expectNoSecrets(sdk);
    // The SDK's own decrypt opens the envelope with its associated data, and fails under the other
    // tenant's context (the associated data names the context).
    const place = {
      id: ours.id,
      versionId: ours.versionId,
      name: "ours",
      context: { organization_id: "test_org" },
    };
    expect(await rig.workos.vault.decrypt(envelope, objectAad(place))).toBe(value);
    await expect(
      rig.workos.vault.decrypt(
        envelope,
        objectAad({ ...place, context: { organization_id: "different_org" } }),
      ),
    ).rejects.toThrow();
  });

  it("purgeDeleted removes objects deleted before the cut-off with their versions, and nothing else", async () => {
    const context = { organizationId: "org_1" };
    const make = async (name: string) => {
      const meta = await objects().createObject({ name, value: "v1", context });
      await objects().updateObject({ id: meta.id, value: "v2" });
      return meta.id;
    };
    const [old, recent, live] = [await make("old"), await make("recent"), await make("live")];
    await objects().deleteObject({ id: old });
    await objects().deleteObject({ id: recent });
    const cut = new Date();
    await database().plain.vaultObject.update({
      where: { id: old },
      data: { deletedAt: new Date(cut.getTime() - 86_400_000) },
    });
    await database().plain.vaultObject.update({
      where: { id: recent },
      data: { deletedAt: new Date(cut.getTime() + 60_000) },
    });
    expect(await objects().purgeDeleted({ olderThan: cut })).toEqual({ objects: 1, versions: 2 });
    const ids = (await database().plain.vaultObject.findMany({ select: { id: true } }))
      .map((r) => r.id)
      .sort();
    expect(ids).toEqual([recent, live].sort());
    expect(await database().plain.vaultObjectVersion.count({ where: { objectId: old } })).toBe(0);
    expect(await database().plain.vaultObjectVersion.count({ where: { objectId: recent } })).toBe(2);
    expect((await objects().readObject({ id: live })).value).toBe("v2");
    expect(await objects().purgeDeleted({ olderThan: cut })).toEqual({ objects: 0, versions: 0 });
  });

  it("deleteObject with a stale versionCheck is VAULT_CONFLICT and deletes nothing; the context is fixed at creation", async () => {
    const created = await objects().createObject({
      name: "fixed",
      value: "v1",
      context: { organizationId: "org_1" },
    });
    const updated = await objects().updateObject({ id: created.id, value: "v2" });
    expect(
      (await vaultFailure(objects().deleteObject({ id: created.id, versionCheck: created.versionId }))).code,
    ).toBe("VAULT_CONFLICT");
    await objects().deleteObject({ id: created.id, versionCheck: updated.metadata.versionId });
    expect((await vaultFailure(objects().readObject({ id: created.id }))).code).toBe("VAULT_NOT_FOUND");
    // The SDK's update takes no context; an extra one in the body is not read.
    const other = await objects().createObject({
      name: "fixed2",
      value: "v1",
      context: { organizationId: "org_1" },
    });
    const response = await fetch(`${rig.server.url}/vault/v1/kv/${other.id}`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ value: "v2", key_context: { organizationId: "org_2" } }),
    });
    expect(response.status).toBe(200);
    expect((await objects().readObject({ id: other.id })).metadata.context).toEqual({
      organizationId: "org_1",
    });
  });

  it("bad input is refused before any write: VAULT_INVALID_ARGUMENT / VAULT_CONTEXT_INVALID, 400 and 422 over HTTP", async () => {
    const context = { organizationId: "org_1" };
    const code = async (promise: Promise<unknown>) => (await vaultFailure(promise)).code;
    expect(await code(objects().createObject({ name: "", value: "v", context }))).toBe(
      "VAULT_INVALID_ARGUMENT",
    );
    expect(await code(objects().createObject({ name: "x".repeat(256), value: "v", context }))).toBe(
      "VAULT_INVALID_ARGUMENT",
    );
    expect(await code(objects().createObject({ name: "n", value: 5 as never, context }))).toBe(
      "VAULT_INVALID_ARGUMENT",
    );
    expect(
      await code(objects().createObject({ name: "n", value: "x".repeat(256 * 1024 + 1), context })),
    ).toBe("VAULT_INVALID_ARGUMENT");
    expect(await code(objects().createObject({ name: "n", value: "v", context: {} }))).toBe(
      "VAULT_CONTEXT_INVALID",
    );
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"]));
    expect(await code(objects().createObject({ name: "n", value: "v", context: eleven }))).toBe(
      "VAULT_CONTEXT_INVALID",
    );
    for (const limit of [0, 101, 1.5])
      expect(await code(objects().listObjects({ limit }))).toBe("VAULT_INVALID_ARGUMENT");
    expect(await code(objects().listObjects({ before: "a", after: "b" }))).toBe("VAULT_INVALID_ARGUMENT");
    expect(await code(objects().listObjects({ order: "up" as never }))).toBe("VAULT_INVALID_ARGUMENT");
    expect(await code(objects().readObject({ id: "" }))).toBe("VAULT_INVALID_ARGUMENT");
    expect(await code(objects().readObject({ id: "secret_NOPE" }))).toBe("VAULT_NOT_FOUND");
    expect(await code(objects().purgeDeleted({ olderThan: new Date(Number.NaN) }))).toBe(
      "VAULT_INVALID_ARGUMENT",
    );
    expect(await database().plain.vaultObject.count()).toBe(0);

    const sdkContext = await rig.workos.vault
      .createObject({ name: "n", value: "v", context: {} })
      .catch((e: unknown) => e);
    expect(sdkContext).toBeInstanceOf(UnprocessableEntityException);
    const post = (body: unknown) =>
      fetch(`${rig.server.url}/vault/v1/kv`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TEST_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    const missing = await post({ value: "v", key_context: context });
    expect([missing.status, await missing.json()]).toEqual([
      400,
      { message: "name is required", code: "invalid_request" },
    ]);
    expect((await post({ name: "n", value: "v", key_context: "org" })).status).toBe(422);
    const limit = await fetch(`${rig.server.url}/vault/v1/kv?limit=500`, {
      headers: { Authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(limit.status).toBe(422);
    const unauthorized = await fetch(`${rig.server.url}/vault/v1/kv`, {
      headers: { Authorization: "Bearer sk_wrong" },
    });
    expect(unauthorized.status).toBe(401);
    expect(await database().plain.vaultObject.count()).toBe(0);
  });
}

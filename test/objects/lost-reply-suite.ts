/**
 * Vault objects on a real database when a reply is lost after commit (faults.dropNext): the object is
 * created once, whatever the client saw. SDK 11+ retries `createObject` with the Idempotency-Key it sent
 * and gets the committed object's metadata; SDK 8 and 10 retry with no key and get a 409 for the name
 * their own lost request took. Also: PUT and DELETE with an Idempotency-Key over plain HTTP, and a lost
 * update or delete through the SDK, which sends no key on those: the store recognises the write it
 * already made (src/objects/replayed-writes.ts). Run per database by lost-reply-<target>.test.ts.
 */
import { expect, it } from "vitest";
import type { Target } from "../support/databases.js";
import { SDK_MAJOR, TEST_TOKEN } from "../support/key-server.js";
import { expectNoSecrets } from "../support/secrets.js";
import { useObjectsRig } from "./objects-rig.js";

/** Whether the installed SDK sends an Idempotency-Key with each POST (11.0 onwards; 8 and 10 do not). */
const SENDS_KEYS = SDK_MAJOR >= 11;

export function lostReplySuite(target: Target): void {
  const rig = useObjectsRig(target);
  const { database, secret } = rig;
  const context = { organizationId: "org_1" };

  const rowsNamed = (name: string) => database().plain.vaultObject.findMany({ where: { name } });
  const versionsOf = (objectId: string) => database().plain.vaultObjectVersion.count({ where: { objectId } });
  const call = (method: string, path: string, key: string, body?: unknown) =>
    fetch(`${rig.server.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${TEST_TOKEN}`,
        "Idempotency-Key": key,
        ...(body !== undefined && { "Content-Type": "application/json" }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });

  it("createObject whose reply is lost after commit: one object and one version in the database; SDK 11+ gets its metadata, SDK 8 a 409", async () => {
    const value = secret("lost-create");
    rig.server.faults.dropNext(1);
    const created = await rig.workos.vault
      .createObject({ name: "lost-create", value, context })
      .catch((e: unknown) => e);
    const rows = await rowsNamed("lost-create");
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(await versionsOf(row.id)).toBe(1);
    expect(rig.server.stats()).toMatchObject({ objects: 2, dropped: 1, replayed: SENDS_KEYS ? 1 : 0 });
    if (SENDS_KEYS) {
      // The retry carried the lost request's key: its answer is the committed object's metadata.
      expect(created).toMatchObject({ id: row.id, context, versionId: row.versionId });
      expect((await rig.workos.vault.readObject({ id: row.id })).value).toBe(value);
    } else {
      // SDK 8 and 10 retry the network error on /vault/ paths with no key: a second create of a name the
      // first (lost) one took. The object is there, under the id the caller never learnt.
      expect(created).toMatchObject({ name: "ConflictException", status: 409 });
      expectNoSecrets(created);
      expect((await rig.workos.vault.readObjectByName("lost-create")).value).toBe(value);
    }
  });

  it("POST /vault/v1/kv twice with one Idempotency-Key creates one object; another body under that key is 422 and creates nothing", async () => {
    const body = { name: "once", value: secret("once"), key_context: context };
    const first = await call("POST", "/vault/v1/kv", "create-once", body);
    const second = await call("POST", "/vault/v1/kv", "create-once", body);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(await second.json()).toEqual(await first.json());
    const other = await call("POST", "/vault/v1/kv", "create-once", { ...body, name: "twice" });
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: "idempotency_key_reused" });
    expect(await rowsNamed("once")).toHaveLength(1);
    expect(await rowsNamed("twice")).toHaveLength(0);
    // Without a key, the same body again is a second create: 409.
    expect((await fetchCreate(body)).status).toBe(409);
  });

  it("a repeated PUT with one Idempotency-Key makes one version (not a stale 409); a repeated DELETE answers 204 again (not 404)", async () => {
    const created = await rig.prisma().$vault.objects.createObject({ name: "kept", value: "v1", context });
    const path = `/vault/v1/kv/${created.id}`;
    const update = { value: secret("v2"), version_check: created.versionId };
    const first = await call("PUT", path, "update-once", update);
    const second = await call("PUT", path, "update-once", update);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await second.json()).toEqual(await first.json());
    expect(await versionsOf(created.id)).toBe(2);
    const deleted = `${path}?version_check=${(await rig.prisma().$vault.objects.describeObject({ id: created.id })).metadata.versionId}`;
    const gone = [await call("DELETE", deleted, "delete-once"), await call("DELETE", deleted, "delete-once")];
    expect(gone.map((r) => r.status)).toEqual([204, 204]);
    // The same key for a DELETE with another query is another request.
    expect((await call("DELETE", `${path}?version_check=other`, "delete-once")).status).toBe(422);
    expect(rig.server.stats().replayed).toBe(2);
  });

  it("the SDK sends no Idempotency-Key on PUT or DELETE, and the store knows its own write: a lost update's retry gets the version it made, a lost delete's retry succeeds", async () => {
    const created = await rig.prisma().$vault.objects.createObject({
      name: "unkeyed",
      value: secret("v1"),
      context,
    });
    rig.server.faults.dropNext(1);
    const updated = await rig.workos.vault.updateObject({ id: created.id, value: secret("v2") });
    expect(await versionsOf(created.id)).toBe(2);
    rig.server.faults.dropNext(1);
    const v3 = secret("v3");
    const checked = await rig.workos.vault.updateObject({
      id: created.id,
      value: v3,
      versionCheck: updated.metadata.versionId!,
    });
    expect(await versionsOf(created.id)).toBe(3);
    const current = await rig.prisma().$vault.objects.readObject({ id: created.id });
    expect(current.value).toBe(v3);
    expect(checked.metadata.versionId).toBe(current.metadata.versionId);
    rig.server.faults.dropNext(1);
    // SDK 8's options type has no versionCheck (nor sends it); 10+ sends ?version_check=.
    const checkedDelete = { id: created.id, versionCheck: checked.metadata.versionId! };
    await rig.workos.vault.deleteObject(checkedDelete);
    expect(await rowsNamed("unkeyed")).toMatchObject([{ id: created.id, liveName: null }]);
    // Each call was served twice: once unanswered, once by the retry; nothing came from the key store.
    expect(rig.server.stats()).toMatchObject({ dropped: 3, replayed: 0 });
  });

  const fetchCreate = (body: unknown) =>
    fetch(`${rig.server.url}/vault/v1/kv`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
}

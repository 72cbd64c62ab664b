/**
 * Vault objects at the edges (issue 24), on a real database: text no database stores as given (NUL,
 * lone surrogates, malformed percent-encoding) refused before any query; names a URL cannot carry
 * (`.`, `..`) refused at creation; a stored value that is no envelope answered as one that does not
 * decrypt, and not retried; SDK 12's list API (search, updated_after, autoPagination) and
 * readObjectByName({ name }). Each through the official SDK and through prisma.$vault.objects. Run per
 * database by holes-<target>.test.ts.
 */
import { randomBytes } from "node:crypto";
import { UnprocessableEntityException } from "@workos-inc/node";
import { expect, it } from "vitest";
import { newObjectId } from "../../src/objects/ids.js";
import type { ListObjectsOptions } from "../../src/objects/input.js";
import type { Target } from "../support/databases.js";
import { vaultFailure } from "../support/errors.js";
import { SDK_MAJOR, TEST_TOKEN } from "../support/key-server.js";
import { expectNoSecrets } from "../support/secrets.js";
import { useObjectsRig } from "./objects-rig.js";

export function holesSuite(target: Target): void {
  const rig = useObjectsRig(target);
  const { database, secret } = rig;
  const objects = () => rig.prisma().$vault.objects;
  const context = { organizationId: "org_1" };

  const code = async (promise: Promise<unknown>) => (await vaultFailure(promise)).code;
  /** Rows of both tables: what a refused call must leave as it was. */
  const counts = async () => [
    await database().plain.vaultObject.count(),
    await database().plain.vaultObjectVersion.count(),
  ];
  const http = (path: string, init: RequestInit = {}) =>
    fetch(`${rig.server.url}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, "Content-Type": "application/json" },
    });
  /** A 422's status and the field it names. */
  const refusal = async (response: Response) => {
    const body = (await response.json()) as { errors?: { field: string }[] };
    return [response.status, body.errors?.[0]?.field];
  };
  const sdkFailure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expectNoSecrets(error);
    return error;
  };

  it("NUL and lone surrogates in a name, id, cursor, versionCheck or search are VAULT_INVALID_ARGUMENT before any query, and nothing is written", async () => {
    const value = secret("nul");
    const created = await objects().createObject({ name: "kept", value, context });
    const before = await counts();
    for (const bad of ["a\u0000b", "\u0000", "a\uD800", "\uDC00b"]) {
      expect(await code(objects().createObject({ name: bad, value, context }))).toBe(
        "VAULT_INVALID_ARGUMENT",
      );
      expect(await code(objects().readObjectByName(bad))).toBe("VAULT_INVALID_ARGUMENT");
      expect(await code(objects().readObjectByName({ name: bad }))).toBe("VAULT_INVALID_ARGUMENT");
      expect(await code(objects().readObject({ id: bad }))).toBe("VAULT_INVALID_ARGUMENT");
      expect(await code(objects().describeObject({ id: bad }))).toBe("VAULT_INVALID_ARGUMENT");
      expect(await code(objects().listObjectVersions({ id: bad }))).toBe("VAULT_INVALID_ARGUMENT");
      expect(await code(objects().updateObject({ id: bad, value }))).toBe("VAULT_INVALID_ARGUMENT");
      expect(await code(objects().updateObject({ id: created.id, value, versionCheck: bad }))).toBe(
        "VAULT_INVALID_ARGUMENT",
      );
      expect(await code(objects().deleteObject({ id: created.id, versionCheck: bad }))).toBe(
        "VAULT_INVALID_ARGUMENT",
      );
      expect(await code(objects().deleteObject({ id: bad }))).toBe("VAULT_INVALID_ARGUMENT");
      for (const list of [{ after: bad }, { before: bad }, { search: bad }] as ListObjectsOptions[])
        expect(await code(objects().listObjects(list))).toBe("VAULT_INVALID_ARGUMENT");
    }
    expect(await counts()).toEqual(before);
    expect((await objects().readObject({ id: created.id })).value).toBe(value);
  });

  it("a context key or value with NUL or a lone surrogate is VAULT_CONTEXT_INVALID (422 key_context) before any query", async () => {
    const value = secret("ctx");
    const contexts: Record<string, string>[] = [
      { organizationId: "org\u0000" },
      { organizationId: "\uD800" },
      { "org\u0000": "o" },
    ];
    for (const bad of contexts)
      expect(await code(objects().createObject({ name: "n", value, context: bad }))).toBe(
        "VAULT_CONTEXT_INVALID",
      );
    const response = await http("/vault/v1/kv", {
      method: "POST",
      body: JSON.stringify({ name: "n", value, key_context: { organizationId: "org\u0000" } }),
    });
    expect(await refusal(response)).toEqual([422, "key_context"]);
    const sdk = await sdkFailure(
      rig.workos.vault.createObject({ name: "n", value, context: { organizationId: "\uDC00" } }),
    );
    expect(sdk).toBeInstanceOf(UnprocessableEntityException);
    expect(await counts()).toEqual([0, 0]);
  });

  it("over HTTP the same text is 422 naming the field, never 500; malformed percent-encoding in the path is 422 naming name or id", async () => {
    const created = await objects().createObject({ name: "kept", value: secret("http"), context });
    const before = await counts();
    const cases: [string, RequestInit, string][] = [
      ["/vault/v1/kv/name/%00", {}, "name"],
      ["/vault/v1/kv/name/a%00b", {}, "name"],
      ["/vault/v1/kv/name/%zz", {}, "name"],
      ["/vault/v1/kv/name/%E0%A4%A", {}, "name"],
      ["/vault/v1/kv/name/%ED%A0%80", {}, "name"],
      ["/vault/v1/kv/%00", {}, "id"],
      ["/vault/v1/kv/%zz", {}, "id"],
      ["/vault/v1/kv/%zz/metadata", {}, "id"],
      ["/vault/v1/kv/%00/versions", {}, "id"],
      ["/vault/v1/kv/%zz", { method: "PUT", body: JSON.stringify({ value: "v" }) }, "id"],
      ["/vault/v1/kv/%00", { method: "DELETE" }, "id"],
      ["/vault/v1/kv?after=%00", {}, "after"],
      ["/vault/v1/kv?before=%00", {}, "before"],
      ["/vault/v1/kv?search=%00", {}, "search"],
      ["/vault/v1/kv?search=", {}, "search"],
      ["/vault/v1/kv?updated_after=yesterday", {}, "updated_after"],
      [`/vault/v1/kv/${created.id}?version_check=%00`, { method: "DELETE" }, "version_check"],
      [
        `/vault/v1/kv/${created.id}`,
        { method: "PUT", body: JSON.stringify({ value: "v", version_check: "v\u0000" }) },
        "version_check",
      ],
      [
        "/vault/v1/kv",
        { method: "POST", body: JSON.stringify({ name: "a\u0000", value: "v", key_context: context }) },
        "name",
      ],
      [
        "/vault/v1/kv",
        { method: "POST", body: JSON.stringify({ name: "a\uD800", value: "v", key_context: context }) },
        "name",
      ],
    ];
    for (const [path, init, field] of cases)
      expect([path, ...(await refusal(await http(path, init)))]).toEqual([path, 422, field]);
    expect(rig.server.stats().statuses["500"]).toBeUndefined();
    expect(await counts()).toEqual(before);
  });

  it("the SDK gets UnprocessableEntityException for NUL in a name, id or cursor, with one request each", async () => {
    const value = secret("sdk");
    const calls = [
      () => rig.workos.vault.createObject({ name: "a\u0000b", value, context }),
      () => rig.workos.vault.readObjectByName("a\u0000b"),
      () => rig.workos.vault.readObject({ id: "secret_\u0000" }),
      () => rig.workos.vault.describeObject({ id: "secret_\u0000" }),
      () => rig.workos.vault.listObjects({ after: "secret_\u0000" }),
    ];
    for (const call of calls) {
      rig.server.resetStats();
      expect(await sdkFailure(call())).toBeInstanceOf(UnprocessableEntityException);
      expect(rig.server.stats().objects).toBe(1);
    }
    expect(await counts()).toEqual([0, 0]);
  });

  it('names "." and ".." are refused at creation (VAULT_INVALID_ARGUMENT, 422 name), saying why; nothing is written', async () => {
    const value = secret("dot");
    for (const name of [".", ".."]) {
      const response = await http("/vault/v1/kv", {
        method: "POST",
        body: JSON.stringify({ name, value, key_context: context }),
      });
      expect(await refusal(response)).toEqual([422, "name"]);
      const error = await vaultFailure(objects().createObject({ name, value, context }));
      expect(error.code).toBe("VAULT_INVALID_ARGUMENT");
      expect(error.message).toMatch(/URL/);
      const sdk = await sdkFailure(rig.workos.vault.createObject({ name, value, context }));
      expect(sdk).toBeInstanceOf(UnprocessableEntityException);
    }
    // Names that only contain dots are names like any other.
    await objects().createObject({ name: "...", value, context });
    await objects().createObject({ name: "a/../b", value, context });
    expect((await rig.workos.vault.readObjectByName("...")).value).toBe(value);
    expect((await rig.workos.vault.readObjectByName("a/../b")).value).toBe(value);
    expect(await counts()).toEqual([2, 2]);
  });

  /** `read` fails as a value that does not open: VaultDecryptError naming VaultObject.value and `id`, no cause. */
  const expectOpaqueFailure = async (read: Promise<unknown>, id: string) => {
    const failure = await vaultFailure(read);
    expect(failure).toMatchObject({ code: "VAULT_DECRYPT_FAILED", model: "VaultObject", field: "value", id });
    expect(failure.cause).toBeUndefined();
  };

  it("a stored value that is no envelope is 400 decrypt_failed, asked once (no SDK retry), and VaultDecryptError naming VaultObject.value and the id", async () => {
    const value = secret("opaque");
    const created = await objects().createObject({ name: "broken", value, context });
    const row = await database().plain.vaultObject.findUniqueOrThrow({ where: { id: created.id } });
    const envelope = row.value;
    const garbage = [
      "not-an-envelope",
      "",
      "AAAA",
      envelope.slice(0, 40),
      envelope.slice(0, -8),
      randomBytes(120).toString("base64"),
    ];
    for (const stored of garbage) {
      await database().plain.vaultObject.update({ where: { id: created.id }, data: { value: stored } });
      for (const read of [
        () => rig.workos.vault.readObject({ id: created.id }),
        () => rig.workos.vault.readObjectByName("broken"),
      ]) {
        rig.server.resetStats();
        const error = await sdkFailure(read());
        expect(error).toMatchObject({ status: 400 });
        expect(rig.server.stats().objects).toBe(1);
      }
      const response = await http(`/vault/v1/kv/${created.id}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { code: string; message: string };
      expect(body.code).toBe("decrypt_failed");
      // The same opaque words whatever the damage: no hint of which.
      expect(body.message).toBe(`VaultObject.value (id ${JSON.stringify(created.id)}): decryption failed`);
      await expectOpaqueFailure(objects().readObjectByName("broken"), created.id);
    }
  });

  it("readObject and readObjectVersion of a value that is no envelope: VaultDecryptError, like a value that does not authenticate", async () => {
    const created = await objects().createObject({ name: "broken-2", value: secret("opaque"), context });
    await database().plain.vaultObject.update({
      where: { id: created.id },
      data: { value: "not-an-envelope" },
    });
    await database().plain.vaultObjectVersion.update({
      where: { id: created.versionId },
      data: { value: "AAAA" },
    });
    for (const read of [
      () => objects().readObject({ id: created.id }),
      () => objects().readObjectVersion({ id: created.id, versionId: created.versionId }),
    ])
      await expectOpaqueFailure(read(), created.id);
  });

  /** Live objects written straight to the table with chosen names and update times (nothing is decrypted). */
  const seed = async (rows: readonly { name: string; updatedAt?: Date; deleted?: boolean }[]) => {
    const base = Date.now() - 100_000;
    const data = rows.map((row, i) => ({
      id: newObjectId(base + i),
      name: row.name,
      liveName: row.deleted ? null : row.name,
      context: '{"organizationId":"org_1"}',
      keyId: "k",
      versionId: "version_x",
      value: "not read",
      createdAt: new Date(base),
      updatedAt: row.updatedAt ?? new Date(base),
      deletedAt: row.deleted ? new Date(base) : null,
    }));
    await database().plain.vaultObject.createMany({ data });
    return data.filter((row) => row.deletedAt === null).map((row) => ({ id: row.id, name: row.name }));
  };
  const names = (list: { data: readonly { name: string }[] }) => list.data.map((o) => o.name);

  it("search: names containing it, ASCII case ignored on every database, % _ and \\ taken literally", async () => {
    await seed(
      ["Stripe-Key", "stripe-webhook", "50% off", "50x off", "a_b", "axb", "back\\slash", "other"].map(
        (name) => ({ name }),
      ),
    );
    const search = async (text: string) => names(await objects().listObjects({ search: text, order: "asc" }));
    expect(await search("stripe")).toEqual(["Stripe-Key", "stripe-webhook"]);
    expect(await search("STRIPE-")).toEqual(["Stripe-Key", "stripe-webhook"]);
    expect(await search("50%")).toEqual(["50% off"]);
    expect(await search("%")).toEqual(["50% off"]);
    expect(await search("a_b")).toEqual(["a_b"]);
    expect(await search("_")).toEqual(["a_b"]);
    expect(await search("\\")).toEqual(["back\\slash"]);
    expect(await search("nothing")).toEqual([]);
    // Over HTTP with the same meaning.
    const response = await http(`/vault/v1/kv?order=asc&search=${encodeURIComponent("50%")}`);
    expect(((await response.json()) as { data: { name: string }[] }).data.map((o) => o.name)).toEqual([
      "50% off",
    ]);
  });

  it("search with % or _ over 250 names a LIKE wildcard would match (SQLite's LIKE cannot escape them: the store reads past them): pages and cursors stay exact", async () => {
    // 250 names that LIKE '%a_b%' matches, 3 that contain "a_b"; the refined read crosses batches.
    const rows = Array.from({ length: 250 }, (_, i) => ({ name: `axb-${i}` }));
    rows.splice(10, 0, { name: "a_b-1" });
    rows.splice(140, 0, { name: "a_b-2" });
    rows.push({ name: "a_b-3" });
    await seed(rows);
    const first = await objects().listObjects({ search: "a_b", order: "asc", limit: 2 });
    expect(names(first)).toEqual(["a_b-1", "a_b-2"]);
    expect(first.listMetadata.before).toBeUndefined();
    const second = await objects().listObjects({
      search: "a_b",
      order: "asc",
      limit: 2,
      after: first.listMetadata.after!,
    });
    expect(names(second)).toEqual(["a_b-3"]);
    expect(second.listMetadata).toEqual({ before: second.data[0]?.id });
  });

  it("cursors under a filter: listMetadata.before/after only where a page exists under the same filters", async () => {
    const seeded = await seed(
      ["stripe-1", "other-1", "stripe-2", "other-2", "stripe-3", "other-3"].map((name) => ({ name })),
    );
    const id = (name: string) => seeded.find((row) => row.name === name)?.id;
    const page1 = await objects().listObjects({ search: "stripe", order: "asc", limit: 2 });
    expect(names(page1)).toEqual(["stripe-1", "stripe-2"]);
    expect(page1.listMetadata).toEqual({ after: id("stripe-2") });
    const page2 = await objects().listObjects({
      search: "stripe",
      order: "asc",
      limit: 2,
      after: page1.listMetadata.after!,
    });
    // other-3 lies after stripe-3, but not under the filter: no after.
    expect(names(page2)).toEqual(["stripe-3"]);
    expect(page2.listMetadata).toEqual({ before: id("stripe-3") });
    const back = await objects().listObjects({
      search: "stripe",
      order: "asc",
      limit: 2,
      before: page2.listMetadata.before!,
    });
    expect(names(back)).toEqual(["stripe-1", "stripe-2"]);
    // other-1 lies before stripe-1, but not under the filter: no before.
    expect(back.listMetadata).toEqual({ after: id("stripe-2") });
  });

  it("updatedAfter: objects updated strictly after it, as a Date or an ISO 8601 string, also combined with search; invalid is VAULT_INVALID_ARGUMENT", async () => {
    const t = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
    await seed([
      { name: "stripe-old", updatedAt: t(0) },
      { name: "stripe-edge", updatedAt: t(60) },
      { name: "stripe-new", updatedAt: t(120) },
      { name: "other-new", updatedAt: t(180) },
    ]);
    const list = async (options: ListObjectsOptions) =>
      names(await objects().listObjects({ order: "asc", ...options }));
    expect(await list({ updatedAfter: t(60) })).toEqual(["stripe-new", "other-new"]);
    expect(await list({ updatedAfter: t(60).toISOString() })).toEqual(["stripe-new", "other-new"]);
    expect(await list({ updatedAfter: "2026-01-01T01:01:00+01:00" })).toEqual(["stripe-new", "other-new"]);
    expect(await list({ updatedAfter: "2026-01-01" })).toEqual(["stripe-edge", "stripe-new", "other-new"]);
    expect(await list({ updatedAfter: t(59), search: "stripe" })).toEqual(["stripe-edge", "stripe-new"]);
    expect(await list({ updatedAfter: t(180) })).toEqual([]);
    for (const bad of ["yesterday", "2026-02-31", "2026-01-01T00:00:00", "1", new Date(Number.NaN), 5])
      expect(await code(objects().listObjects({ updatedAfter: bad as never }))).toBe(
        "VAULT_INVALID_ARGUMENT",
      );
    // Over HTTP, as updated_after.
    const response = await http(
      `/vault/v1/kv?order=asc&updated_after=${encodeURIComponent(t(60).toISOString())}`,
    );
    expect(((await response.json()) as { data: { name: string }[] }).data.map((o) => o.name)).toEqual([
      "stripe-new",
      "other-new",
    ]);
  });

  it("SDK 12's listObjects with search and updatedAfter", async (test) => {
    if (SDK_MAJOR < 12) return test.skip("SDK 8's listObjects sends neither search nor updated_after");
    const t = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
    await seed([
      { name: "Stripe-old", updatedAt: t(0) },
      { name: "stripe-new", updatedAt: t(120) },
      { name: "other-new", updatedAt: t(180) },
    ]);
    const sdk = rig.workos.vault as unknown as {
      listObjects(options?: object): Promise<{ data: { name: string }[] }>;
    };
    expect(names(await sdk.listObjects({ search: "STRIPE", order: "asc" }))).toEqual([
      "Stripe-old",
      "stripe-new",
    ]);
    // SDK 12 writes the Date as Date.prototype.toString(), to the second.
    expect(names(await sdk.listObjects({ updatedAfter: t(60), order: "asc" }))).toEqual([
      "stripe-new",
      "other-new",
    ]);
    expect(names(await sdk.listObjects({ updatedAfter: t(60), search: "stripe", order: "asc" }))).toEqual([
      "stripe-new",
    ]);
  });

  it("SDK 12's listObjects().autoPagination() over 250 objects returns each live object exactly once, with its filters on every page", async (test) => {
    if (SDK_MAJOR < 12) return test.skip("SDK 8's listObjects returns a plain list, without autoPagination");
    const t = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
    const seeded = await seed(
      Array.from({ length: 260 }, (_, i) => ({
        name: `auto-${i}`,
        deleted: i % 26 === 0,
        updatedAt: t(i % 2 === 0 ? 0 : 120),
      })),
    );
    expect(seeded).toHaveLength(250);
    const sdk = rig.workos.vault as unknown as {
      listObjects(options?: object): Promise<{ autoPagination(): Promise<{ id: string }[]> }>;
    };
    const all = await (await sdk.listObjects()).autoPagination();
    expect(all.map((o) => o.id)).toEqual(seeded.map((o) => o.id).reverse());
    // Pages 2 and on carry the option as given (updatedAfter), not as the first sends it (updated_after).
    const recent = await (await sdk.listObjects({ updatedAfter: t(60) })).autoPagination();
    const expected = seeded.filter((o) => Number(o.name.slice("auto-".length)) % 2 === 1);
    expect(recent.map((o) => o.id).sort()).toEqual(expected.map((o) => o.id).sort());
    expect(recent.length).toBeGreaterThan(100);
    // With a limit, the first page alone.
    expect(await (await sdk.listObjects({ limit: 7 })).autoPagination()).toHaveLength(7);
  });

  it("rig.prisma().$vault.objects.listObjects().autoPagination(): every page without a limit, the first with one; object, data and listMetadata as before", async () => {
    const seeded = await seed(
      Array.from({ length: 260 }, (_, i) => ({ name: `auto-${i}`, deleted: i % 26 === 0 })),
    );
    const first = await objects().listObjects();
    expect(first).toEqual({ object: "list", data: first.data, listMetadata: { after: first.data[9]?.id } });
    expect(first.data).toHaveLength(10);
    const all = await first.autoPagination();
    expect(all.map((o) => o.id)).toEqual(seeded.map((o) => o.id).reverse());
    const asc = await (await objects().listObjects({ order: "asc", search: "auto-1" })).autoPagination();
    const matching = seeded.filter((o) => o.name.startsWith("auto-1")).map((o) => o.id);
    expect(asc.map((o) => o.id)).toEqual(matching);
    expect(await (await objects().listObjects({ limit: 7 })).autoPagination()).toHaveLength(7);
    const few = await objects().listObjects({ search: "auto-259" });
    expect(names(few)).toEqual(["auto-259"]);
    expect(await few.autoPagination()).toEqual(few.data);
  });

  it("readObjectByName takes the name or { name }, through rig.prisma().$vault.objects and SDK 12", async () => {
    const value = secret("byname");
    const created = await objects().createObject({ name: "by-name", value, context });
    expect((await objects().readObjectByName("by-name")).id).toBe(created.id);
    expect((await objects().readObjectByName({ name: "by-name" })).value).toBe(value);
    expect(await code(objects().readObjectByName({} as never))).toBe("VAULT_INVALID_ARGUMENT");
    expect(await code(objects().readObjectByName({ name: "nope" }))).toBe("VAULT_NOT_FOUND");
    if (SDK_MAJOR >= 12) {
      const sdk = rig.workos.vault as unknown as {
        readObjectByName(o: { name: string }): Promise<{ id: string }>;
      };
      expect((await sdk.readObjectByName({ name: "by-name" })).id).toBe(created.id);
    }
  });
}

/**
 * Vault objects at the edges (issue 24), on a real database: text no database stores as given (NUL,
 * lone surrogates, malformed percent-encoding) refused before any query; names a URL cannot carry
 * (`.`, `..`) refused at creation; a stored value that is no envelope answered as one that does not
 * decrypt, and not retried. Each through the official SDK and through prisma.$vault.objects. Run per
 * database by holes-<target>.test.ts.
 */
import { randomBytes } from "node:crypto";
import { UnprocessableEntityException, type WorkOS } from "@workos-inc/node";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { startKeyServer, type KeyServer } from "../../src/key-server/server.js";
import type { ListObjectsOptions } from "../../src/objects/input.js";
import { vault } from "../../src/prisma/extension.js";
import { useTestDatabase, type Target } from "../support/databases.js";
import { vaultFailure } from "../support/errors.js";
import { sdkClient, TEST_TOKEN } from "../support/key-server.js";
import { expectNoSecrets, registerSecrets } from "../support/secrets.js";

export function holesSuite(target: Target): void {
  const { database } = useTestDatabase(target);
  const master = randomBytes(32);
  registerSecrets(master);
  const keys = new LocalKeyProvider({ keys: [{ id: "k1", key: master }] });
  let prisma: ReturnType<typeof extended>;
  let server: KeyServer;
  let workos: WorkOS;
  const extended = () =>
    database()
      .client()
      .$extends(vault({ keys, models: {}, objects: true }));
  const objects = () => prisma.$vault.objects;
  const context = { organizationId: "org_1" };

  beforeAll(async () => {
    prisma = extended();
    server = await startKeyServer({ provider: keys, objects: prisma.$vault.objects, token: TEST_TOKEN });
    workos = sdkClient(server, TEST_TOKEN);
  });
  afterEach(() => server?.resetStats());
  afterAll(() => server?.close());

  /** A fresh secret value, registered so no error may show it. */
  const secret = (label: string) => {
    const value = `${label}-${randomBytes(9).toString("base64url")}`;
    registerSecrets(value);
    return value;
  };
  const code = async (promise: Promise<unknown>) => (await vaultFailure(promise)).code;
  /** Rows of both tables: what a refused call must leave as it was. */
  const counts = async () => [
    await database().plain.vaultObject.count(),
    await database().plain.vaultObjectVersion.count(),
  ];
  const http = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
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

  it("NUL and lone surrogates in a name, id, cursor or versionCheck are VAULT_INVALID_ARGUMENT before any query, and nothing is written", async () => {
    const value = secret("nul");
    const created = await objects().createObject({ name: "kept", value, context });
    const before = await counts();
    for (const bad of ["a\u0000b", "\u0000", "a\uD800", "\uDC00b"]) {
      expect(await code(objects().createObject({ name: bad, value, context }))).toBe(
        "VAULT_INVALID_ARGUMENT",
      );
      expect(await code(objects().readObjectByName(bad))).toBe("VAULT_INVALID_ARGUMENT");
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
      for (const list of [{ after: bad }, { before: bad }] as ListObjectsOptions[])
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
      workos.vault.createObject({ name: "n", value, context: { organizationId: "\uDC00" } }),
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
    expect(server.stats().statuses["500"]).toBeUndefined();
    expect(await counts()).toEqual(before);
  });

  it("the SDK gets UnprocessableEntityException for NUL in a name, id or cursor, with one request each", async () => {
    const value = secret("sdk");
    const calls = [
      () => workos.vault.createObject({ name: "a\u0000b", value, context }),
      () => workos.vault.readObjectByName("a\u0000b"),
      () => workos.vault.readObject({ id: "secret_\u0000" }),
      () => workos.vault.describeObject({ id: "secret_\u0000" }),
      () => workos.vault.listObjects({ after: "secret_\u0000" }),
    ];
    for (const call of calls) {
      server.resetStats();
      expect(await sdkFailure(call())).toBeInstanceOf(UnprocessableEntityException);
      expect(server.stats().objects).toBe(1);
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
      const sdk = await sdkFailure(workos.vault.createObject({ name, value, context }));
      expect(sdk).toBeInstanceOf(UnprocessableEntityException);
    }
    // Names that only contain dots are names like any other.
    await objects().createObject({ name: "...", value, context });
    await objects().createObject({ name: "a/../b", value, context });
    expect((await workos.vault.readObjectByName("...")).value).toBe(value);
    expect((await workos.vault.readObjectByName("a/../b")).value).toBe(value);
    expect(await counts()).toEqual([2, 2]);
  });

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
        () => workos.vault.readObject({ id: created.id }),
        () => workos.vault.readObjectByName("broken"),
      ]) {
        server.resetStats();
        const error = await sdkFailure(read());
        expect(error).toMatchObject({ status: 400 });
        expect(server.stats().objects).toBe(1);
      }
      const response = await http(`/vault/v1/kv/${created.id}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { code: string; message: string };
      expect(body.code).toBe("decrypt_failed");
      // The same opaque words whatever the damage: no hint of which.
      expect(body.message).toBe(`VaultObject.value (id ${JSON.stringify(created.id)}): decryption failed`);
      const byName = await vaultFailure(objects().readObjectByName("broken"));
      expect(byName).toMatchObject({
        code: "VAULT_DECRYPT_FAILED",
        model: "VaultObject",
        field: "value",
        id: created.id,
      });
      expect(byName.cause).toBeUndefined();
    }
  });

  it.todo(
    "readObject and readObjectVersion of a value that is no envelope: VaultDecryptError (VAULT_DECRYPT_FAILED) too, not VAULT_ENVELOPE_INVALID (in the store's #opened or sealing.openValue, which this change does not own)",
  );
}

/** Turning Vault objects on and off: vault({ objects }), the model check at $extends, the key server's option. */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { startKeyServer } from "../../src/key-server/server.js";
import { vault } from "../../src/prisma/extension.js";
import type { GeneratedVaultSchema } from "../../src/schema/datamodel.js";
import { useTestDatabase } from "../support/databases.js";
import { thrownVaultError } from "../support/errors.js";
import { TEST_TOKEN } from "../support/key-server.js";

const keys = new LocalKeyProvider({ keys: [{ id: "k1", key: randomBytes(32) }] });
const indexSecret = randomBytes(32);

describe("vault({ objects })", () => {
  const { database, generated } = useTestDatabase("sqlite");

  it("without it, prisma.$vault.objects throws VAULT_CONFIG naming the option", () => {
    const prisma = database()
      .client()
      .$extends(vault({ keys, models: {} }));
    const error = thrownVaultError(() => prisma.$vault.objects);
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.message).toContain("vault({ objects: true })");
  });

  it("refuses a value that is not true, false or { environmentId }", () => {
    for (const objects of ["yes", 1, null, { environmentId: "" }, { environmentId: 5 }])
      expect(thrownVaultError(() => vault({ keys, models: {}, objects: objects as never })).code).toBe(
        "VAULT_CONFIG",
      );
  });

  it("checks the two models at $extends: a VaultObject without liveName is VAULT_CONFIG naming it", () => {
    const schema = generated();
    const models = schema.datamodel.models;
    const object = models["VaultObject"]!;
    const fields = object.fields.filter((field) => field.name !== "liveName");
    const partial: GeneratedVaultSchema = {
      ...schema,
      datamodel: { ...schema.datamodel, models: { ...models, VaultObject: { ...object, fields } } },
    };
    const error = thrownVaultError(() =>
      database()
        .client()
        .$extends(vault({ keys, schema: partial, objects: true, indexSecret })),
    );
    expect([error.code, error.model, error.field]).toEqual(["VAULT_CONFIG", "VaultObject", "liveName"]);
    // The same schema without objects is fine.
    expect(() =>
      database()
        .client()
        .$extends(vault({ keys, schema: partial, indexSecret })),
    ).not.toThrow();
  });

  it("reports the environment id it is given", async () => {
    const prisma = database()
      .client()
      .$extends(vault({ keys, models: {}, objects: { environmentId: "environment_staging" } }));
    const meta = await prisma.$vault.objects.createObject({ name: "n", value: "v", context: { a: "b" } });
    expect(meta.environmentId).toBe("environment_staging");
  });
});

describe("the key server's objects option", () => {
  it("without it, the object routes answer 404 naming the option; the key routes still work", async () => {
    const server = await startKeyServer({ provider: keys, token: TEST_TOKEN });
    try {
      const headers = { Authorization: `Bearer ${TEST_TOKEN}`, "Content-Type": "application/json" };
      for (const [method, path] of [
        ["GET", "/vault/v1/kv"],
        ["POST", "/vault/v1/kv"],
        ["GET", "/vault/v1/kv/secret_1/metadata"],
        ["DELETE", "/vault/v1/kv/secret_1"],
      ] as const) {
        const response = await fetch(`${server.url}${path}`, {
          method,
          headers,
          ...(method === "POST" && { body: "{}" }),
        });
        expect(response.status).toBe(404);
        const body = (await response.json()) as { code: string; message: string };
        expect(body.code).toBe("objects_not_configured");
        expect(body.message).toContain("objects");
      }
      const key = await fetch(`${server.url}/vault/v1/keys/data-key`, {
        method: "POST",
        headers,
        body: JSON.stringify({ context: { a: "b" } }),
      });
      expect(key.status).toBe(200);
      expect(server.stats().objects).toBe(4);
    } finally {
      await server.close();
    }
  });

  it("refuses something that is not prisma.$vault.objects", async () => {
    for (const objects of [{}, "objects", { createObject: () => undefined }])
      await expect(startKeyServer({ provider: keys, objects: objects as never })).rejects.toMatchObject({
        code: "VAULT_CONFIG",
      });
  });
});

/**
 * vaultMiddleware's configuration is checked against the Prisma 8 contract when the middleware is made
 * (issue 30, item 5): unknown models and fields, non-String columns and missing index columns are
 * `VAULT_CONFIG` at start-up, as `vault()` reports them on Prisma 7.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { vaultMiddleware } from "../../src/prisma8.js";
import type { ModelsOption } from "../../src/schema/options.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { MODELS } from "./support/vault-rig.js";

const app = usePrisma8App("config");
const keys = new LocalKeyProvider({ keys: [{ id: "k1", key: randomBytes(32) }] });
const indexSecret = randomBytes(32);

function made(models: ModelsOption, contract: unknown = app().contractJson) {
  return () => vaultMiddleware({ keys, models, indexSecret, contract, aead: "node" });
}

describe("vaultMiddleware: configuration checked against the contract at start-up", () => {
  it("takes the fixture's models", () => {
    expect(made(MODELS)().name).toBe("prisma-vault");
  });

  it.each([
    ["an unknown model", { Nope: { context: ["organizationId"], fields: { ssn: {} } } }, { model: "Nope" }],
    ["an unknown field", { User: { context: ["organizationId"], fields: { nope: {} } } }, { model: "User" }],
    [
      "a non-String column",
      { Post: { context: ["organizationId"], fields: { authorId: {} } } },
      { model: "Post", field: "authorId" },
    ],
    [
      "a missing index column",
      { User: { context: ["organizationId"], fields: { email: { index: "nope" } } } },
      { model: "User", field: "email" },
    ],
    [
      "an unknown context field",
      { User: { context: ["tenantId"], fields: { ssn: {} } } },
      { model: "User", field: "tenantId" },
    ],
  ] as const)("refuses %s with VAULT_CONFIG naming it", (_what, models, place) => {
    expect(made(models as ModelsOption)).toThrow(expect.objectContaining({ code: "VAULT_CONFIG", ...place }));
  });

  it("refuses a contract that is not a SQL contract, and options without models or keys", () => {
    expect(made(MODELS, { targetFamily: "mongo" })).toThrow(
      expect.objectContaining({ code: "VAULT_CONFIG" }),
    );
    expect(() => vaultMiddleware({ keys })).toThrow(expect.objectContaining({ code: "VAULT_CONFIG" }));
    expect(() => vaultMiddleware({ models: MODELS } as never)).toThrow(
      expect.objectContaining({ code: "VAULT_CONFIG" }),
    );
  });

  it("without the contract option, checks on the first query and sends nothing", async () => {
    const middleware = vaultMiddleware({
      keys,
      indexSecret,
      aead: "node",
      models: { User: { context: ["organizationId"], fields: { nope: {} } } },
    });
    const db = app().client([middleware]);
    await expect(db.orm.public!.Organization!.create({ name: "never" })).rejects.toMatchObject({
      code: "VAULT_CONFIG",
    });
    expect(await app().sql(`SELECT count(*)::int AS n FROM "Organization" WHERE "name" = 'never'`)).toEqual([
      { n: 0 },
    ]);
  });
});

/** migrate()'s checks that run before any row is read; the database suite (suite.ts) covers the rest. */
import { describe, expect, it } from "vitest";
import type { VaultCore } from "../../src/core/vault-core.js";
import { migrate } from "../../src/migrate/migrate.js";
import { validateMigrateOptions, type MigrateOptions } from "../../src/migrate/options.js";
import { withHandle } from "../../src/client/handle.js";
import { buildVaultSchema } from "../../src/schema/build.js";
import type { VaultSchema } from "../../src/schema/model-schema.js";
import { dataModel, model, scalar, testIndexSecret, testSchema } from "../support/datamodel.js";
import { thrownVaultError, vaultFailure } from "../support/errors.js";

/** A client as vault() leaves it, whose queries would fail: nothing here may reach them. */
function fakeClient(schema: VaultSchema): object {
  const client = new Proxy(
    {},
    {
      get: () => {
        throw new Error("a query was sent");
      },
    },
  );
  return { $vault: withHandle({}, { schema, core: {} as VaultCore, client }) };
}

const bad = (options: unknown) => thrownVaultError(() => validateMigrateOptions(options as MigrateOptions));

describe("migrate() options", () => {
  it("defaults: every indexed model, 500 rows a page, writes", () => {
    const settings = validateMigrateOptions({ mode: "index" });
    expect(settings).toMatchObject({ mode: "index", models: undefined, batchSize: 500, dryRun: false });
  });

  it("mode is required and names the modes", () => {
    const error = bad({});
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.message).toMatch(/options\.mode must be one of "index", "encrypt"/);
    expect(bad({ mode: "reindex" }).message).toMatch(/options\.mode/);
  });

  it("every mode of the design is available", () => {
    for (const mode of ["index", "encrypt", "rekey", "rotate", "decrypt", "verify"]) {
      expect(() => validateMigrateOptions({ mode } as MigrateOptions)).not.toThrow();
    }
  });

  it("batchSize is an integer from 1 to 10000", () => {
    for (const batchSize of [0, -1, 1.5, 10_001, Number.NaN, "100"]) {
      expect(bad({ mode: "index", batchSize }).message).toBe(
        "options.batchSize must be an integer from 1 to 10000",
      );
    }
    expect(validateMigrateOptions({ mode: "index", batchSize: 10_000 }).batchSize).toBe(10_000);
    expect(validateMigrateOptions({ mode: "index", batchSize: 1 }).batchSize).toBe(1);
  });

  it("models is a non-empty list of names; dryRun a boolean; onProgress a function", () => {
    expect(bad({ mode: "index", models: [] }).message).toMatch(/options\.models/);
    expect(bad({ mode: "index", models: "Account" }).message).toMatch(/options\.models/);
    expect(bad({ mode: "index", models: [""] }).message).toMatch(/options\.models/);
    expect(bad({ mode: "index", dryRun: "yes" }).message).toMatch(/options\.dryRun/);
    expect(bad({ mode: "index", onProgress: true }).message).toMatch(/options\.onProgress/);
    expect(bad(null).message).toMatch(/options object/);
  });
});

describe("migrate() before it reads a row", () => {
  it("refuses a client that is not extended with vault()", async () => {
    const error = await vaultFailure(migrate({}, { mode: "index" }));
    expect(error.code).toBe("VAULT_CONFIG");
  });

  it("refuses unknown models and models without a blind index, naming them", async () => {
    const prisma = fakeClient(testSchema());
    const unknown = await vaultFailure(migrate(prisma, { mode: "index", models: ["Acount"] }));
    expect(unknown.code).toBe("VAULT_CONFIG");
    expect(unknown.model).toBe("Acount");
    const plain = await vaultFailure(migrate(prisma, { mode: "index", models: ["Account", "User"] }));
    expect(plain.message).toMatch(/^User: no blind index to fill/);
  });

  it("a model without a primary key cannot be paged: VAULT_UNSUPPORTED_QUERY", async () => {
    const schema = buildVaultSchema(
      dataModel(model("Log", [scalar("org"), scalar("secret"), scalar("secretIndex")])),
      { Log: { context: ["org"], fields: { secret: { index: "secretIndex" } } } },
      { plaintext: "reject", indexSecret: testIndexSecret },
    );
    const error = await vaultFailure(migrate(fakeClient(schema), { mode: "index" }));
    expect(error.code).toBe("VAULT_UNSUPPORTED_QUERY");
    expect(error.model).toBe("Log");
  });

  it("bad options are refused before the client is looked at", async () => {
    const error = await vaultFailure(migrate({}, { mode: "index", batchSize: 0 }));
    expect(error.message).toMatch(/options\.batchSize/);
  });
});

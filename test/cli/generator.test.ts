/**
 * The prisma-vault generator, run by the real Prisma CLI (offline) and through its protocol directly.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { runGenerator } from "../../src/cli/generator.js";
import { annotationsOf } from "../../src/schema/annotations.js";
import type { GeneratedVaultSchema } from "../../src/schema/datamodel.js";

const dir = mkdtempSync(join(tmpdir(), "prisma-vault-generator-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCHEMA = `
generator vault {
  provider = "node --import tsx ${resolve("src/cli/main.ts")}"
  output   = "./out"
}

datasource db {
  provider = "sqlite"
}

/// @vault.context(tenant: tenantId)
model Note {
  id       Int    @id @default(autoincrement())
  tenantId String
  /// @encrypted(aad: none)
  body     String
}
`;

describe("prisma-vault generator", () => {
  it("prisma generate runs it offline and it writes the annotations, ids and relations", () => {
    writeFileSync(join(dir, "schema.prisma"), SCHEMA);
    const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
    const run = spawnSync(process.execPath, [cli, "generate", "--schema", join(dir, "schema.prisma")], {
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath },
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    const schema = JSON.parse(
      readFileSync(join(dir, "out", "vault-schema.json"), "utf8"),
    ) as GeneratedVaultSchema;
    expect(schema.generator).toBe("prisma-vault");
    expect(schema.datamodel.provider).toBe("sqlite");
    expect(annotationsOf(schema.datamodel)).toEqual({
      Note: { context: { tenant: "tenantId" }, fields: { body: { aad: "none" } } },
    });
    expect(schema.datamodel.models["Note"]?.fields.find((f) => f.name === "id")?.isId).toBe(true);
    expect(readFileSync(join(dir, "out", "index.js"), "utf8")).toContain("export const vaultSchema");
    expect(readFileSync(join(dir, "out", "index.cjs"), "utf8")).toContain("exports.vaultSchema");
  });

  it("records the datasource's active provider and the fields' native types", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const done = runGenerator(input, output);
    const out = join(dir, "protocol");
    const fields = [
      { name: "id", kind: "scalar", type: "String", isId: true, nativeType: ["VarChar", ["191"]] },
      { name: "n", kind: "scalar", type: "Int", nativeType: null },
    ];
    const params = {
      generator: { output: { value: out } },
      datasources: [{ name: "db", provider: "postgres", activeProvider: "postgresql" }],
      dmmf: { datamodel: { models: [{ name: "Note", primaryKey: null, fields }] } },
    };
    input.end(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "generate", params })}\n`);
    await done;
    const schema = JSON.parse(readFileSync(join(out, "vault-schema.json"), "utf8")) as GeneratedVaultSchema;
    expect(schema.datamodel.provider).toBe("postgresql");
    expect(schema.datamodel.models["Note"]?.fields).toEqual([
      { name: "id", kind: "scalar", type: "String", isId: true, nativeType: ["VarChar", ["191"]] },
      { name: "n", kind: "scalar", type: "Int" },
    ]);
  });

  it("writes each model's encrypted fields and vaultOmit, the blind-index columns to leave out of results", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const done = runGenerator(input, output);
    const out = join(dir, "omit");
    const fields = [
      { name: "id", kind: "scalar", type: "Int", isId: true },
      { name: "tenantId", kind: "scalar", type: "String" },
      { name: "email", kind: "scalar", type: "String", documentation: "@encrypted(index: emailIndex)" },
      { name: "emailIndex", kind: "scalar", type: "String", isUnique: true },
      { name: "ssn", kind: "scalar", type: "String", documentation: "@encrypted" },
    ];
    const models = [
      { name: "Account", documentation: "@vault.context(tenantId)", primaryKey: null, fields },
      { name: "Plain", primaryKey: null, fields: [{ name: "id", kind: "scalar", type: "Int", isId: true }] },
    ];
    const params = { generator: { output: { value: out } }, dmmf: { datamodel: { models } } };
    input.end(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "generate", params })}\n`);
    await done;
    const schema = JSON.parse(readFileSync(join(out, "vault-schema.json"), "utf8")) as GeneratedVaultSchema;
    expect(schema.encrypted).toEqual({ Account: { email: { index: "emailIndex" }, ssn: {} } });
    const esm = (await import(join(out, "index.js"))) as { vaultOmit: unknown };
    expect(esm.vaultOmit).toEqual({ account: { emailIndex: true } });
    expect(readFileSync(join(out, "index.d.ts"), "utf8")).toContain("export declare const vaultOmit");
    expect(readFileSync(join(out, "index.cjs"), "utf8")).toContain("exports.vaultOmit");
  });

  it("with objects = true in its block, fails generation naming a missing or malformed object model", async () => {
    const generate = async (config: Record<string, string>, models: object[]) => {
      const input = new PassThrough();
      const output = new PassThrough();
      const done = runGenerator(input, output);
      const params = {
        generator: { output: { value: join(dir, "objects") }, config },
        dmmf: { datamodel: { models } },
      };
      input.end(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "generate", params })}\n`);
      await done;
      return JSON.parse((output.read() as Buffer).toString().trim()) as {
        result?: unknown;
        error?: { message: string };
      };
    };
    const note = {
      name: "Note",
      primaryKey: null,
      fields: [{ name: "id", kind: "scalar", type: "String", isId: true }],
    };
    expect((await generate({}, [note])).error).toBeUndefined();
    expect((await generate({ objects: "true" }, [note])).error?.message).toMatch(
      /model VaultObject is missing/,
    );
    const vaultSchema = (await import("../generated/sqlite/vault/index.js")) as {
      vaultSchema: { datamodel: { models: Record<string, { fields: { name: string }[] }> } };
    };
    const { VaultObject, VaultObjectVersion } = vaultSchema.vaultSchema.datamodel.models;
    expect((await generate({ objects: "true" }, [VaultObject!, VaultObjectVersion!])).error).toBeUndefined();
    const noValue = {
      ...VaultObjectVersion!,
      fields: VaultObjectVersion!.fields.filter((f) => f.name !== "value"),
    };
    expect((await generate({ objects: "true" }, [VaultObject!, noValue])).error?.message).toMatch(
      /VaultObjectVersion\.value is missing/,
    );
  });

  it("answers getManifest and reports unknown methods and missing output as JSON-RPC errors", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const done = runGenerator(input, output);
    input.end(
      [
        { jsonrpc: "2.0", id: 1, method: "getManifest", params: {} },
        { jsonrpc: "2.0", id: 2, method: "generate", params: { dmmf: { datamodel: { models: [] } } } },
        { jsonrpc: "2.0", id: 3, method: "nope" },
      ]
        .map((m) => JSON.stringify(m))
        .join("\n"),
    );
    await done;
    const replies = (output.read() as Buffer)
      .toString()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: number; result?: unknown; error?: { message: string } });
    expect(replies[0]?.result).toMatchObject({ manifest: { prettyName: "prisma-vault schema" } });
    expect(replies[1]?.error?.message).toMatch(/output/);
    expect(replies[2]?.error?.message).toMatch(/unknown method/);
  });
});

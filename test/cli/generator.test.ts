/**
 * The prisma-vault generator, run by the real Prisma CLI (offline) and through its protocol directly.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { runGenerator } from "../../src/cli/generator.js";
import { annotationsOf } from "../../src/schema/annotations.js";
import type { GeneratedVaultSchema } from "../../src/schema/datamodel.js";
import { parseInlineSchema } from "../../src/schema/inline-schema.js";

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

type Reply = { result?: unknown; error?: { message: string } };

/** Runs the real Prisma CLI's `prisma generate` on `schema`, offline (no schema engine is needed). */
function prismaGenerate(schema: string) {
  const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  return spawnSync(process.execPath, [cli, "generate", "--schema", schema], {
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath },
    encoding: "utf8",
  });
}

/** One `generate` request through the generator's protocol, and its reply. */
async function generateRequest(params: object): Promise<Reply> {
  const input = new PassThrough();
  const output = new PassThrough();
  const done = runGenerator(input, output);
  input.end(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "generate", params })}\n`);
  await done;
  return JSON.parse((output.read() as Buffer).toString().trim()) as Reply;
}

/**
 * The `generate` request Prisma 7.10 sends for `text` saved at `schemaPath` (a file, or the folder of a
 * multi-file schema): the schema text as `datamodel`, the path as `schemaPath`, and the DMMF models,
 * here read by parseInlineSchema (whose oracle is the DMMF, test/schema/inline-schema.test.ts).
 */
function requestFor(text: string, schemaPath: string): object {
  const datamodel = parseInlineSchema(text);
  if (!datamodel) throw new Error("the test schema does not parse");
  const models = Object.values(datamodel.models).map((model) => ({
    ...model,
    primaryKey: model.primaryKey?.length ? { fields: model.primaryKey } : null,
  }));
  return {
    generator: { output: { value: join(dir, "checked") }, config: {} },
    datasources: [{ name: "db", provider: datamodel.provider, activeProvider: datamodel.provider }],
    dmmf: { datamodel: { models } },
    datamodel: text,
    schemaPath,
  };
}

/** `generate` for `body` after a 4-line datasource block: `body`'s first line is line 5 of schema.prisma. */
async function generateSchema(body: string, provider = "sqlite"): Promise<Reply> {
  const text = `datasource db {\n  provider = "${provider}"\n}\n${body}\n`;
  const file = join(dir, "checked-schema", "schema.prisma");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return generateRequest(requestFor(text, file));
}

/**
 * A model Note keyed by `context`, with `/// ${encrypted}` on `field` and then an `extra` field; after
 * generateSchema's datasource block its @vault.context is line 5 and its @encrypted line 9.
 */
function note({
  context = "tenantId",
  encrypted = "@encrypted",
  field = "body String",
  extra = "",
} = {}): string {
  const lines = [
    "",
    `/// @vault.context(${context})`,
    "model Note {",
    "  id       Int    @id",
    "  tenantId String",
  ];
  return [...lines, `  /// ${encrypted}`, `  ${field}`, ...(extra ? [`  ${extra}`] : []), "}"].join("\n");
}

describe("prisma-vault generator", () => {
  it("prisma generate runs it offline and it writes the annotations, ids and relations", () => {
    writeFileSync(join(dir, "schema.prisma"), SCHEMA);
    const run = prismaGenerate(join(dir, "schema.prisma"));
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
    const generate = (config: Record<string, string>, models: object[]) =>
      generateRequest({
        generator: { output: { value: join(dir, "objects") }, config },
        dmmf: { datamodel: { models } },
      });
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

describe("prisma generate refuses the annotations vault() would refuse, naming model, field and line", () => {
  it("a typo in an annotation fails the real prisma generate with a non-zero exit, writing nothing", () => {
    const folder = join(dir, "typo");
    mkdirSync(folder, { recursive: true });
    const text = SCHEMA.replace('"./out"', '"./out-typo"')
      .replace("@encrypted(aad: none)", "@encrypted(add: none)")
      .concat(
        [
          "",
          "/// @vault.context(orgId)",
          "model Memo {",
          "  id       Int    @id",
          "  tenantId String",
          "  /// @encrypted",
          "  body     String",
          "}",
          "",
        ].join("\n"),
      );
    writeFileSync(join(folder, "schema.prisma"), text);
    const run = prismaGenerate(join(folder, "schema.prisma"));
    const printed = `${run.stdout}${run.stderr}`;
    expect(run.status, printed).not.toBe(0);
    // Both problems at once: the typo in Note (line 15) and the unknown context field of Memo (line 19).
    expect(printed).toMatch(/schema\.prisma:15: Note\.body: unknown @encrypted option "add"/);
    expect(printed).toMatch(/schema\.prisma:19: Memo\.orgId: the context names a field that does not exist/);
    expect(existsSync(join(folder, "out-typo", "vault-schema.json"))).toBe(false);
  });

  it("an unknown @encrypted option, at the line of its @encrypted", async () => {
    const reply = await generateSchema(note({ encrypted: "@encrypted(add: none)" }));
    expect(reply.error?.message).toMatch(
      /schema\.prisma:9: Note\.body: unknown @encrypted option "add" \(expected one of aad, /,
    );
  });

  it("a context field that does not exist, at the line of @vault.context", async () => {
    const reply = await generateSchema(note({ context: "orgId" }));
    expect(reply.error?.message).toMatch(
      /schema\.prisma:5: Note\.orgId: the context names a field that does not exist/,
    );
  });

  it("an encrypted field that is not a String column", async () => {
    const reply = await generateSchema(note({ field: "body Int" }));
    expect(reply.error?.message).toMatch(
      /schema\.prisma:9: Note\.body: an encrypted field must be a String column, this one is Int/,
    );
  });

  it("a blind-index column that does not exist; with the column it generates, needing no index secret", async () => {
    const encrypted = "@encrypted(index: bodyIndex, normalize: email)";
    expect((await generateSchema(note({ encrypted }))).error?.message).toMatch(
      /schema\.prisma:9: Note\.body: the index column "bodyIndex" does not exist/,
    );
    expect((await generateSchema(note({ encrypted, extra: "bodyIndex String?" }))).error).toBeUndefined();
  });

  it("an encrypted column too small for envelopes (a plain String on MySQL)", async () => {
    const reply = await generateSchema(note(), "mysql");
    expect(reply.error?.message).toMatch(/schema\.prisma:9: Note\.body: the column holds 191 characters/);
  });

  it("several models' problems together, in schema order, one line each", async () => {
    const memo = ["model Memo {", "  id   Int    @id", "  /// @encrypted", "  body String", "}"];
    const reply = await generateSchema(
      `${note({ encrypted: "@encrypted(add: none)" })}\n\n${memo.join("\n")}`,
    );
    const lines = reply.error?.message.split("\n") ?? [];
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^prisma-vault: 2 problems/);
    expect(lines[1]).toMatch(/schema\.prisma:9: Note\.body: unknown @encrypted option "add"/);
    expect(lines[2]).toMatch(/schema\.prisma:13: Memo: a key context has 1 to 10 pairs, this one has 0/);
  });

  it("in a multi-file schema, names the file the model is in", async () => {
    const folder = join(dir, "multi");
    mkdirSync(join(folder, "models"), { recursive: true });
    const main = 'datasource db {\n  provider = "sqlite"\n}\n';
    const note = [
      "/// @vault.context(tenantId)",
      "model Note {",
      "  id       Int    @id",
      "  tenantId String",
      "  /// @encrypted(add: none)",
      "  body     String",
      "}",
      "",
    ].join("\n");
    writeFileSync(join(folder, "main.prisma"), main);
    writeFileSync(join(folder, "models", "note.prisma"), note);
    // Prisma 7.10 sends the files' texts joined as `datamodel` and the folder as `schemaPath`.
    const reply = await generateRequest(requestFor(`${main}\n${note}`, folder));
    expect(reply.error?.message).toMatch(/note\.prisma:5: Note\.body: unknown @encrypted option "add"/);
  });
});

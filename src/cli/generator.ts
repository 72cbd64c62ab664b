/**
 * The `prisma-vault` Prisma generator. Prisma starts `generator vault { provider = "prisma-vault" }`
 * as a child process with PRISMA_GENERATOR_INVOCATION=true and speaks JSON-RPC with it: requests are
 * JSON lines on stdin (`getManifest`, `generate`), replies JSON lines on stderr. It needs neither
 * `@prisma/internals` nor the network. It writes `vaultSchema` (annotations, relations, ids) to the
 * output folder: `index.js` + `index.d.ts` (ESM), `index.cjs` + `index.d.cts`, `vault-schema.json`,
 * with the datasource's active provider as `datamodel.provider`, each model's encrypted fields as
 * `encrypted`, and `vaultOmit`: Prisma's global `omit` for the blind-index columns. Before writing, it
 * runs the checks `vault({ schema })` runs on the annotations (src/schema/annotation-problems.ts) and,
 * with `objects = true` in its block, on the Vault object models (src/objects/models.ts): a problem fails
 * the generation, each named with its model, field and the schema file's line.
 */
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import { isVaultError, VaultConfigError } from "../errors.js";
import { modelProperty } from "../schema/model-property.js";
import { annotationProblems } from "../schema/annotation-problems.js";
import { annotationsOf } from "../schema/annotations.js";
import { fromDmmf, type DataModel, type GeneratedVaultSchema } from "../schema/datamodel.js";
import type { ModelsOption } from "../schema/options.js";
import { checkObjectModels } from "../objects/models.js";
import { schemaLine, type SchemaFile } from "./schema-line.js";

interface Request {
  readonly id: number;
  readonly method: string;
  readonly params?: {
    readonly generator?: {
      readonly output?: { readonly value?: string | null } | null;
      /** The generator block's other keys: `objects = true` asks for the Vault object models' check. */
      readonly config?: Readonly<Record<string, unknown>>;
    };
    readonly dmmf?: { readonly datamodel?: { readonly models?: readonly unknown[] } };
    /** Prisma 6.19 and 7.10 send `provider` as written and `activeProvider` resolved (`postgres` → `postgresql`). */
    readonly datasources?: readonly { readonly provider?: string; readonly activeProvider?: string }[];
    /** The schema file, or the folder of a multi-file schema (Prisma 7.10): where lines are looked up. */
    readonly schemaPath?: string;
  };
}

/** Serves Prisma's generator protocol until stdin closes. */
export async function runGenerator(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Promise<void> {
  const reply = (message: object) => output.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim() === "") continue;
    const request = JSON.parse(line) as Request;
    try {
      if (request.method === "getManifest") {
        reply({
          id: request.id,
          result: {
            manifest: {
              prettyName: "prisma-vault schema",
              defaultOutput: "./generated/vault",
              requiresGenerators: [],
            },
          },
        });
      } else if (request.method === "generate") {
        await writeSchema(request);
        reply({ id: request.id, result: null });
      } else {
        reply({
          id: request.id,
          error: { code: -32601, message: `prisma-vault: unknown method ${request.method}` },
        });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      reply({
        id: request.id,
        error: { code: -32000, message: `prisma-vault: ${message}`, data: { message } },
      });
    }
  }
}

async function writeSchema(request: Request): Promise<void> {
  const dir = request.params?.generator?.output?.value;
  const models = request.params?.dmmf?.datamodel?.models;
  if (!dir) throw new Error("the generator block needs an output path");
  if (!Array.isArray(models)) throw new Error("Prisma sent no data model");
  const source = request.params?.datasources?.[0];
  const provider = source?.activeProvider ?? source?.provider;
  const generated = fromDmmf(models as Parameters<typeof fromDmmf>[0], provider);
  await check(request, generated.datamodel);
  const encrypted = encryptedFields(annotationsOf(generated.datamodel));
  const schema = JSON.stringify({ ...generated, encrypted }, null, 2);
  const omit = JSON.stringify(omitOf(encrypted), null, 2);
  const banner = "// Written by the prisma-vault generator from your Prisma schema. Do not edit.\n";
  // The JSON itself is the declared type: self-contained (no import of prisma-vault) and exact.
  const types =
    `export declare const vaultSchema: ${schema};\n` +
    "/** The blind-index columns, for `new PrismaClient({ adapter, omit: vaultOmit })`: left out of results. */\n" +
    `export declare const vaultOmit: ${omit};\n`;
  await mkdir(dir, { recursive: true });
  await Promise.all([
    writeFile(join(dir, "vault-schema.json"), `${schema}\n`),
    writeFile(
      join(dir, "index.js"),
      `${banner}export const vaultSchema = ${schema};\nexport const vaultOmit = ${omit};\n`,
    ),
    writeFile(join(dir, "index.d.ts"), `${banner}${types}`),
    writeFile(
      join(dir, "index.cjs"),
      `${banner}"use strict";\nexports.vaultSchema = ${schema};\nexports.vaultOmit = ${omit};\n`,
    ),
    writeFile(join(dir, "index.d.cts"), `${banner}${types}`),
  ]);
}

/**
 * `prisma generate` fails here, naming model, field and line, rather than vault() when the application
 * starts: every model's first problem at once.
 */
async function check(request: Request, datamodel: DataModel): Promise<void> {
  const problems = annotationProblems(datamodel);
  if (String(request.params?.generator?.config?.["objects"]) === "true") {
    try {
      checkObjectModels(datamodel);
    } catch (error) {
      if (!isVaultError(error, "VAULT_CONFIG")) throw error;
      problems.push(error);
    }
  }
  if (problems.length === 0) return;
  const files = await schemaFiles(request.params?.schemaPath);
  const lines = problems.map((problem) => {
    const at = problem.model === undefined ? undefined : schemaLine(files, problem.model, problem.field);
    return at ? `${relative(process.cwd(), at.path)}:${at.line}: ${problem.message}` : problem.message;
  });
  throw new VaultConfigError(
    lines.length === 1
      ? (lines[0] ?? "")
      : [
          `${lines.length} problems that vault() would refuse when the application starts:`,
          ...lines.map((line) => `  ${line}`),
        ].join("\n"),
  );
}

/** The schema's files, to find lines in: the file at `schemaPath`, or the `.prisma` files in its folder. */
async function schemaFiles(schemaPath: string | undefined): Promise<SchemaFile[]> {
  if (schemaPath === undefined) return [];
  try {
    if (!(await stat(schemaPath)).isDirectory())
      return [{ path: schemaPath, text: await readFile(schemaPath, "utf8") }];
    const names = (await readdir(schemaPath, { recursive: true })).filter((name) => name.endsWith(".prisma"));
    return await Promise.all(
      names.sort().map(async (name) => ({
        path: join(schemaPath, name),
        text: await readFile(join(schemaPath, name), "utf8"),
      })),
    );
  } catch {
    // A line is a help, not the report: without the files, the problems are told without their lines.
    return [];
  }
}

type Encrypted = NonNullable<GeneratedVaultSchema["encrypted"]>;

/** Each model's encrypted fields with their index column: what the client's types need of the annotations. */
function encryptedFields(models: ModelsOption): Encrypted {
  const out: Record<string, Record<string, { index?: string }>> = {};
  for (const [model, { fields }] of Object.entries(models)) {
    if (Object.keys(fields).length === 0) continue;
    out[model] = Object.fromEntries(
      Object.entries(fields).map(([name, field]) => [name, field.index ? { index: field.index } : {}]),
    );
  }
  return out;
}

/** Prisma's global `omit` for the index columns, keyed as the client's model properties (`account`). */
function omitOf(encrypted: Encrypted): Record<string, Record<string, true>> {
  const out: Record<string, Record<string, true>> = {};
  for (const [model, fields] of Object.entries(encrypted)) {
    const columns = Object.values(fields).flatMap((field) => (field.index ? [field.index] : []));
    if (columns.length > 0) out[modelProperty(model)] = Object.fromEntries(columns.map((c) => [c, true]));
  }
  return out;
}

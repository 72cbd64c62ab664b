/**
 * The `prisma-vault` Prisma generator. Prisma starts `generator vault { provider = "prisma-vault" }`
 * as a child process with PRISMA_GENERATOR_INVOCATION=true and speaks JSON-RPC with it: requests are
 * JSON lines on stdin (`getManifest`, `generate`), replies JSON lines on stderr. It needs neither
 * `@prisma/internals` nor the network. It writes `vaultSchema` (annotations, relations, ids) to the
 * output folder: `index.js` + `index.d.ts` (ESM), `index.cjs` + `index.d.cts`, `vault-schema.json`,
 * with the datasource's active provider as `datamodel.provider`. With `objects = true` in its block it
 * also checks the Vault object models (src/objects/models.ts) and fails the generation without them.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fromDmmf } from "../schema/datamodel.js";
import { checkObjectModels } from "../objects/models.js";

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
  // `prisma generate` fails here, naming the model and field, rather than the first object call.
  if (String(request.params?.generator?.config?.["objects"]) === "true")
    checkObjectModels(generated.datamodel);
  const schema = JSON.stringify(generated, null, 2);
  const banner = "// Written by the prisma-vault generator from your Prisma schema. Do not edit.\n";
  // The JSON itself is the declared type: self-contained (no import of prisma-vault) and exact.
  const types = `export declare const vaultSchema: ${schema};\n`;
  await mkdir(dir, { recursive: true });
  await Promise.all([
    writeFile(join(dir, "vault-schema.json"), `${schema}\n`),
    writeFile(join(dir, "index.js"), `${banner}export const vaultSchema = ${schema};\n`),
    writeFile(join(dir, "index.d.ts"), `${banner}${types}`),
    writeFile(join(dir, "index.cjs"), `${banner}"use strict";\nexports.vaultSchema = ${schema};\n`),
    writeFile(join(dir, "index.d.cts"), `${banner}${types}`),
  ]);
}

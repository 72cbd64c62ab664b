/**
 * The config file of `prisma-vault migrate`: a module that exports the application's Prisma client
 * extended with `vault()`, as its default export or as `prisma`, or a (possibly async) function
 * returning one. JavaScript is imported as it is; TypeScript through tsx, when it is installed.
 */
import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { VaultConfigError } from "../errors.js";
import { handleOf } from "../prisma/handle.js";

const TYPESCRIPT = new Set([".ts", ".mts", ".cts"]);

/** tsx's loader API (a variable, so the bundler leaves the optional import alone). */
const TSX_API: string = "tsx/esm/api";

interface TsxApi {
  tsImport(specifier: string, parentURL: string): Promise<unknown>;
}

/**
 * The vault-extended client that `file` exports.
 *
 * @example const prisma = await loadClient("vault.config.ts");
 */
export async function loadClient(file: string): Promise<object> {
  const path = resolve(file);
  if (!existsSync(path)) throw new VaultConfigError(`the config file ${file} does not exist`);
  const module = (await importModule(path)) as Record<string, unknown>;
  let exported = exportOf(module);
  if (typeof exported === "function") exported = await (exported as () => unknown)();
  if (!isVaultClient(exported)) {
    throw new VaultConfigError(
      `${file} must export a Prisma client extended with vault() (as default or "prisma"), or a function returning one`,
    );
  }
  return exported as object;
}

async function importModule(path: string): Promise<unknown> {
  const url = pathToFileURL(path).href;
  if (!TYPESCRIPT.has(extname(path))) return import(url);
  let tsx: TsxApi;
  try {
    tsx = (await import(TSX_API)) as TsxApi;
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new VaultConfigError(
      "a TypeScript config needs tsx: npm install --save-dev tsx, or write the config as .js or .mjs",
    );
  }
  return tsx.tsImport(url, url);
}

function exportOf(module: Record<string, unknown>): unknown {
  const exported = module["default"] ?? module["prisma"];
  if (isVaultClient(exported) || typeof exported !== "object" || exported === null) return exported;
  // A CommonJS config seen from ESM: its module.exports is the default export.
  const inner = exported as Record<string, unknown>;
  return inner["default"] ?? inner["prisma"] ?? exported;
}

function isVaultClient(value: unknown): boolean {
  try {
    handleOf(value);
    return true;
  } catch {
    return false;
  }
}

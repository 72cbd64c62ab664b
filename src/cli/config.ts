/**
 * The config file of `prisma-vault migrate` and `key-server`: a module that exports the application's
 * Prisma client extended with `vault()`, as its default export or as `prisma`, or a (possibly async)
 * function returning one. Forms: `.ts` (ESM or CommonJS, as the project's package.json says), `.mjs`,
 * `.cjs` and `.js`.
 *
 * When tsx is installed, its loader is registered for the whole process before the config is imported
 * (not a scoped `tsImport`, which loads every module again under its own namespace): the config then
 * shares this process's module cache, so an ESM config's `prisma-vault` is the CLI's own copy, and any
 * form can import the TypeScript client Prisma 7 generates. A CommonJS config still loads the package's
 * CJS copy; the CLI drives it through its handle, by shape and version (client/handle.ts).
 */
import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { VaultConfigError } from "../errors.js";
import { handleOf, hasHandle } from "../client/handle.js";

const TYPESCRIPT = new Set([".ts", ".mts", ".cts"]);

/** tsx's loader APIs (variables, so the bundler leaves the optional imports alone). */
const TSX_ESM: string = "tsx/esm/api";
const TSX_CJS: string = "tsx/cjs/api";

interface TsxApi {
  register(): unknown;
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
  if (!hasHandle(exported)) {
    throw new VaultConfigError(
      `${file} must export a Prisma client extended with vault() (as default or "prisma"), or a function returning one`,
    );
  }
  handleOf(exported); // a client of another prisma-vault version is refused here, naming both
  return exported as object;
}

async function importModule(path: string): Promise<unknown> {
  const registered = await registerTsx();
  if (!registered && TYPESCRIPT.has(extname(path))) {
    throw new VaultConfigError(
      "a TypeScript config needs tsx: npm install --save-dev tsx, or write the config as .mjs or .cjs",
    );
  }
  return import(pathToFileURL(path).href);
}

let tsx: Promise<boolean> | undefined;

/** Registers tsx's ESM and CommonJS loaders once for this process; false when tsx is not installed. */
function registerTsx(): Promise<boolean> {
  tsx ??= Promise.all([import(TSX_ESM), import(TSX_CJS)]).then(
    (apis) => {
      for (const api of apis as TsxApi[]) api.register();
      return true;
    },
    (error: unknown) => {
      if ((error as { code?: unknown }).code === "ERR_MODULE_NOT_FOUND") return false;
      throw error;
    },
  );
  return tsx;
}

function exportOf(module: Record<string, unknown>): unknown {
  const exported = module["default"] ?? module["prisma"];
  if (hasHandle(exported) || typeof exported !== "object" || exported === null) return exported;
  // A CommonJS config seen from ESM: its module.exports is the default export.
  const inner = exported as Record<string, unknown>;
  return inner["default"] ?? inner["prisma"] ?? exported;
}

import { resolve } from "node:path";
import { defineConfig, type Options } from "tsup";

type EsbuildPlugin = NonNullable<Options["esbuildPlugins"]>[number];

/** The subpaths (STYLE.md: subpaths in the exports map): optional parts, each loaded only by its import. */
const subpaths = { workos: "src/workos.ts", "key-server": "src/key-server/index.ts" };
const entries = { index: "src/index.ts", ...subpaths };
/**
 * Entries built as ES modules only: `prisma-vault/prisma8` is for Prisma 8, whose packages
 * (`@prisma/orm-postgres`) are ES modules only and need Node 22.18. Not in `internal.cjs`, so the root's
 * CommonJS build never holds Prisma 8 code.
 */
const esmOnly = { prisma8: "src/prisma8.ts" };

/** What every build shares. */
const common = {
  sourcemap: true,
  target: "node20",
  // `node:crypto`, not `crypto`: Deno resolves built-ins by the prefix, and Workers' nodejs_compat takes it.
  removeNodeProtocol: false,
  // Classes named as declared: esbuild renames a class that refers to itself (`VaultConfigError.code`)
  // to `_VaultConfigError`, which Node then prints for an uncaught error and `console.log` shows.
  keepNames: true,
} satisfies Options;

/**
 * One copy of every class per module format (DESIGN.md §9), so `instanceof` holds across `prisma-vault`,
 * `prisma-vault/workos` and `prisma-vault/key-server`:
 * - ESM: code splitting, tsup's default for esm. Entries share chunks; an entry loads only its own, so
 *   the root never loads the key server, nor Prisma 8 (`prisma-vault/prisma8`, built as ESM only).
 * - CJS: esbuild cannot split CJS, and tsup's `splitting: true` for cjs splits as ESM and then rewrites
 *   every chunk with sucrase (class fields, `?.` and `??` become helpers, `import()` becomes `require()`).
 *   Instead one bundle, `internal.cjs` (src/internal.ts), holds every entry's values, and each entry's
 *   CJS file is esbuild's output of the entry's source with its imports pointed at `./internal.cjs`: a
 *   few lines that re-export its objects. CommonJS runs on Node only, where loading the key server's code
 *   costs a parse: `node:http` itself is looked up only when a server starts.
 * The three builds run at once, so none cleans `dist/`: `npm run build` empties it first.
 */
export default defineConfig([
  {
    ...common,
    entry: { ...entries, ...esmOnly, cli: "src/cli/main.ts" },
    format: ["esm"],
    dts: true,
    // A peer, so external already; said here too, since bundling Prisma 8 would be a second copy of it.
    external: ["@prisma/orm-postgres"],
  },
  // `import.meta.url` in the CJS build (crypto/resolve-aead.ts resolves prisma-vault-native from the package).
  { ...common, entry: { internal: "src/internal.ts" }, format: ["cjs"], dts: false, shims: true },
  {
    ...common,
    entry: { ...entries, cli: "src/cli/main.ts" },
    format: ["cjs"],
    dts: true,
    shims: true,
    esbuildPlugins: [cjsEntriesFromInternal(Object.values(entries))],
  },
]);

/**
 * In the CJS build of the entries, turns each entry's relative imports into `require("./internal.cjs")`.
 * Precondition: no module imports an entry but src/internal.ts (built apart, without this plugin), or an
 * entry's CJS file would hold a copy of what it imports.
 */
function cjsEntriesFromInternal(entryFiles: readonly string[]): EsbuildPlugin {
  return {
    name: "cjs-entries-from-internal",
    setup(build) {
      const files = new Set(entryFiles.map((entry) => resolve(entry)));
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind === "entry-point") return undefined;
        if (files.has(args.importer)) return { path: "./internal.cjs", external: true };
        const target = resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts"));
        if (!files.has(target)) return undefined;
        return {
          errors: [
            {
              text: `${args.importer} imports the entry ${args.path}: import the modules it re-exports instead`,
            },
          ],
        };
      });
    },
  };
}

import { resolve } from "node:path";
import { defineConfig, type Options } from "tsup";

type EsbuildPlugin = NonNullable<Options["esbuildPlugins"]>[number];

/** The optional parts (STYLE.md: subpaths in the exports map). Everything they export, the root exports too. */
const subpaths = { workos: "src/workos.ts", "key-server": "src/key-server/index.ts" };

/**
 * One copy of every class per module format (DESIGN.md §9), so `instanceof` holds across `prisma-vault`,
 * `prisma-vault/workos` and `prisma-vault/key-server`:
 * - ESM: code splitting, tsup's default for esm. Entries share chunks; a subpath loads only its own.
 * - CJS: esbuild cannot split CJS, and tsup's `splitting: true` for cjs splits as ESM and then rewrites
 *   every chunk with sucrase (class fields, `?.` and `??` become helpers, `import()` becomes `require()`).
 *   Instead each subpath's CJS file is esbuild's own output of the subpath's source with its imports
 *   pointed at `./index.cjs`: a few lines that re-export the root's objects.
 */
export default defineConfig({
  entry: { index: "src/index.ts", ...subpaths, cli: "src/cli/main.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  // `node:crypto`, not `crypto`: Deno resolves built-ins by the prefix, and Workers' nodejs_compat takes it.
  removeNodeProtocol: false,
  // `import.meta.url` in the CJS build (crypto/aead.ts resolves prisma-vault-native from the package).
  shims: true,
  // Classes named as declared: esbuild renames a class that refers to itself (`VaultConfigError.code`)
  // to `_VaultConfigError`, which Node then prints for an uncaught error and `console.log` shows.
  keepNames: true,
  esbuildPlugins: [cjsSubpathsFromRoot(Object.values(subpaths))],
});

/**
 * In the CJS build, turns the relative imports of the subpath `entries` into `require("./index.cjs")`.
 * Precondition: no module imports an entry (the root imports the modules behind it), or the root's own
 * CJS bundle would require itself.
 */
function cjsSubpathsFromRoot(entries: readonly string[]): EsbuildPlugin {
  return {
    name: "cjs-subpaths-from-root",
    setup(build) {
      if (build.initialOptions.format !== "cjs") return;
      const files = new Set(entries.map((entry) => resolve(entry)));
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind === "entry-point") return undefined;
        if (files.has(args.importer)) return { path: "./index.cjs", external: true };
        const target = resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts"));
        if (!files.has(target)) return undefined;
        return {
          errors: [
            {
              text: `${args.importer} imports the subpath entry ${args.path}: import the modules it re-exports instead`,
            },
          ],
        };
      });
    },
  };
}

/**
 * Issue 26: the root entry and `prisma-vault/workos` load where there is no file system, HTTP server or
 * module loader (Workers, with or without nodejs_compat's later modules). The built entries, bundled for a
 * neutral platform as a Workers bundler does, import no Node.js built-in but node:crypto, statically or
 * dynamically; the CLI, migration checkpoints and the key server look up the others where they are used.
 */
import { isBuiltin } from "node:module";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPackage } from "../support/packed-app.js";

/** What the extension uses of nodejs_compat: AES-GCM, HMAC, HKDF and random bytes. */
const ALLOWED = ["node:crypto"];

const repo = fileURLToPath(new URL("../..", import.meta.url));
let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "prisma-vault-neutral-"));
  await buildPackage(join(dir, "dist"));
  // Its dependencies (lru-cache) are bundled with it, from this repo's install.
  await symlink(join(repo, "node_modules"), join(dir, "node_modules"), "dir");
}, 150_000);
afterAll(async () => {
  if (dir !== "") await rm(dir, { recursive: true, force: true });
});

/** The Node.js built-ins that bundling `entry` reaches, each with how it is imported. */
async function builtinsOf(entry: string): Promise<string[]> {
  const found = new Set<string>();
  const externals: Plugin = {
    name: "externals",
    setup(bundler) {
      bundler.onResolve({ filter: /.*/ }, (args) => {
        if (isBuiltin(args.path)) {
          found.add(`${args.path} (${args.kind})`);
          return { path: args.path, external: true };
        }
        // The user's Prisma client is theirs to bundle.
        if (args.path.startsWith("@prisma/")) return { path: args.path, external: true };
        return undefined;
      });
    },
  };
  await build({
    entryPoints: [join(dir, "dist", entry)],
    bundle: true,
    write: false,
    platform: "neutral",
    format: "esm",
    // Wrangler's conditions. Without "browser", lru-cache's build adds a guarded
    // import("node:diagnostics_channel") that nodejs_compat provides and that fails quietly without it.
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    logLevel: "error",
    plugins: [externals],
  });
  return [...found].sort();
}

describe("the built entries bundled for a neutral platform (Workers)", () => {
  it.each(["index.js", "workos.js"])("dist/%s imports no Node.js built-in but node:crypto", async (entry) => {
    const builtins = await builtinsOf(entry);
    expect(builtins.filter((found) => !ALLOWED.some((allowed) => found.startsWith(`${allowed} `)))).toEqual(
      [],
    );
    expect(builtins).toContain("node:crypto (import-statement)");
  });

  it("the CLI's bundle does reach node:fs (the check sees what an entry imports)", async () => {
    expect(await builtinsOf("cli.js")).toContain("node:fs (import-statement)");
  });
});

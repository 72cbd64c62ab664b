/**
 * An app for one runtime leg (test/runtimes): the packed package, the runtime's Prisma client
 * (`runtime = "workerd" | "bun" | "deno"`) and vaultSchema generated from schema.template.prisma, the
 * scenario beside them, and the packages of compat/runtimes (the runtimes, the D1 and libsql adapters)
 * linked before this repo's.
 */
import { copyFile, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeApp } from "../support/packed-app.js";

export type Runtime = "workerd" | "bun" | "deno";

const here = fileURLToPath(new URL(".", import.meta.url));
/** compat/runtimes/node_modules: `npm run setup:runtimes` installs it. */
export const RUNTIME_MODULES = fileURLToPath(new URL("../../compat/runtimes/node_modules", import.meta.url));

/**
 * Whether the runtime legs can run here. Unset: they skip (a developer without `npm run setup:runtimes`);
 * CI sets PRISMA_VAULT_REQUIRE_RUNTIMES=1, and then a missing install fails instead.
 */
export function runtimesInstalled(): boolean {
  const installed = existsSync(join(RUNTIME_MODULES, ".bin", "bun"));
  if (!installed && process.env["PRISMA_VAULT_REQUIRE_RUNTIMES"] === "1") {
    throw new Error(
      "PRISMA_VAULT_REQUIRE_RUNTIMES=1 but compat/runtimes is not installed: npm run setup:runtimes",
    );
  }
  return installed;
}

/** A runtime's binary from compat/runtimes (bun, deno, workerd). */
export function runtimeBin(name: "bun" | "deno" | "workerd"): string {
  return join(RUNTIME_MODULES, ".bin", name);
}

/** Makes the app in `dir` for `runtime` with the packed `tarball`; the scenario is `dir/scenario.ts`. */
export async function makeRuntimeApp(dir: string, runtime: Runtime, tarball: string): Promise<string> {
  const template = await readFile(join(here, "schema.template.prisma"), "utf8");
  await makeApp(dir, "esm", tarball, {
    schema: template.replaceAll("{{runtime}}", runtime),
    modules: [RUNTIME_MODULES],
  });
  await copyFile(join(here, "scenario.ts"), join(dir, "scenario.ts"));
  return dir;
}

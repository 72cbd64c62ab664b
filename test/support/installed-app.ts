/**
 * An app as npm makes it: a fresh ES module project where `npm install` installs the packed package and
 * the app's own packages, resolving their dependencies and peers as it does for a user (a non-optional
 * peer is installed, an optional one is not). Unlike makeApp (packed-app.ts), nothing is linked from this
 * repo: what the app holds is npm's choice, which is what the test is about. Packages come from npm's
 * cache when it has them (`--prefer-offline`), from the registry otherwise.
 */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Makes an ES module app in `dir` with `npm install <tarball> ...packages`; returns `dir`.
 *
 * @example const app = await installApp(join(tmp, "app"), tarball, ["@prisma/orm-postgres@8.0.0-rc.13"]);
 */
export async function installApp(dir: string, tarball: string, packages: readonly string[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "installed-app", private: true, type: "module" }, null, 2)}\n`,
  );
  await run(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball, ...packages],
    { cwd: dir, timeout: 300_000 },
  );
  return dir;
}

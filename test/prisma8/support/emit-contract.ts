/**
 * `prisma contract emit` for an app folder, with the emitted contract.json cached by content. Emitting
 * takes about 1.5 s and every test file of test/prisma8 emits the same fixture, so the first file pays
 * and the others copy the cached file (`db init` reads only contract.json). The cache is keyed by the
 * contract's text and the versions of the CLI and of @prisma/orm-postgres, so a changed fixture or a new
 * release candidate emits again; it lives in the system's temporary folder and is never committed.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPrisma8Cli } from "./prisma8-cli.js";
import { COMPAT_PRISMA8 } from "./prisma8-skip.js";

const CACHE = join(tmpdir(), "prisma-vault-prisma8-contracts");

/**
 * Makes `dir/contract.json` from `dir/contract.prisma` (the output path prisma.config.ts leaves at its
 * default), emitting only when the cache has no copy, and returns the contract as parsed JSON.
 *
 * @example const contractJson = await emitContract(appDir, url);
 */
export async function emitContract(dir: string, url: string): Promise<unknown> {
  const target = join(dir, "contract.json");
  const cached = join(CACHE, `${await cacheKey(dir)}.json`);
  if (existsSync(cached)) {
    await copyFile(cached, target);
  } else {
    await runPrisma8Cli(["contract", "emit"], { cwd: dir, url });
    // Another test file may be storing the same key: write aside, then rename, so no reader sees half a file.
    await mkdir(CACHE, { recursive: true });
    const aside = `${cached}.${process.pid}.tmp`;
    await copyFile(target, aside);
    await rename(aside, cached).catch(() => rm(aside, { force: true }));
  }
  return JSON.parse(await readFile(target, "utf8")) as unknown;
}

async function cacheKey(dir: string): Promise<string> {
  const hash = createHash("sha256").update(await readFile(join(dir, "contract.prisma")));
  for (const name of ["prisma", "@prisma/orm-postgres"]) {
    hash.update(await readFile(join(COMPAT_PRISMA8, "node_modules", name, "package.json")));
  }
  return hash.digest("hex");
}

/**
 * The empty folder the Prisma 8 guide (docs/prisma8.md) is followed in, with what its install step would
 * have put there, and a fresh PostgreSQL database for it. The folder is outside this repository, since
 * the Prisma 8 CLI looks for its configuration upwards until it meets a `.git`.
 *
 * What differs from a user's `npm install`, and why: the registry install of the Prisma 8 CLI is about
 * 1 GB, so the app's node_modules links the packages of compat/prisma8 (the same pinned `prisma` and
 * `@prisma/orm-postgres`, and their dependencies); prisma-vault is this repo's packed tarball, unpacked
 * as npm unpacks it, with those of its dependencies compat/prisma8 lacks (and tsx) linked from this
 * repo. Nothing else is there: no `@prisma/client`.
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freshDatabase } from "./fresh-database.js";
import { COMPAT_PRISMA8 } from "./prisma8-skip.js";

const run = promisify(execFile);
const repo = fileURLToPath(new URL("../../..", import.meta.url));

/** The app folder and its database. */
export interface GuideApp {
  /** The app folder: a `type: module` package.json and node_modules, nothing else. */
  readonly dir: string;
  /** The URL of a fresh, empty database. */
  readonly url: string;
  /** Drops the database and deletes the folder. */
  drop(): Promise<void>;
}

/**
 * Makes the app folder with `tarball` installed, and database `p8_guide_<pid>_<random>`. Skips (or fails
 * under PRISMA_VAULT_REQUIRE_DATABASES=1) when PostgreSQL does not answer.
 *
 * @example const app = await guideApp(await packPackage(work));
 */
export async function guideApp(tarball: string): Promise<GuideApp> {
  const database = await freshDatabase("guide");
  const dir = await mkdtemp(join(tmpdir(), "prisma-vault-p8-guide-"));
  const drop = async () => {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await install(dir, tarball);
    return { dir, url: database.url, drop };
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
}

/** What the guide's install step leaves: package.json (an ES module project) and node_modules. */
async function install(dir: string, tarball: string): Promise<void> {
  await writeFile(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "vault-prisma8", private: true, type: "module" }, null, 2)}\n`,
  );
  const modules = join(dir, "node_modules");
  await mkdir(join(modules, ".bin"), { recursive: true });
  const compat = join(COMPAT_PRISMA8, "node_modules");
  for (const entry of await readdir(compat)) {
    if (entry.startsWith(".")) continue;
    if (!entry.startsWith("@")) {
      await symlink(join(compat, entry), join(modules, entry), "dir");
      continue;
    }
    await mkdir(join(modules, entry));
    for (const name of await readdir(join(compat, entry))) {
      await symlink(join(compat, entry, name), join(modules, entry, name), "dir");
    }
  }
  const vault = join(modules, "prisma-vault");
  await mkdir(vault);
  await run("tar", ["-xzf", tarball, "-C", vault, "--strip-components=1"]);
  const manifest = JSON.parse(await readFile(join(vault, "package.json"), "utf8")) as {
    bin: Record<string, string>;
    dependencies: Record<string, string>;
  };
  const present = new Set(await readdir(modules));
  for (const name of Object.keys(manifest.dependencies)) {
    if (!present.has(name)) await symlink(join(repo, "node_modules", name), join(modules, name), "dir");
  }
  // What npm links into .bin for the packages the guide runs with npx.
  for (const [name, file] of Object.entries(manifest.bin)) {
    await chmod(join(vault, file), 0o755);
    await symlink(join("..", "prisma-vault", file), join(modules, ".bin", name));
  }
  const prisma = JSON.parse(await readFile(join(compat, "prisma", "package.json"), "utf8")) as {
    bin: { prisma: string };
  };
  await symlink(join("..", "prisma", prisma.bin.prisma), join(modules, ".bin", "prisma"));
  await symlink(join(repo, "node_modules", ".bin", "tsx"), join(modules, ".bin", "tsx"));
}

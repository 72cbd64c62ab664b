/**
 * prisma-vault as a user installs it: this repo built and packed with `npm pack`, the tarball unpacked
 * into a fresh app's node_modules (its `bin` linked as npm links it), beside the app's own Prisma
 * client and prisma-vault's `vaultSchema`, generated from the test schema by the app's `prisma
 * generate` with the packed generator. The app's other packages are this repo's, linked, so nothing
 * is downloaded. ESM and CommonJS apps differ in their package.json and their client's module format.
 */
import { execFile } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const repo = fileURLToPath(new URL("../..", import.meta.url));
const require = createRequire(import.meta.url);

/** How {@link packPackage} builds: with the `.d.ts` files (slower) for a test that compiles against them. */
export interface PackOptions {
  readonly declarations?: boolean;
}

/**
 * Builds the package from this repo's sources (tsup.config.ts, without declarations unless asked) and
 * packs it into `dir`; returns the tarball's path.
 */
export async function packPackage(dir: string, options: PackOptions = {}): Promise<string> {
  const pkg = join(dir, "package");
  await mkdir(pkg, { recursive: true });
  await buildPackage(join(pkg, "dist"), options);
  for (const file of ["package.json", "README.md", "CHANGELOG.md", "LICENSE"]) {
    await copyFile(join(repo, file), join(pkg, file));
  }
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], {
    cwd: pkg,
    timeout: 60_000,
  });
  return join(dir, stdout.trim().split("\n").pop() as string);
}

/**
 * Builds the package from this repo's sources into `outDir` (tsup.config.ts, no source maps, and no
 * declarations unless `options.declarations`).
 */
export async function buildPackage(outDir: string, options: PackOptions = {}): Promise<void> {
  const dts = options.declarations === true ? [] : ["--no-dts"];
  await run(process.execPath, [tsupCli(), "--out-dir", outDir, ...dts, "--no-sourcemap"], {
    cwd: repo,
    timeout: 120_000,
  });
}

/**
 * The package built (as buildPackage) into a new temporary folder with this repo's package.json, and
 * this repo's node_modules linked, so that `prisma-vault` and its subpaths resolve from inside it through
 * the exports map; returns the folder, which the caller removes.
 *
 * @example const pkg = await builtPackage(); // then run node with cwd: pkg
 */
export async function builtPackage(): Promise<string> {
  const pkg = await mkdtemp(join(tmpdir(), "prisma-vault-package-"));
  await copyFile(join(repo, "package.json"), join(pkg, "package.json"));
  await symlink(join(repo, "node_modules"), join(pkg, "node_modules"), "dir");
  await buildPackage(join(pkg, "dist"));
  return pkg;
}

/** A fresh app: an ES module project, or a CommonJS one (its generated client CommonJS too). */
export type AppFormat = "esm" | "cjs";

/** What an app is made of beyond the packed package: its schema, and packages from other installs. */
export interface AppParts {
  /** The whole schema.prisma; default: the SQLite test schema with a client for `format`. */
  readonly schema?: string;
  /** node_modules folders whose packages the app links before this repo's (the first one wins). */
  readonly modules?: readonly string[];
}

/**
 * Makes an app in `dir` with the packed `tarball` installed, and runs its `prisma generate`.
 *
 * @example const app = await makeApp(join(tmp, "esm"), "esm", tarball);
 */
export async function makeApp(
  dir: string,
  format: AppFormat,
  tarball: string,
  parts: AppParts = {},
): Promise<string> {
  const modules = join(dir, "node_modules");
  await mkdir(join(modules, ".bin"), { recursive: true });
  const linked = new Set(["prisma-vault", ".bin"]);
  for (const from of [...(parts.modules ?? []), join(repo, "node_modules")]) {
    for (const entry of await readdir(from)) {
      if (entry.startsWith(".")) continue;
      const names = entry.startsWith("@")
        ? (await readdir(join(from, entry))).map((name) => `${entry}/${name}`)
        : [entry];
      if (entry.startsWith("@")) await mkdir(join(modules, entry), { recursive: true });
      for (const name of names) {
        if (linked.has(name)) continue;
        linked.add(name);
        await symlink(join(from, name), join(modules, name), "dir");
      }
    }
  }
  const installed = join(modules, "prisma-vault");
  await mkdir(installed);
  await run("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);
  // What npm does for a package's `bin` on install.
  const { bin } = JSON.parse(await readFile(join(installed, "package.json"), "utf8")) as {
    bin: Record<string, string>;
  };
  for (const [name, file] of Object.entries(bin)) {
    await chmod(join(installed, file), 0o755);
    await symlink(join("..", "prisma-vault", file), join(modules, ".bin", name));
  }
  for (const name of ["prisma", "tsx"]) {
    await symlink(join(repo, "node_modules", ".bin", name), join(modules, ".bin", name));
  }
  await writeFile(
    join(dir, "package.json"),
    `${JSON.stringify({ name: `app-${format}`, private: true, ...(format === "esm" && { type: "module" }) }, null, 2)}\n`,
  );
  await writeFile(join(dir, "schema.prisma"), parts.schema ?? (await appSchema(format)));
  await run(join(modules, ".bin", "prisma"), ["generate", "--schema", "schema.prisma"], {
    cwd: dir,
    timeout: 120_000,
    env: {
      ...process.env,
      PATH: `${join(modules, ".bin")}:${process.env["PATH"] ?? ""}`,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env["PRISMA_SCHEMA_ENGINE_BINARY"] ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
  });
  return dir;
}

/** The rendered SQLite test schema, with an app's generator blocks: the client, and `prisma-vault`. */
async function appSchema(format: AppFormat): Promise<string> {
  const tested = await readFile(join(repo, "test/generated/sqlite/schema.prisma"), "utf8");
  const models = tested.slice(tested.indexOf("datasource db"));
  const moduleFormat = format === "cjs" ? '\n  moduleFormat = "cjs"' : "";
  return `generator client {
  provider = "prisma-client"
  output   = "./generated/prisma"${moduleFormat}
}

generator vault {
  provider = "prisma-vault"
  output   = "./generated/vault"
}

${models}`;
}

function tsupCli(): string {
  const { bin } = require("tsup/package.json") as { bin: { tsup: string } };
  return join(dirname(require.resolve("tsup/package.json")), bin.tsup);
}

/**
 * The built package's files: what each entry's code imports, and where the exports map sends
 * `prisma-vault/prisma8`.
 * - The root entry's ES module graph holds neither the key server (edge runtimes have no `node:http`)
 *   nor Prisma 8; no file imports `@prisma/client` (issue 30: a Prisma 8 app has none) or
 *   `@workos-inc/node` (an app passes its own SDK client).
 * - `prisma-vault/prisma8` is ES module only, as Prisma 8 is. It is not loaded here (Prisma 8 needs Node
 *   22.18; prisma8-app.test.ts loads it in an app npm installed).
 *
 * beforeAll builds with this repo's tsup.config.ts (no declarations, no source maps) into a temporary
 * package whose node_modules is this repo's, so the test needs no earlier `npm run build`.
 */
import { execFile } from "node:child_process";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtPackage } from "../support/packed-app.js";

const run = promisify(execFile);

let pkg = "";

beforeAll(async () => {
  pkg = await builtPackage();
}, 90_000);

afterAll(async () => {
  if (pkg !== "") await rm(pkg, { recursive: true, force: true });
});

describe("the built package's files", () => {
  it("the root entry's ES module graph holds none of the key server's code (edge runtimes have no node:http)", async () => {
    const graph = await esmGraph("index.js");
    const holding: string[] = [];
    for (const [file, text] of graph) {
      if (/startKeyServer|node:http/.test(text)) holding.push(file);
    }
    expect(graph.size).toBeGreaterThan(1);
    expect(holding).toEqual([]);
  });

  it("the root entry's ES module graph imports no @prisma/orm-postgres (Prisma 8 is only prisma-vault/prisma8's)", async () => {
    const graph = await esmGraph("index.js");
    const importing = [...graph]
      .filter(([, text]) => imports(text, "@prisma/orm-postgres"))
      .map(([file]) => file);
    expect(importing).toEqual([]);
  });

  it("no file in dist imports or requires @prisma/client: a Prisma 8 app has none (issue 30)", async () => {
    const dist = join(pkg, "dist");
    const files = (await readdir(dist)).filter((file) => /\.(c?js)$/.test(file));
    const importing: string[] = [];
    for (const file of files) {
      if (imports(await readFile(join(dist, file), "utf8"), "@prisma/client")) importing.push(file);
    }
    expect(files).toContain("prisma8.js");
    expect(importing).toEqual([]);
  });

  it("prisma-vault/prisma8 is ES module only, as Prisma 8 is: require() is refused by the exports map", async () => {
    const failed = await run(process.execPath, ["-e", `require.resolve("prisma-vault/prisma8")`], {
      cwd: pkg,
      timeout: 30_000,
    }).then(
      () => undefined,
      (error: { stderr?: string }) => error,
    );
    expect(failed?.stderr).toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
    const { stdout } = await run(
      process.execPath,
      ["--input-type=module", "-e", `process.stdout.write(import.meta.resolve("prisma-vault/prisma8"))`],
      { cwd: pkg, timeout: 30_000 },
    );
    expect(stdout).toMatch(/\/dist\/prisma8\.js$/);
  });

  it("no file in dist imports or requires @workos-inc/node", async () => {
    const dist = join(pkg, "dist");
    const files = (await readdir(dist)).filter((file) => /\.(c?js)$/.test(file));
    const importing: string[] = [];
    for (const file of files) {
      if (imports(await readFile(join(dist, file), "utf8"), "@workos-inc/node")) importing.push(file);
    }
    expect(files.length).toBeGreaterThan(0);
    expect(importing).toEqual([]);
  });
});

/** The files of `entry`'s ES module graph in the built dist/ (relative imports only), with their text. */
async function esmGraph(entry: string): Promise<Map<string, string>> {
  const graph = new Map<string, string>();
  const visit = async (file: string): Promise<void> => {
    if (graph.has(file)) return;
    const text = await readFile(join(pkg, "dist", file), "utf8");
    graph.set(file, text);
    for (const match of text.matchAll(/from\s*"\.\/([^"]+)"|import\(\s*"\.\/([^"]+)"\s*\)/g)) {
      const next = match[1] ?? match[2];
      if (next !== undefined) await visit(next);
    }
  };
  await visit(entry);
  return graph;
}

/** Whether built code `text` imports or requires the package `name` or one of its subpaths. */
function imports(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`(?:from|import|require)\\s*\\(?\\s*["']${escaped}(?:["'/])`).test(text);
}

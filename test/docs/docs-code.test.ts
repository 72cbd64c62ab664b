/**
 * Docs that cannot drift (issue 27): every TypeScript, JavaScript and shell block of the README and the
 * guides runs, in order, in an app that holds the packed package, unless a marker says otherwise
 * (code-blocks.ts). The app is made once (makeApp: the packed tarball, `prisma generate` of
 * schema.prisma); each guide starts on a fresh SQLite database whose tables are made with plain SQL
 * (tables.sql), since the schema engine cannot run here. A TypeScript block runs with tsx after
 * prelude.js, which gives it what the guides take as given (`base`, `prisma`, `keys`, `workos`, …). A
 * shell block runs in bash in the app's folder, with its node_modules/.bin on PATH and the keys in the
 * environment. A block passes when it exits 0; a block that cannot run as a user would run it carries
 * `<!-- docs-test: not runnable (reason) -->`, and its reason is the test's name.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerSecrets } from "../support/secrets.js";
import { makeApp, packPackage } from "../support/packed-app.js";
import { freePort } from "../support/free-port.js";
import { startRig, TEST_TOKEN, type KeyServerRig } from "../support/key-server.js";
import { codeBlocks, type CodeBlock } from "./code-blocks.js";
import { RUNNER, runProgram, type ProgramResult } from "./run-program.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const here = fileURLToPath(new URL(".", import.meta.url));
/** The port a guide's own key server listens on, as written; each guide gets a free one instead. */
const WRITTEN_PORT = "8787";

const masterKey = randomBytes(32).toString("base64");
const indexKey = randomBytes(32).toString("base64");
registerSecrets(masterKey, indexKey);

/**
 * Guides whose blocks another test runs, in an app of their own: reported here as skipped, with where
 * they run.
 */
const RUN_ELSEWHERE: Readonly<Record<string, string>> = {
  "docs/prisma8.md": "Prisma 8: test/prisma8/guide.test.ts follows it in a Prisma 8 app",
};

const guides = await documents();

let work: string;
let app: string;
let rig: KeyServerRig;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "prisma-vault-docs-"));
  const tarball = await packPackage(work);
  app = await makeApp(join(work, "app"), "esm", tarball, {
    schema: await readFile(join(here, "schema.prisma"), "utf8"),
  });
  await copyFile(join(here, "prelude.js"), join(app, "docs-prelude.js"));
  await copyFile(join(here, "tables.sql"), join(app, "docs-tables.sql"));
  await writeFile(join(app, "docs-run.mjs"), RUNNER);
  rig = await startRig();
}, 300_000);

afterAll(async () => {
  await rig?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(guides)("$file", ({ file, blocks }) => {
  const background: ChildProcess[] = [];
  let port: string;
  beforeAll(async () => {
    // Each guide on its own: no database, config file or checkpoint of the guide before.
    for (const left of [
      "dev.db",
      ".prisma-vault",
      ...(await readdir(app)).filter((f) => f.startsWith("vault.config.")),
    ])
      await rm(join(app, left), { recursive: true, force: true });
    const made = await exec(process.execPath, ["--input-type=module", "-e", MAKE_TABLES]);
    expect(made, made.output).toMatchObject({ code: 0 });
    port = String(await freePort());
  });
  afterAll(async () => {
    await stop(background.splice(0));
  });

  for (const [index, block] of blocks.entries()) {
    const title = `${file}:${block.line} (${block.lang}${block.action.kind === "run" ? "" : `, ${describeAction(block)}`})`;
    if (block.action.kind === "skip" || block.action.kind === "continues") {
      it.skip(title, () => undefined);
      continue;
    }
    it(
      title,
      async () => {
        const body = withContinuations(blocks, index).replaceAll(WRITTEN_PORT, port);
        const { action } = block;
        if (action.kind === "file") {
          await writeFile(join(app, action.name), fileContents(action.name, body));
        } else if (block.lang === "sh" && action.kind === "background") {
          // One server at a time: a later one may listen where the earlier one did.
          await stop(background.splice(0));
          const child = spawn("bash", ["-euo", "pipefail", "-c", body], {
            cwd: app,
            env: env(),
            stdio: "pipe",
            detached: true,
          });
          background.push(child);
          await listening(Number(port), child);
        } else if (block.lang === "sh") {
          const result = await exec("bash", ["-euo", "pipefail", "-c", body]);
          expect(result, result.output).toMatchObject({ code: 0 });
        } else {
          const name = `docs-block.${block.lang === "ts" ? "ts" : "mjs"}`;
          await writeFile(join(app, name), `import "./docs-prelude.js";\n${body}`);
          const result = await exec(join(app, "node_modules/.bin/tsx"), ["docs-run.mjs", name]);
          expect(result, result.output).toMatchObject({ code: 0 });
        }
      },
      120_000,
    );
  }
});

/** Each page with a runnable-language block: the README, then the guides (not the generated API pages). */
async function documents(): Promise<{ file: string; blocks: CodeBlock[] }[]> {
  const files = [
    "README.md",
    ...(await readdir(join(repo, "docs"))).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
  ];
  const pages = await Promise.all(
    files.map(async (file) => {
      const blocks = codeBlocks(file, await readFile(join(repo, file), "utf8"));
      const elsewhere = RUN_ELSEWHERE[file];
      if (elsewhere === undefined) return { file, blocks };
      return {
        file,
        blocks: blocks.map((b) => ({ ...b, action: { kind: "skip", reason: elsewhere } as const })),
      };
    }),
  );
  return pages.filter((page) => page.blocks.length > 0);
}

/** The block at `index` and the `continues` blocks right after it, as one program. */
function withContinuations(blocks: readonly CodeBlock[], index: number): string {
  const parts = [blocks[index]?.body ?? ""];
  for (let next = index + 1; blocks[next]?.action.kind === "continues"; next++)
    parts.push(blocks[next]?.body ?? "");
  return parts.join("\n");
}

/** A config file as the guide shows it; ES module ones first load the prelude, for the names they assume. */
function fileContents(name: string, body: string): string {
  return /\.(ts|mts|mjs)$/.test(name) ? `import "./docs-prelude.js";\n${body}` : body;
}

function describeAction(block: CodeBlock): string {
  const { action } = block;
  if (action.kind === "skip") return `not run: ${action.reason}`;
  if (action.kind === "file") return `written to ${action.name}`;
  return action.kind;
}

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${join(app, "node_modules/.bin")}:${process.env["PATH"] ?? ""}`,
    PRISMA_VAULT_KEYS: `k1:${masterKey}`,
    PRISMA_VAULT_INDEX_KEY: indexKey,
    INDEX_SECRET: indexKey,
    DATABASE_URL: "file:./dev.db",
    WORKOS_API_KEY: TEST_TOKEN,
    DOCS_WORKOS_PORT: String(rig.server.port),
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    npm_config_update_notifier: "false",
  };
}

/** Runs a program in the app (run-program.ts); its exit code and everything it printed. */
function exec(command: string, args: readonly string[]): Promise<ProgramResult> {
  return runProgram(command, args, app, env());
}

/** Stops background blocks, the whole process group of each (bash, npx, the server), and waits. */
async function stop(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.pid === undefined) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGTERM");
      await exited;
    }),
  );
}

/** Resolves once something accepts connections on `port`; rejects if `child` exits first. */
async function listening(port: number, child: ChildProcess): Promise<void> {
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before listening:\n${output}`);
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listened on ${port} within 30 s:\n${output}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(true));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)));
  });
}

/** tables.sql in the app's dev.db, through the SQLite driver the app's adapter uses. */
const MAKE_TABLES = `import Database from "better-sqlite3";
import { readFileSync } from "node:fs";
const db = new Database("dev.db");
db.exec(readFileSync("docs-tables.sql", "utf8"));
db.close();
`;

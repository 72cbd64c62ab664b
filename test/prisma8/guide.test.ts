/**
 * The Prisma 8 guide (docs/prisma8.md), followed as written from an empty folder: its blocks run in
 * order in an app of their own (support/guide-app.ts: the packed tarball, compat/prisma8's pinned
 * Prisma 8, a fresh PostgreSQL database), as test/docs/docs-code.test.ts runs the other guides in a
 * Prisma 7 app. Markers as there (test/docs/code-blocks.ts): a `file:` block is written to its file (the
 * contract too), a shell block runs in bash in the app folder, a TypeScript block runs with tsx. A block
 * passes when it exits 0 and prints every line of the `text` block after it (lines with "…" are not
 * compared: they hold values that differ per run). The database URL the guide writes is replaced by the
 * fresh database's; the keys are the ones the guide makes, in its `.env`.
 *
 * Skipped like the rest of test/prisma8 without compat/prisma8 or on a Node older than 22.18, and failed
 * instead under PRISMA_VAULT_REQUIRE_PRISMA8=1.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { packPackage } from "../support/packed-app.js";
import { codeBlocks, type CodeBlock } from "../docs/code-blocks.js";
import { RUNNER, runProgram, type ProgramResult } from "../docs/run-program.js";
import { guideApp, type GuideApp } from "./support/guide-app.js";
import { assertPrisma8Runs, Prisma8Skip } from "./support/prisma8-skip.js";

const GUIDE = "docs/prisma8.md";
/** The database URL the guide writes into `.env`; each run gets a fresh database instead. */
const WRITTEN_URL = "postgresql://postgres@localhost:5432/vault_prisma8";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const blocks = codeBlocks(GUIDE, await readFile(join(repo, GUIDE), "utf8"));

let work: string | undefined;
let app: GuideApp | undefined;
let skip: string | undefined;
beforeAll(async () => {
  try {
    assertPrisma8Runs();
    work = await mkdtemp(join(tmpdir(), "prisma-vault-p8-guide-pack-"));
    app = await guideApp(await packPackage(work));
    await writeFile(join(app.dir, "guide-run.mjs"), RUNNER);
  } catch (error) {
    if (!(error instanceof Prisma8Skip)) throw error;
    skip = error.message;
  }
}, 300_000);

afterAll(async () => {
  await app?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

beforeEach((context) => {
  if (skip === undefined) return;
  console.warn(`skipping prisma8: ${skip}`);
  context.skip(skip);
});

describe(`${GUIDE}, followed from an empty folder`, () => {
  it("has blocks to run", () => {
    expect(blocks.filter((b) => b.action.kind === "run").length).toBeGreaterThan(5);
  });

  for (const block of blocks) {
    const title = `${GUIDE}:${block.line} (${block.lang}${describeAction(block)})`;
    const { action } = block;
    if (action.kind === "skip" || action.kind === "continues" || action.kind === "background") {
      it.skip(title, () => undefined);
      continue;
    }
    it(
      title,
      async () => {
        const { dir } = app as GuideApp;
        const body = block.body.replaceAll(WRITTEN_URL, (app as GuideApp).url);
        if (action.kind === "file") {
          await writeFile(join(dir, action.name), body);
          return;
        }
        let result: { code: number | null; output: string };
        if (block.lang === "sh") {
          result = await exec(dir, "bash", ["-euo", "pipefail", "-c", body]);
        } else {
          const name = `guide-block-${block.line}.${block.lang === "ts" ? "ts" : "mjs"}`;
          await writeFile(join(dir, name), body);
          result = await exec(dir, join(dir, "node_modules/.bin/tsx"), ["guide-run.mjs", name]);
        }
        expect(result, result.output).toMatchObject({ code: 0 });
        for (const line of expectedLines(block)) expect(result.output, result.output).toContain(line);
      },
      120_000,
    );
  }
});

/** The lines of the `text` block after `block` that its run must print (not those with "…"). */
function expectedLines(block: CodeBlock): string[] {
  return (block.output ?? "").split("\n").filter((line) => line.trim() !== "" && !line.includes("…"));
}

function describeAction(block: CodeBlock): string {
  const { action } = block;
  if (action.kind === "skip") return `, not run: ${action.reason}`;
  if (action.kind === "file") return `, written to ${action.name}`;
  return action.kind === "run" ? "" : `, ${action.kind}`;
}

/**
 * Runs a program in the app folder, as a user's shell would: the app's node_modules/.bin on PATH, and
 * none of this process's prisma-vault or database variables (the guide's `.env` gives them; dotenv
 * would not override a variable already set). No telemetry: this machine has no internet.
 */
function exec(cwd: string, command: string, args: readonly string[]): Promise<ProgramResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(PRISMA_VAULT_|DATABASE_URL$)/.test(name)) delete env[name];
  Object.assign(env, {
    PATH: `${join(cwd, "node_modules/.bin")}:${process.env["PATH"] ?? ""}`,
    DO_NOT_TRACK: "1",
    npm_config_update_notifier: "false",
  });
  return runProgram(command, args, cwd, env);
}

/**
 * The Prisma 8 CLI of compat/prisma8, run as a child process on this Node the way a user runs
 * `npx prisma …` in their project: in an app folder that holds prisma.config.ts, with DATABASE_URL set.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { COMPAT_PRISMA8 } from "./prisma8-skip.js";

const run = promisify(execFile);

/**
 * Runs `prisma <args…>` in `cwd` against `url`; rejects with the command and the CLI's output when it
 * exits non-zero.
 *
 * The CLI is told to stay quiet and local: `--json` (its result as JSON lines, and no "agent skills are
 * out of date" notice) and DO_NOT_TRACK=1 (no telemetry; this machine has no internet).
 *
 * @example await runPrisma8Cli(["db", "init", "--yes"], { cwd: appDir, url });
 */
export async function runPrisma8Cli(
  args: readonly string[],
  options: { readonly cwd: string; readonly url: string },
): Promise<void> {
  const env = { ...process.env, DATABASE_URL: options.url, DO_NOT_TRACK: "1" };
  try {
    await run(process.execPath, [cliPath(), ...args, "--json"], {
      cwd: options.cwd,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`prisma ${args.join(" ")} failed in ${options.cwd}:\n${stderr}${stdout}`.trimEnd(), {
      cause: error,
    });
  }
}

/** The CLI's entry script, from its package.json's `bin` (so no shell and no `.bin` shim are involved). */
function cliPath(): string {
  const root = join(COMPAT_PRISMA8, "node_modules", "prisma");
  const { bin } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { bin: { prisma: string } };
  return join(root, bin.prisma);
}

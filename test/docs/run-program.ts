/**
 * Runs one program of a guide's code block (a shell line, a tsx script) and collects what it printed:
 * its exit code and its output, stdout and stderr together. Killed after 100 s. Stack frames come back
 * as text (`@ file:line`, not `at …`): vitest would read each quoted frame's file for a source map, and
 * a frame in a native addon (.node) is no text. Used by the docs test and the Prisma 8 guide's test.
 */
import { spawn } from "node:child_process";

/** What a program ended with. */
export interface ProgramResult {
  readonly code: number | null;
  readonly output: string;
}

/** Runs `command args` in `cwd` with `env`. */
export function runProgram(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 100_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.replaceAll(/^(\s*)at /gm, "$1@ ") });
    });
  });
}

/**
 * The script a TypeScript block runs through (`tsx <runner> <block file>`): it imports the block and
 * exits, so a block that starts a server or leaves a client or connection pool open still ends.
 */
export const RUNNER = `import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
try {
  await import(pathToFileURL(resolve(process.argv[2])).href);
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
`;

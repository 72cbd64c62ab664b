/**
 * `npm run example` as a user runs it, in a child process: it generates what the quickstart needs and
 * nothing else (the test clients are `npm run generate`'s), so it says nothing about them or Prisma 6.
 */
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const testStamp = fileURLToPath(new URL("../generated/.stamp", import.meta.url));
const mtime = (file: string) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;

describe("npm run example", () => {
  it("generates only the quickstart's client and runs it, with no word about the test clients or Prisma 6", () => {
    const before = mtime(testStamp);
    const result = spawnSync("npm", ["run", "--silent", "example"], {
      cwd: root,
      encoding: "utf8",
      timeout: 120_000,
    });
    const output = result.stdout + result.stderr;
    expect(result.status, output).toBe(0);
    expect(output).not.toMatch(/prisma6|Prisma 6|test clients?/i);
    expect(output).toContain("key provider calls:");
    expect(mtime(testStamp)).toBe(before);
  }, 120_000);
});

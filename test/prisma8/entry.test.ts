/**
 * `prisma-vault/prisma8` exports the API the root shares with it (everything but Prisma 7's `vault` and
 * `migrate`), as the very same objects, so a Prisma 8 app imports everything from one entry that never
 * names `@prisma/client`.
 */
import { describe, expect, it } from "vitest";
import * as root from "../../src/index.js";

/** The root's exports that need Prisma 7's client. */
const PRISMA7_ONLY = ["vault", "migrate"];

/** Prisma 8's packages need Node 22.18 (ENVIRONMENT.md); the entry loads them. */
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
const prisma8Loads = major > 22 || (major === 22 && minor >= 18);

describe("prisma-vault/prisma8's exports", () => {
  it.skipIf(!prisma8Loads)("are the root's, less Prisma 7's, and vaultMiddleware", async () => {
    const prisma8 = (await import("../../src/prisma8.js")) as Record<string, unknown>;
    const shared = Object.keys(root).filter((name) => !PRISMA7_ONLY.includes(name));
    expect(Object.keys(prisma8).sort()).toEqual([...shared, "vaultMiddleware"].sort());
    for (const name of shared) expect(prisma8[name], name).toBe((root as Record<string, unknown>)[name]);
  });
});

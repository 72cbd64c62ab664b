/**
 * The extension and blind-index suites on SQLite through a Prisma 6.19 client (the oldest major of the supported range
 * `@prisma/client >=6.2 <8`). Prisma 6.19 lives in compat/prisma6 with its own node_modules; the
 * extension under test is the same src/ code, whose `@prisma/client/extension` import still resolves
 * to the root's Prisma 7 (`Prisma.defineExtension` is the same identity wrapper in both majors).
 *
 * Without `npm ci --prefix compat/prisma6 && npm run generate` the suite is skipped with a message, or
 * fails when PRISMA_VAULT_REQUIRE_DATABASES=1 (CI).
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { unavailable } from "../support/databases.js";
import { indexSuite } from "./index-suite.js";
import { extensionSuite } from "./suite.js";

const root = new URL("../../", import.meta.url);
const needed = [
  ["compat/prisma6/node_modules/@prisma/client/package.json", "npm ci --prefix compat/prisma6"],
  ["compat/prisma6/generated/client/client.ts", "npm run generate"],
  ["test/generated/sqlite-prisma6/vault/index.js", "npm run generate"],
] as const;
const missing = needed.filter(([file]) => !existsSync(new URL(file, root)));

if (missing.length === 0) {
  it("runs on Prisma 6.19: generated client, its runtime and the adapter all come from compat/prisma6", async () => {
    const entry: string = "../../compat/prisma6/index.js"; // a variable, so tsc does not look for its types
    const { Prisma } = (await import(entry)) as { Prisma: { prismaVersion: { client: string } } };
    expect(Prisma.prismaVersion.client).toMatch(/^6\.19\./);
    const fromClient = createRequire(new URL("compat/prisma6/generated/client/", root));
    const fromCompat = createRequire(new URL("compat/prisma6/", root));
    const runtime = fromClient.resolve("@prisma/client/runtime/client");
    const adapter = fromCompat.resolve("@prisma/adapter-better-sqlite3");
    for (const [file, pkg] of [
      [runtime, "@prisma/client"],
      [adapter, "@prisma/adapter-better-sqlite3"],
    ] as const) {
      expect(file).toContain(join("compat", "prisma6", "node_modules", pkg));
      const manifest = join(file.slice(0, file.indexOf(pkg) + pkg.length), "package.json");
      expect((JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version).toMatch(/^6\.19\./);
    }
  });
  extensionSuite("sqlite-prisma6");
  indexSuite("sqlite-prisma6");
} else {
  const reason =
    `Prisma 6.19 is not set up (${missing.map(([file]) => file).join(", ")} missing); run ` +
    [...new Set(missing.map(([, command]) => command))].join(" && ");
  unavailable(reason); // throws in CI
  console.warn(`skipping sqlite-prisma6: ${reason}`);
  describe.skip("prisma-vault on sqlite-prisma6", () => {
    it(reason, () => undefined);
  });
}

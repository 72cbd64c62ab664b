/**
 * A Prisma 8 app installs and loads only what it uses (issue 30): the packed package, installed by npm
 * into a fresh ES module app beside `@prisma/orm-postgres` alone, as a Prisma 8 user installs it.
 * `@prisma/client` (Prisma 7) is an optional peer, so npm adds none; the root entry's providers, cipher
 * and errors and `prisma-vault/prisma8` load and work without it; and the declarations a TypeScript
 * user of `prisma-vault/prisma8` compiles against never name it.
 *
 * Before the fix, `@prisma/client` was a required peer (npm installed Prisma 7 into the app), the root
 * entry imported `@prisma/client/extension` when it loaded, and the package had no `./prisma8`.
 *
 * Needs Node 22.18 (Prisma 8's floor), and the npm registry or npm's cache holding `@prisma/orm-postgres`
 * and its dependencies.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installApp } from "../support/installed-app.js";
import { packPackage } from "../support/packed-app.js";

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const { devDependencies } = require("../../package.json") as { devDependencies: Record<string, string> };
/** The Prisma 8 the repo develops against: what the app installs. */
const PRISMA8 = `@prisma/orm-postgres@${devDependencies["@prisma/orm-postgres"]}`;

let work = "";
let app = "";

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "prisma-vault-prisma8-app-"));
  const tarball = await packPackage(work, { declarations: true });
  app = await installApp(join(work, "app"), tarball, [PRISMA8]);
}, 420_000);

afterAll(async () => {
  if (work !== "") await rm(work, { recursive: true, force: true });
});

describe("a Prisma 8 app with prisma-vault and @prisma/orm-postgres only", () => {
  it("npm installs no @prisma/client: prisma-vault's peer on it is optional", async () => {
    const listed = await run("npm", ["ls", "@prisma/client", "--all", "--json"], { cwd: app }).then(
      ({ stdout }) => stdout,
      // npm ls exits 1 when nothing matches; its JSON is on stdout either way.
      (error: { stdout?: string }) => error.stdout ?? "{}",
    );
    const tree = JSON.parse(listed) as { dependencies?: Record<string, unknown> };
    expect(tree.dependencies ?? {}).toEqual({});
    expect(existsSync(join(app, "node_modules/@prisma/client"))).toBe(false);
    expect(existsSync(join(app, "node_modules/@prisma/orm-postgres"))).toBe(true);
  });

  it("prisma-vault's providers, cipher, associatedData and errors work, and prisma-vault/prisma8 exports vaultMiddleware; nothing asks for @prisma/client", async () => {
    const report = await inApp(`
      import { registerHooks } from "node:module";
      const asked = new Set();
      registerHooks({
        resolve(specifier, context, nextResolve) {
          asked.add(specifier);
          return nextResolve(specifier, context);
        },
      });
      const root = await import("prisma-vault");
      const prisma8 = await import("prisma-vault/prisma8");
      const keys = new root.LocalKeyProvider({ keys: [{ id: "k1", key: new Uint8Array(32).fill(7) }] });
      const aad = root.associatedData("User", "ssn", { organizationId: "org_1" });
      const stored = await root.encrypt(keys, "123-45-6789", { organizationId: "org_1" }, aad);
      const otherAad = root.associatedData("User", "ssn", { organizationId: "org_2" });
      const refused = await root.decrypt(keys, stored, otherAad).catch((error) => error);
      let misconfigured;
      try {
        root.associatedData("", "ssn", {});
      } catch (error) {
        misconfigured = error;
      }
      report({
        opened: await root.decrypt(keys, stored, aad),
        refused: [refused instanceof root.VaultDecryptError, refused instanceof root.VaultError, refused?.code],
        misconfigured: [misconfigured instanceof root.VaultConfigError, root.isVaultError(misconfigured, "VAULT_CONFIG")],
        vaultMiddleware: typeof prisma8.vaultMiddleware,
        prismaClient: [...asked].filter((specifier) => specifier.startsWith("@prisma/client")),
      });
    `);
    expect(report).toEqual({
      opened: "123-45-6789",
      refused: [true, true, "VAULT_DECRYPT_FAILED"],
      misconfigured: [true, true],
      vaultMiddleware: "function",
      prismaClient: [],
    });
  });

  it("in CommonJS, require('prisma-vault') loads and works without @prisma/client", async () => {
    const script = `
      const root = require("prisma-vault");
      const keys = new root.LocalKeyProvider({ keys: [{ id: "k1", key: new Uint8Array(32).fill(7) }] });
      root.encrypt(keys, "secret", { organizationId: "org_1" })
        .then((stored) => root.decrypt(keys, stored))
        .then((opened) => process.stdout.write(JSON.stringify(opened)));
    `;
    const { stdout } = await run(process.execPath, ["-e", script], { cwd: app, timeout: 30_000 });
    expect(JSON.parse(stdout)).toBe("secret");
  });

  it("the declarations of prisma-vault/prisma8 compile and never name @prisma/client", async () => {
    await writeFile(
      join(app, "main.ts"),
      `import { vaultMiddleware, type VaultMiddlewareOptions } from "prisma-vault/prisma8";
export const make: (options: VaultMiddlewareOptions) => unknown = vaultMiddleware;
`,
    );
    await writeFile(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          skipLibCheck: true,
          types: [],
        },
        files: ["main.ts"],
      }),
    );
    const tsc = join(require.resolve("typescript/package.json"), "../bin/tsc");
    const { stdout } = await run(process.execPath, [tsc, "-p", ".", "--traceResolution", "--listFiles"], {
      cwd: app,
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout?: string }) => {
      const errors = (error.stdout ?? "").split("\n").filter((line) => line.includes("error TS"));
      throw new Error(`tsc failed:\n${errors.join("\n")}`);
    });
    const files = stdout.split("\n").filter((line) => line.startsWith("/"));
    expect(files.some((file) => file.endsWith("node_modules/prisma-vault/dist/prisma8.d.ts"))).toBe(true);
    // (The trace also says it looked for prisma-vault's optional peer: a package lookup, not an import.)
    const resolving = stdout.split("\n").filter((line) => line.includes("Resolving module '@prisma/client"));
    expect(resolving).toEqual([]);
    expect(files.filter((file) => file.includes("/@prisma/client/"))).toEqual([]);
  }, 120_000);
});

/**
 * Runs `module` as an ES module file in the app, with `report(data)` in scope to hand back JSON-able
 * data; returns that data.
 */
async function inApp(module: string): Promise<unknown> {
  const file = join(app, "check.mjs");
  await writeFile(file, `const report = (data) => process.stdout.write(JSON.stringify(data));\n${module}`);
  const { stdout } = await run(process.execPath, [file], { cwd: app, timeout: 30_000 });
  return JSON.parse(stdout) as unknown;
}

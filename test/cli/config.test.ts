/**
 * `prisma-vault migrate --config`: config files written to a temporary folder the way a user writes
 * theirs, exporting a client that carries a vault() handle in each of the accepted shapes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadClient } from "../../src/cli/config.js";
import { handleOf } from "../../src/client/handle.js";
import { VERSION } from "../../src/version.js";
import { vaultFailure } from "../support/errors.js";

const handleModule = new URL("../../src/client/handle.ts", import.meta.url).href;

/** What a config builds: a client carrying on `$vault` the handle vault() leaves there. */
const clientSource = `import { withHandle } from "${handleModule}";
const client = { $vault: withHandle({}, { schema: { models: new Map() }, cipher: {}, client: {} }), tag: "vault" };
`;

let dir: string;
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "prisma-vault-config-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadClient", () => {
  it.each([
    ["a default export", "default.mjs", "export default client;"],
    ["an export named prisma", "named.mjs", "export const prisma = client;"],
    ["a function returning it", "function.mjs", "export default () => client;"],
    ["an async function returning it", "async.mjs", "export default async () => client;"],
    ["default before prisma", "both.mjs", "export default client; export const prisma = {};"],
  ])("loads the client from %s", async (_what, name, exported) => {
    const loaded = await loadClient(file(name, `${clientSource}${exported}\n`));
    expect(loaded).toMatchObject({ tag: "vault" });
    expect(() => handleOf(loaded)).not.toThrow();
  });

  it.each([
    ["module.exports = client", "plain.cjs", "module.exports = client;"],
    ["module.exports = { prisma }", "prisma.cjs", "module.exports = { prisma: client };"],
    ["module.exports = { default }", "default.cjs", "module.exports = { default: client };"],
  ])("loads a CommonJS config: %s", async (_what, name, exported) => {
    // The CommonJS build of the library sets the same handle: a registered symbol, shared across formats.
    const source = `const handle = Symbol.for("prisma-vault.handle");
const client = { $vault: { [handle]: { schema: { models: new Map() }, cipher: {}, client: {}, version: "${VERSION}" } }, tag: "vault" };
${exported}
`;
    expect(await loadClient(file(name, source))).toMatchObject({ tag: "vault" });
  });

  it.each([
    ["another version", `version: "0.1.9"`, "prisma-vault 0.1.9"],
    ["no version (before handles carried one)", "", "prisma-vault an earlier version"],
  ])("refuses the handle of %s, naming both versions", async (_what, version, theirs) => {
    const source = `const handle = Symbol.for("prisma-vault.handle");
module.exports = { $vault: { [handle]: { schema: { models: new Map() }, cipher: {}, client: {}, ${version} } } };
`;
    const error = await vaultFailure(loadClient(file(`other-${theirs.length}.cjs`, source)));
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.message).toContain(theirs);
    expect(error.message).toContain(`this is prisma-vault ${VERSION}`);
  });

  it("loads a TypeScript config through tsx", async () => {
    const source = `${clientSource}const typed: { tag: string } = client;\nexport default typed;\n`;
    expect(await loadClient(file("vault.config.ts", source))).toMatchObject({ tag: "vault" });
  });

  it("a file that does not exist is a VaultConfigError naming it", async () => {
    const error = await vaultFailure(loadClient(join(dir, "missing.config.mjs")));
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.message).toContain("missing.config.mjs does not exist");
  });

  it.each([
    ["a plain object", "object.mjs", "export default { hello: 'world' };"],
    ["nothing", "empty.mjs", "export const other = 1;"],
    ["null", "null.mjs", "export default null;"],
    ["a function returning a plain object", "fn.mjs", "export default () => ({});"],
    ["an unextended client under prisma", "unextended.mjs", "export const prisma = { $vault: {} };"],
  ])("a config exporting %s is a VaultConfigError naming the file", async (_what, name, exported) => {
    const path = file(name, `${exported}\n`);
    const error = await vaultFailure(loadClient(path));
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/must export a Prisma client extended with vault\(\)/);
  });

  it("a config whose function throws fails with that error, not a VaultConfigError", async () => {
    const path = file("throws.mjs", 'export default () => { throw new Error("no database url"); };\n');
    await expect(loadClient(path)).rejects.toThrow("no database url");
  });

  it("a relative path is resolved from the working directory", async () => {
    const path = file("relative.mjs", `${clientSource}export default client;\n`);
    expect(await loadClient(relative(process.cwd(), path))).toMatchObject({ tag: "vault" });
  });
});

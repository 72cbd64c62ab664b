/**
 * The built package, as users load it: `prisma-vault`, `prisma-vault/workos` and
 * `prisma-vault/key-server` through the exports map, in ESM and in CJS, each in a fresh Node process.
 * What the built files import, and `prisma-vault/prisma8` (ES module only), are dist-files.test.ts's.
 * DESIGN.md §9: within one module format every entry shares one copy of each class; across the ESM and
 * CJS copies `isVaultError()` and `code` still work.
 *
 * beforeAll builds with this repo's tsup.config.ts (no declarations, no source maps) into a temporary
 * package whose node_modules is this repo's, so the test needs no earlier `npm run build`.
 */
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtPackage } from "../support/packed-app.js";

const run = promisify(execFile);
type Format = "esm" | "cjs";

let pkg = "";

beforeAll(async () => {
  pkg = await builtPackage();
}, 90_000);

afterAll(async () => {
  if (pkg !== "") await rm(pkg, { recursive: true, force: true });
});

describe.each<Format>(["esm", "cjs"])("the built package in %s", (format) => {
  it("every export of prisma-vault/workos is the root entry's own object; the key server is only in prisma-vault/key-server", async () => {
    const report = (await inProcess(
      format,
      `
      const foreign = [];
      for (const [name, value] of Object.entries(workos)) {
        if (value === undefined || root[name] !== value) foreign.push("workos." + name);
      }
      const inRoot = Object.keys(keyServer).filter((name) => name in root);
      const undefinedValues = Object.entries(keyServer).filter(([, value]) => value === undefined).map(([name]) => name);
      return { foreign, inRoot, undefinedValues, workos: Object.keys(workos), keyServer: Object.keys(keyServer) };
      `,
    )) as {
      foreign: string[];
      inRoot: string[];
      undefinedValues: string[];
      workos: string[];
      keyServer: string[];
    };
    expect(report.workos).toContain("WorkOSKeyProvider");
    expect(report.keyServer).toEqual(expect.arrayContaining(["startKeyServer", "KEY_SERVER_TOKEN_ENV"]));
    expect(report.foreign).toEqual([]);
    expect(report.inRoot).toEqual([]);
    expect(report.undefinedValues).toEqual([]);
  });

  it("errors thrown by prisma-vault/workos and prisma-vault/key-server are instanceof the root entry's classes", async () => {
    const report = await inProcess(
      format,
      `
      const refusing = {
        vault: {
          createDataKey: () => Promise.reject(new Error("unused")),
          decryptDataKey: () => Promise.reject(Object.assign(new Error("Bad Request"), { status: 400 })),
        },
      };
      const rejected = await new workos.WorkOSKeyProvider({ workos: refusing })
        .decryptDataKey(new Uint8Array([1, 2, 3]))
        .catch((error) => error);
      let misconfigured;
      try {
        new workos.WorkOSKeyProvider({});
      } catch (error) {
        misconfigured = error;
      }
      const noProvider = await keyServer.startKeyServer({ provider: {} }).catch((error) => error);
      const describe = (error, Class) => ({
        name: error?.name,
        code: error?.code,
        ofClass: error instanceof Class,
        ofBase: error instanceof root.VaultError,
      });
      return {
        rejected: describe(rejected, root.VaultKeyRejectedError),
        misconfigured: describe(misconfigured, root.VaultConfigError),
        noProvider: describe(noProvider, root.VaultConfigError),
      };
      `,
    );
    expect(report).toEqual({
      rejected: { name: "VaultKeyRejectedError", code: "VAULT_KEY_PROVIDER", ofClass: true, ofBase: true },
      misconfigured: { name: "VaultConfigError", code: "VAULT_CONFIG", ofClass: true, ofBase: true },
      noProvider: { name: "VaultConfigError", code: "VAULT_CONFIG", ofClass: true, ofBase: true },
    });
  });

  it("every exported class is named as declared (no bundler renaming), and an uncaught error prints so", async () => {
    const report = (await inProcess(
      format,
      `
      const renamed = [];
      for (const entry of [root, workos, keyServer]) {
        for (const [name, value] of Object.entries(entry)) {
          if (typeof value === "function" && value.name !== name) renamed.push(name + " is " + value.name);
        }
      }
      const errors = Object.entries(root).filter(([, value]) => value === root.VaultError || value?.prototype instanceof root.VaultError);
      return { renamed, errors: errors.map(([name]) => name) };
      `,
    )) as { renamed: string[]; errors: string[] };
    expect(report.errors).toEqual(
      expect.arrayContaining(["VaultError", "VaultConfigError", "VaultDecryptError"]),
    );
    expect(report.renamed).toEqual([]);
    const stderr = await uncaught(
      format,
      `throw new root.VaultConfigError("bad option", { model: "User" });`,
    );
    expect(stderr).toMatch(/^VaultConfigError: User: bad option$/m);
    expect(stderr).not.toMatch(/_Vault/);
  });

  it("the key server from prisma-vault/key-server answers 400, not 500, for a blob the root's LocalKeyProvider rejects", async () => {
    const report = await inProcess(
      format,
      `
      const local = new root.LocalKeyProvider({ keys: [{ id: "k1", key: new Uint8Array(32).fill(7) }] });
      const { encryptedKeys } = await local.createDataKey({ organizationId: "org_1" });
      const modified = Uint8Array.from(encryptedKeys);
      modified[modified.length - 1] ^= 1;
      const server = await keyServer.startKeyServer({ provider: local, token: "sk_test" });
      const post = async (blob) => {
        const response = await fetch(server.url + "/vault/v1/keys/decrypt", {
          method: "POST",
          headers: { Authorization: "Bearer sk_test", "Content-Type": "application/json" },
          body: JSON.stringify({ keys: Buffer.from(blob).toString("base64") }),
        });
        return { status: response.status, code: (await response.json()).code };
      };
      try {
        return {
          intact: (await post(encryptedKeys)).status,
          modified: await post(modified),
          notABlob: await post(new TextEncoder().encode("not a key blob")),
        };
      } finally {
        await server.close();
      }
      `,
    );
    expect(report).toEqual({
      intact: 200,
      modified: { status: 400, code: "invalid_keys" },
      notABlob: { status: 400, code: "invalid_keys" },
    });
  });

  it("a modified key blob read through prisma-vault/workos's provider and the real SDK fails as VAULT_DECRYPT_FAILED", async () => {
    const report = await inProcess(
      format,
      `
      const { WorkOS } = await load("@workos-inc/node");
      const local = new root.LocalKeyProvider({ keys: [{ id: "k1", key: new Uint8Array(32).fill(7) }] });
      const server = await keyServer.startKeyServer({ provider: local, token: "sk_test" });
      try {
        const sdk = new WorkOS("sk_test", { apiHostname: "127.0.0.1", port: server.port, https: false });
        const provider = new workos.WorkOSKeyProvider({ workos: sdk });
        const stored = await root.encrypt(provider, "secret", { organizationId: "org_1" });
        const roundTrip = await root.decrypt(provider, stored);
        const parts = root.decodeEnvelope(stored);
        const encryptedKeys = Uint8Array.from(parts.encryptedKeys);
        encryptedKeys[encryptedKeys.length - 1] ^= 1;
        const failure = await root
          .decrypt(provider, root.encodeEnvelope({ ...parts, encryptedKeys }))
          .then(() => undefined, (error) => error);
        return {
          roundTrip,
          code: failure?.code,
          isDecryptError: failure instanceof root.VaultDecryptError,
          statuses: server.stats().statuses,
        };
      } finally {
        await server.close();
      }
      `,
    );
    expect(report).toEqual({
      roundTrip: "secret",
      code: "VAULT_DECRYPT_FAILED",
      isDecryptError: true,
      // data-key, decrypt, decrypt of the modified blob: no 500, so no SDK retries
      statuses: { "200": 2, "400": 1 },
    });
  });
});

describe("the built package's ESM and CJS copies in one process", () => {
  it("isVaultError and code work across the ESM and CJS copies of the classes", async () => {
    const report = await inProcess(
      "esm",
      `
      const cjs = createRequire(import.meta.url)("prisma-vault");
      const fromCjs = new cjs.VaultDecryptError({ model: "User", field: "email" });
      const fromEsm = new root.VaultKeyUnavailableError("gone", { keyId: "k9" });
      const strangeCode = new cjs.VaultConfigError("x");
      Object.defineProperty(strangeCode, "code", { value: "NOT_A_VAULT_CODE" });
      return {
        separateCopies: root.VaultError !== cjs.VaultError,
        esmOnCjs: [root.isVaultError(fromCjs), root.isVaultError(fromCjs, "VAULT_DECRYPT_FAILED"), root.isVaultError(fromCjs, "VAULT_CONFIG")],
        cjsOnEsm: [cjs.isVaultError(fromEsm), cjs.isVaultError(fromEsm, "VAULT_KEY_UNAVAILABLE"), cjs.isVaultError(fromEsm, "VAULT_CONFIG")],
        codes: [fromCjs.code, fromEsm.code],
        unbranded: [root.isVaultError(Object.assign(new Error("x"), { code: "VAULT_CONFIG" })), cjs.isVaultError({ code: "VAULT_CONFIG" })],
        strangeCode: [root.isVaultError(strangeCode), cjs.isVaultError(strangeCode)],
      };
      `,
    );
    expect(report).toEqual({
      separateCopies: true,
      esmOnCjs: [true, true, false],
      cjsOnEsm: [true, true, false],
      codes: ["VAULT_DECRYPT_FAILED", "VAULT_KEY_UNAVAILABLE"],
      unbranded: [false, false],
      strangeCode: [false, false],
    });
  });
});

/**
 * What Node prints to stderr when `body` throws at the top level of a new process of `format`, with
 * `root` (prisma-vault) in scope. Fails unless the process exits with an error.
 */
async function uncaught(format: Format, body: string): Promise<string> {
  const script =
    format === "esm"
      ? `import * as root from "prisma-vault";\n${body}`
      : `const root = require("prisma-vault");\n${body}`;
  const args = format === "esm" ? ["--input-type=module", "-e", script] : ["-e", script];
  const failed = await run(process.execPath, args, { cwd: pkg, timeout: 30_000 }).then(
    () => undefined,
    (error: { code?: unknown; stderr?: string }) => error,
  );
  expect(failed?.code).toBe(1);
  return failed?.stderr ?? "";
}

/**
 * Runs `body` (the inside of an async function, returning JSON-able data) in a new Node process of
 * `format`, inside the built package. In scope: `root`, `workos` and `keyServer` (the three entries,
 * loaded by package name), `load(specifier)`, and in ESM `createRequire`.
 */
async function inProcess(format: Format, body: string): Promise<unknown> {
  const prelude =
    format === "esm"
      ? `import { createRequire } from "node:module"; const load = (specifier) => import(specifier);`
      : `const load = async (specifier) => require(specifier);`;
  const script = `${prelude}
    (async () => {
      const [root, workos, keyServer] = await Promise.all(
        ["prisma-vault", "prisma-vault/workos", "prisma-vault/key-server"].map((specifier) => load(specifier)),
      );
      ${body}
    })().then(
      (result) => process.stdout.write(JSON.stringify(result)),
      (error) => {
        console.error(error);
        process.exitCode = 1;
      },
    );`;
  const args = format === "esm" ? ["--input-type=module", "-e", script] : ["-e", script];
  const { stdout } = await run(process.execPath, args, { cwd: pkg, timeout: 30_000 });
  return JSON.parse(stdout) as unknown;
}

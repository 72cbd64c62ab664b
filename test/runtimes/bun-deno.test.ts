/**
 * The packed package on Bun and on Deno (issue 26), each run as its users run it: a child process of the
 * runtime's own binary (compat/runtimes) on an app holding the tarball, a Prisma client generated for
 * that runtime, libsql for SQLite and the real @workos-inc/node SDK, reaching a key server of ours over
 * the runtime's fetch. The program (bun-entry.js, deno-entry.js) runs scenario.ts and the aead probe
 * and prints their report; this file asserts it. Deno runs with `--cached-only` and a fresh DENO_DIR,
 * its npm: specifiers resolved from the app's node_modules: nothing is downloaded.
 *
 * Before the fix (aead.ts, otherRuntime()), aead "auto" loaded prisma-vault-native on Bun and the
 * process died at its first seal, exit 127 and nothing on stdout: "symbol lookup error:
 * …/prisma_vault_aead.node: undefined symbol: EVP_CIPHER_fetch" (Bun links BoringSSL, not the OpenSSL
 * the addon calls into). Deno with read and FFI permission died the same way.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKeyServer, type KeyServer } from "../../src/key-server/server.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { nativeBackend } from "../support/native.js";
import { packPackage } from "../support/packed-app.js";
import { registerSecrets } from "../support/secrets.js";
import type { AeadProbe } from "./aead-probe.js";
import { makeRuntimeApp, RUNTIME_MODULES, runtimeBin, runtimesInstalled } from "./runtime-app.js";
import type { ScenarioReport } from "./scenario.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const TOKEN = "sk_test_prisma_vault_runtimes";
const masterKey = randomBytes(32).toString("base64");
const indexSecret = randomBytes(32).toString("base64");
registerSecrets(masterKey, indexSecret);

/** A leg's run: how its process ended, what it printed, how long it took. */
interface Leg {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

type Report = ScenarioReport & { readonly aead: AeadProbe };

/**
 * The legs: Bun; Deno with the permissions the app needs (no FFI but libsql's, so prisma-vault-native
 * could not load if it were tried); Deno again with read and FFI granted, as `-A` would, so that only
 * prisma-vault keeps the addon out.
 */
const LEGS = ["bun", "deno", "deno, addon loadable"] as const;
type LegName = (typeof LEGS)[number];

/**
 * `deno run` as the Deno legs start it: nothing downloaded (`--cached-only`), a missing permission an
 * error and never a prompt, the environment (Prisma, libsql and the debug package read theirs), and the
 * system facts libsql's loader reads (`process.report.getReport()`, to tell glibc from musl).
 */
const DENO_RUN = [
  "run",
  "--cached-only",
  "--no-prompt",
  "--allow-env",
  "--allow-sys=cpus,networkInterfaces,hostname",
];

// Loads the addon in this (Node) process: when it loads here, the apps can reach the same build.
const addon = nativeBackend();

describe.skipIf(!runtimesInstalled())("the packed package on Bun and Deno, with libsql", () => {
  let dir = "";
  const apps = { bun: "", deno: "" };
  const servers: Partial<Record<"bun" | "deno", KeyServer>> = {};
  let legs: Record<LegName, Leg>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "prisma-vault-runtimes-"));
    let started = performance.now();
    const tarball = await packPackage(dir);
    const packMs = performance.now() - started;
    started = performance.now();
    [apps.bun, apps.deno] = await Promise.all([
      bunApp(join(dir, "bun"), tarball),
      denoApp(join(dir, "deno"), tarball),
    ]);
    const appsMs = performance.now() - started;
    [servers.bun, servers.deno] = await Promise.all([keyServer(), keyServer()]);
    const libsql = `--allow-ffi=${await libsqlBinaries()}`;
    const [bun, deno, loadable] = await Promise.all([
      runLeg("bun", ["--no-install", "bun-entry.js"], apps.bun, legInput("bun", servers.bun)),
      runLeg(
        "deno",
        [...DENO_RUN, libsql, `--allow-net=127.0.0.1:${servers.deno.port}`, "deno-entry.js"],
        apps.deno,
        legInput("deno", servers.deno),
      ),
      runLeg(
        "deno",
        [...DENO_RUN, "--allow-read", "--allow-ffi", "deno-entry.js"],
        apps.deno,
        legInput("deno-addon"),
      ),
    ]);
    legs = { bun, deno, "deno, addon loadable": loadable };
    const took = LEGS.map((name) => `${name} ${Math.round(legs[name].ms)} ms`).join(", ");
    console.info(`[runtimes] pack ${Math.round(packMs)} ms, both apps ${Math.round(appsMs)} ms; ${took}`);
  });

  afterAll(async () => {
    await Promise.all(Object.values(servers).map((server) => server.close()));
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  /** The leg's report, or why there is none: how the process ended and its stderr. */
  function report(name: LegName): Report {
    const leg = legs[name];
    const last = leg.stdout.trim().split("\n").pop() ?? "";
    if (leg.code !== 0 || !last.startsWith("{")) {
      throw new Error(`the ${name} leg ended (${leg.code ?? leg.signal}) without its report:\n${leg.stderr}`);
    }
    return JSON.parse(last) as Report;
  }

  for (const [runtime, title] of [
    ["bun", "Bun"],
    ["deno", "Deno"],
  ] as const) {
    describe(`on ${title}`, () => {
      it("users are stored as envelopes, read back decrypted, through an include and by their blind index", () => {
        const { users, stored, included, login } = report(runtime);
        expect(users).toEqual([
          { name: "Ann", organizationId: "org_acme", email: "ann@acme.test", ssn: "123-45-6789" },
          { name: "Bob", organizationId: "org_globex", email: "bob@globex.test", ssn: "987-65-4321" },
        ]);
        expect(stored).toEqual([
          { name: "Ann", ssnIsEnvelope: true, plaintextStored: false },
          { name: "Bob", ssnIsEnvelope: true, plaintextStored: false },
        ]);
        expect(included).toEqual({ org_acme: ["ann@acme.test"], org_globex: ["bob@globex.test"] });
        expect(login).toBe("Ann");
      });

      it("an update that reads the row first changes its values and its blind index", () => {
        expect(report(runtime).updated).toEqual({ name: "Ann", ssn: "111-22-3333" });
      });

      it("a ciphertext copied to another tenant's row is refused with VAULT_DECRYPT_FAILED", () => {
        expect(report(runtime).crossTenant).toBe("VAULT_DECRYPT_FAILED");
      });

      it("an updateMany over both tenants seals each row under its own tenant's key", () => {
        expect(report(runtime).updatedMany).toEqual({ count: 2, ssns: ["000-00-0000", "000-00-0000"] });
      });

      it("WorkOSKeyProvider gets its data keys from the key server through the SDK over the runtime's fetch", () => {
        expect(report(runtime).workos).toEqual({ read: "555-01-0001", envelope: true });
        const stats = servers[runtime]?.stats();
        expect(stats).toMatchObject({ unauthorized: 0 });
        expect(stats?.dataKey).toBeGreaterThan(0);
      });

      it("nothing is written to stderr: no warning, no permission prompt, nothing about prisma-vault-native", () => {
        expect(legs[runtime].stderr).toBe("");
      });

      it('aead "native" is a VaultConfigError saying the addon runs on Node.js only, and the process carries on', () => {
        expect(report(runtime).aead).toEqual({
          auto: "node",
          native: {
            name: "VaultConfigError",
            code: "VAULT_CONFIG",
            cause: expect.stringContaining(
              `prisma-vault-native runs on Node.js only, not on ${title}`,
            ) as string,
          },
        });
      });
    });
  }

  describe("with prisma-vault-native built and installed beside the app", () => {
    if (addon.skip !== undefined) {
      // CI builds the addon before this suite (PRISMA_VAULT_REQUIRE_NATIVE=1 makes its absence fail).
      it.skip(`aead "auto" leaves it alone on Bun and Deno (${addon.skip})`, () => {});
      return;
    }

    it("the packed prisma-vault in each app resolves the addon (else the tests below prove nothing)", () => {
      for (const app of Object.values(apps)) {
        const resolve = createRequire(join(app, "node_modules/prisma-vault/package.json")).resolve;
        const native = dirname(resolve("prisma-vault-native"));
        // The binary the addon's loader would take: a local build, or the prebuild (CI's native stage).
        const gypBuild = createRequire(join(native, "index.js"))("node-gyp-build") as {
          path(dir: string): string;
        };
        expect(gypBuild.path(native)).toMatch(/\.node$/);
      }
    });

    it('on Bun, aead "auto" runs on node:crypto and the process lives to report', () => {
      expect(legs.bun).toMatchObject({ code: 0, signal: null, stderr: "" });
      expect(report("bun")).toMatchObject({ crossTenant: "VAULT_DECRYPT_FAILED", aead: { auto: "node" } });
    });

    it('on Deno with read and FFI granted, aead "auto" runs on node:crypto and "native" is a VaultConfigError', () => {
      expect(legs["deno, addon loadable"]).toMatchObject({ code: 0, signal: null, stderr: "" });
      expect(report("deno, addon loadable")).toMatchObject({
        login: "Ann",
        crossTenant: "VAULT_DECRYPT_FAILED",
        aead: {
          auto: "node",
          native: { code: "VAULT_CONFIG", cause: expect.stringContaining("Node.js only") as string },
        },
      });
    });
  });

  /** The Bun app: the packed package and the generated client, and the program with its probe. */
  async function bunApp(app: string, tarball: string): Promise<string> {
    await makeRuntimeApp(app, "bun", tarball);
    await copyIn(app, "bun-entry.js", "aead-probe.ts");
    return app;
  }

  /** The Deno app: as Bun's, and the deno.json that `deno add npm:prisma-vault npm:@workos-inc/node` writes. */
  async function denoApp(app: string, tarball: string): Promise<string> {
    await makeRuntimeApp(app, "deno", tarball);
    await copyIn(app, "deno-entry.js", "aead-probe.ts");
    const config = {
      // The app's node_modules as it is (npm installed it): npm: specifiers resolve there, never online.
      nodeModulesDir: "manual",
      imports: {
        "prisma-vault": `npm:prisma-vault@^${await installedVersion(app, "prisma-vault")}`,
        "@workos-inc/node": `npm:@workos-inc/node@^${await installedVersion(app, "@workos-inc/node")}`,
      },
    };
    await writeFile(join(app, "deno.json"), `${JSON.stringify(config, null, 2)}\n`);
    return app;
  }

  /** What the program reads from PRISMA_VAULT_LEG: its database, the secrets, maybe a key server. */
  function legInput(database: string, server?: KeyServer): string {
    const keyServer = server && { url: server.url, token: TOKEN };
    return JSON.stringify({
      databaseUrl: `file:${join(dir, `${database}.db`)}`,
      input: { masterKey, indexSecret, ...(keyServer && { keyServer }) },
    });
  }
});

async function copyIn(app: string, ...files: string[]): Promise<void> {
  await Promise.all(files.map((file) => copyFile(join(here, file), join(app, file))));
}

async function installedVersion(app: string, name: string): Promise<string> {
  const manifest = await readFile(join(app, "node_modules", name, "package.json"), "utf8");
  return (JSON.parse(manifest) as { version: string }).version;
}

/** Our key server on 127.0.0.1 with a fresh master key, for one leg's WorkOSKeyProvider. */
function keyServer(): Promise<KeyServer> {
  const key = randomBytes(32);
  registerSecrets(key);
  return startKeyServer({ provider: new LocalKeyProvider({ keys: [{ id: "kek", key }] }), token: TOKEN });
}

/**
 * libsql's binaries for this platform, by their real paths (what Deno checks `--allow-ffi` against): the
 * only native code a Deno leg may load, and it needs FFI permission to open the SQLite file.
 */
async function libsqlBinaries(): Promise<string> {
  const scope = join(RUNTIME_MODULES, "@libsql");
  const ours = (await readdir(scope)).filter((name) =>
    name.startsWith(`${process.platform}-${process.arch}`),
  );
  const files = ours.map((name) => join(scope, name, "index.node")).filter((file) => existsSync(file));
  return (await Promise.all(files.map((file) => realpath(file)))).join(",");
}

/** Runs `runtime` in `app` with the leg's input, stdin closed (so no permission prompt could wait). */
function runLeg(runtime: "bun" | "deno", args: string[], app: string, input: string): Promise<Leg> {
  const started = performance.now();
  const child = spawn(runtimeBin(runtime), args, {
    cwd: app,
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 60_000,
    env: {
      ...process.env,
      PRISMA_VAULT_LEG: input,
      NO_COLOR: "1",
      // Deno's cache starts empty: with --cached-only, anything not in node_modules fails to resolve.
      DENO_DIR: join(dirname(app), "deno-dir"),
      DENO_NO_UPDATE_CHECK: "1",
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started }),
    );
  });
}

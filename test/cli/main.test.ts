import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { encrypt } from "../../src/core/standalone.js";
import { WorkOSKeyProvider } from "../../src/keys/workos.js";
import { EXIT_CODES_TABLE } from "../../src/cli/exit-codes.js";
import { VERSION } from "../../src/version.js";
import { WorkOS } from "@workos-inc/node";

const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
const cli = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const ctx = { organizationId: "org_1" };

/** Runs `prisma-vault ...args` to its end. */
const run = (args: readonly string[]) =>
  spawnSync(tsx, [cli, ...args], { encoding: "utf8", timeout: 20_000 });

/** Spawns `prisma-vault key-server --port 0 …args` on a fresh ring; resolves once it listens. */
async function keyServer(args: readonly string[]) {
  const env = { ...process.env, PRISMA_VAULT_KEYS: `k1:${randomBytes(32).toString("base64")}` };
  const child = spawn(tsx, [cli, "key-server", "--port", "0", ...args], { env });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const banner = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (line: Buffer) => resolve(line.toString()));
    child.once("exit", (code) => reject(new Error(`key-server exited ${code}: ${stderr}`)));
  });
  return { child, banner, port: Number(/127\.0\.0\.1:(\d+)/.exec(banner)?.[1]) };
}

function postJson(port: number, path: string, body: unknown, token: string) {
  return fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

describe("the prisma-vault command", () => {
  it("keygen prints id:<base64 of 32 bytes>", () => {
    const result = spawnSync(tsx, [cli, "keygen", "--id", "k7"], { encoding: "utf8" });
    expect(result.status).toBe(0);
    const [id, key] = result.stdout.trim().split(":");
    expect(id).toBe("k7");
    expect(Buffer.from(key!, "base64")).toHaveLength(32);
  });

  it("an unknown command exits 64 (a usage error) with the usage on stderr", () => {
    const result = run(["frobnicate"]);
    expect(result.status).toBe(64);
    expect(result.stderr).toMatch(/^prisma-vault: unknown command "frobnicate"\n\nUsage: prisma-vault/);
    expect(result.stdout).toBe("");
  });

  it("no command prints the usage on stderr and exits 64", () => {
    const result = run([]);
    expect(result.status).toBe(64);
    expect(result.stderr).toMatch(/^Usage: prisma-vault <command>/);
    expect(result.stdout).toBe("");
  });

  it("every command answers --help and -h with its own usage on stdout, exit 0, before anything runs", () => {
    for (const command of ["migrate", "reseal-objects", "keygen", "key-server"]) {
      // key-server --help must not start a server; keygen --help must not print a key.
      for (const args of [
        [command, "--help"],
        [command, "-h"],
        ["help", command],
        [command, "--port", "0", "-h"],
      ]) {
        const result = run(args);
        expect(result.status, args.join(" ")).toBe(0);
        expect(result.stderr, args.join(" ")).toBe("");
        expect(result.stdout, args.join(" ")).toMatch(new RegExp(`^Usage: prisma-vault ${command} `));
        expect(result.stdout).toMatch(/\n {2}-h, --help +show this text\n/);
      }
    }
  });

  it("help, --help and -h print the usage with the exit-code table on stdout and exit 0", () => {
    for (const args of [["help"], ["--help"], ["-h"]]) {
      const result = run(args);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage: prisma-vault <command>/);
      expect(result.stdout).toContain(EXIT_CODES_TABLE);
    }
  });

  it("docs/migrations.md shows the exit-code table the CLI prints, word for word", () => {
    const doc = readFileSync(fileURLToPath(new URL("../../docs/migrations.md", import.meta.url)), "utf8");
    const indented = EXIT_CODES_TABLE.trimEnd()
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n");
    expect(doc).toContain(`  \`\`\`text\n${indented}\n  \`\`\``);
  });

  it("--version and -v print the version and exit 0", () => {
    for (const flag of ["--version", "-v"]) {
      const result = run([flag]);
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(`${VERSION}\n`);
      expect(result.stderr).toBe("");
    }
  });

  it("an unknown option exits 64 on every command, naming it and the command's --help", () => {
    for (const args of [
      ["keygen", "--frobnicate"],
      ["key-server", "--frobnicate"],
      ["reseal-objects", "--config", "x.mjs", "--frobnicate"],
      ["migrate", "index", "--config", "x.mjs", "--frobnicate"],
    ]) {
      const result = run(args);
      expect(result.status, args.join(" ")).toBe(64);
      expect(result.stderr).toBe(
        `prisma-vault: VAULT_CONFIG: unknown option "--frobnicate" (prisma-vault ${args[0]} --help lists them)\n`,
      );
    }
  });

  it("a bad or missing option value exits 64 naming the option, before anything runs", () => {
    const env = { ...process.env, PRISMA_VAULT_KEYS: `k1:${randomBytes(32).toString("base64")}` };
    for (const [args, message] of [
      [["keygen", "--id", "no spaces"], /key id/],
      [["keygen", "--id"], /--id needs a value, e\.g\. --id k2/],
      [["key-server", "--port", "70000"], /--port must be 0-65535/],
      [["key-server", "--port", "0", "--faults=yes"], /--faults takes no value/],
      [["key-server", "--port", "0", "extra"], /unexpected argument "extra"/],
      [["reseal-objects"], /reseal-objects needs --config <file>/],
      [["migrate", "index"], /migrate needs --config <file>/],
    ] as const) {
      const result = spawnSync(tsx, [cli, ...args], { encoding: "utf8", env, timeout: 20_000 });
      expect(result.status, args.join(" ")).toBe(64);
      expect(result.stderr).toMatch(/^prisma-vault: VAULT_CONFIG: /);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe("");
    }
  });

  it("key-server without PRISMA_VAULT_KEYS exits 1 with VAULT_CONFIG and no stack", () => {
    const env = { ...process.env };
    delete env["PRISMA_VAULT_KEYS"];
    const result = spawnSync(tsx, [cli, "key-server", "--port", "0"], { encoding: "utf8", env });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^prisma-vault: VAULT_CONFIG: PRISMA_VAULT_KEYS is not set/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("key-server --idempotency-ttl-ms and --idempotency-keys out of range exit 64 naming the flag, before binding", () => {
    const env = { ...process.env, PRISMA_VAULT_KEYS: `k1:${randomBytes(32).toString("base64")}` };
    for (const [flag, value, range] of [
      ["--idempotency-ttl-ms", "0", "of milliseconds, 1-86400000"],
      ["--idempotency-ttl-ms", "1h", "of milliseconds, 1-86400000"],
      ["--idempotency-keys", "2000000", "of keys, 1-1000000"],
    ] as const) {
      const result = spawnSync(tsx, [cli, "key-server", "--port", "0", flag, value], {
        encoding: "utf8",
        env,
      });
      expect(result.status).toBe(64);
      expect(result.stderr).toBe(`prisma-vault: VAULT_CONFIG: ${flag} must be a whole number ${range}\n`);
    }
  });

  it("key-server --idempotency-keys 1 keeps one answer: a retry with the first key runs again once a second key came", async () => {
    const { child, port } = await keyServer(["--token", "sk_cli_test", "--idempotency-keys", "1"]);
    try {
      const post = (key: string) =>
        fetch(`http://127.0.0.1:${port}/vault/v1/keys/data-key`, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            Authorization: "Bearer sk_cli_test",
            "Idempotency-Key": key,
          },
          body: JSON.stringify({ context: ctx }),
        }).then((r) => r.json() as Promise<{ data_key: string }>);
      const first = await post("a");
      expect((await post("a")).data_key).toBe(first.data_key);
      await post("b");
      expect((await post("a")).data_key).not.toBe(first.data_key);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });

  it("key-server serves the SDK with a --token and stops on SIGTERM", async () => {
    const { child, port } = await keyServer(["--token", "sk_cli_test"]);
    try {
      const workos = new WorkOS("sk_cli_test", { apiHostname: "127.0.0.1", port, https: false });
      const envelope = await encrypt(new WorkOSKeyProvider({ workos }), "via cli", {
        organizationId: "org_1",
      });
      expect(await workos.vault.decrypt(envelope)).toBe("via cli");
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
  });

  it("key-server without --faults answers POST /_faults 404 and injects nothing", async () => {
    const { child, port } = await keyServer(["--token", "sk_cli_test"]);
    try {
      const set = await postJson(port, "/_faults", { fail: 1 }, "sk_cli_test");
      expect(set.status).toBe(404);
      const created = await postJson(port, "/vault/v1/keys/data-key", { context: ctx }, "sk_cli_test");
      expect(created.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
    await once(child, "exit");
  });

  it("key-server --faults accepts POST /_faults, behind the token", async () => {
    const { child, port, banner } = await keyServer(["--token", "sk_cli_test", "--faults"]);
    try {
      expect(banner).toContain("fault injection on");
      expect((await postJson(port, "/_faults", { fail: 1 }, "sk_other")).status).toBe(401);
      const set = await postJson(port, "/_faults", { fail: 1, status: 503 }, "sk_cli_test");
      expect(set.status).toBe(200);
      const failed = await postJson(port, "/vault/v1/keys/data-key", { context: ctx }, "sk_cli_test");
      expect(failed.status).toBe(503);
      expect((await postJson(port, "/_faults", { fail: "1" }, "sk_cli_test")).status).toBe(422);
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
  });
});

/**
 * `prisma-vault key-server --config <file>` as a real child process: the config's client (made with
 * vault({ objects: true })) serves WorkOS's object API on its SQLite file, so the official SDK's
 * object methods store and read secrets there; SIGTERM stops it cleanly. Without objects in the
 * config, the object routes answer 404 naming the option.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WorkOS } from "@workos-inc/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type TestDatabase } from "../support/databases.js";
import {
  copyDatabase,
  sqliteClient,
  startCli,
  until,
  writeConfigs,
  writeObjectsConfig,
} from "../support/migrate-cli.js";

const TOKEN = "sk_test_key_server_cli";

describe("prisma-vault key-server --config", () => {
  let dir: string;
  let db: TestDatabase;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "prisma-vault-cli-objects-"));
    writeConfigs(dir);
    writeObjectsConfig(dir);
    const opened = await openDatabase("sqlite");
    if ("skip" in opened) throw new Error(opened.skip);
    db = opened;
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const serve = async (config: string, file: string) => {
    const run = startCli(["key-server", "--config", config, "--port", "0", "--token", TOKEN], {
      cwd: dir,
      database: file,
    });
    await until(
      "the key server to listen",
      () => /listening on http:\/\/\S+/.test(run.stdout()) || run.child.exitCode !== null,
    );
    const url = /listening on (http:\/\/\S+)/.exec(run.stdout())?.[1];
    if (url === undefined) throw new Error(`the key server did not start: ${run.stderr()}`);
    const { port } = new URL(url);
    return { run, workos: new WorkOS(TOKEN, { apiHostname: "127.0.0.1", port: Number(port), https: false }) };
  };

  it("serves the SDK's object methods from the config's database, and stops on SIGTERM", async () => {
    const file = await copyDatabase(db, dir, "objects");
    const { run, workos } = await serve("objects.config.mjs", file);
    expect(run.stdout()).toContain("Vault objects on");
    const created = await workos.vault.createObject({
      name: "github-token",
      value: "ghp_cli_secret_value",
      context: { organizationId: "org_1" },
    });
    expect((await workos.vault.readObjectByName("github-token")).value).toBe("ghp_cli_secret_value");
    run.child.kill("SIGTERM");
    expect((await run.exited).code).toBe(0);
    // What it wrote is in the file, sealed.
    const plain = sqliteClient(file);
    const row = await plain.vaultObject.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.value).not.toContain("ghp_cli_secret_value");
    await plain.$disconnect();
  }, 60_000);

  it("with a client made without objects, the object routes answer 404 naming the option", async () => {
    const file = await copyDatabase(db, dir, "no-objects");
    const { run, workos } = await serve("vault.config.mjs", file);
    expect(run.stdout()).toContain("Vault objects off");
    const error = await workos.vault.listObjects().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404 });
    expect(String((error as Error).message)).toContain("objects");
    run.child.kill("SIGTERM");
    expect((await run.exited).code).toBe(0);
  }, 60_000);
});

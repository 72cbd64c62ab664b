/**
 * `prisma-vault key-server --config <file>` as a real child process: the config's client (made with
 * vault({ objects: true })) serves WorkOS's object API on its SQLite file, so the official SDK's
 * object methods store and read secrets there; SIGTERM stops it cleanly. Without objects in the
 * config, the object routes answer 404 naming the option.
 */
import { WorkOS } from "@workos-inc/node";
import { describe, expect, it } from "vitest";
import { copyDatabase, sqliteClient, startCli, until, useCliRig } from "../support/migrate-cli.js";

const TOKEN = "sk_test_key_server_cli";

describe("prisma-vault key-server --config", () => {
  const rig = useCliRig("objects");

  const serve = async (config: string, file: string) => {
    const run = startCli(["key-server", "--config", config, "--port", "0", "--token", TOKEN], {
      cwd: rig.dir(),
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
    const file = await copyDatabase(rig.db(), rig.dir(), "objects");
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
    const file = await copyDatabase(rig.db(), rig.dir(), "no-objects");
    const { run, workos } = await serve("vault.config.mjs", file);
    expect(run.stdout()).toContain("Vault objects off");
    const error = await workos.vault.listObjects().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404 });
    expect(String((error as Error).message)).toContain("objects");
    run.child.kill("SIGTERM");
    expect((await run.exited).code).toBe(0);
  }, 60_000);
});

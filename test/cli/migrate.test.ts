/**
 * `prisma-vault migrate` as a process, against SQLite files, with config files written to a
 * temporary folder the way a user writes theirs: --help, the summary and --json on stdout, progress
 * and the checkpoint's path on stderr, exit codes 0 / 2 / 1 / 64, and flags refused before the config
 * loads.
 * Signals and kill -9 are in migrate-interrupt.test.ts, shards in migrate-shard.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES_TABLE } from "../../src/cli/exit-codes.js";
import { BlindIndex } from "../../src/core/blind-index.js";
import { isEnvelope } from "../../src/format/envelope.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import type { MigrationReport } from "../../src/migrate/report.js";
import { vault } from "../../src/prisma/extension.js";
import type { GeneratedVaultSchema } from "../../src/schema/datamodel.js";
import { openDatabase, type TestDatabase } from "../support/databases.js";
import {
  copyDatabase,
  indexSecret,
  masterKey,
  runCli,
  seedPlaintext,
  sqliteClient,
  storedAccounts,
  writeConfigs,
} from "../support/migrate-cli.js";

const emailIndex = new BlindIndex(indexSecret, { model: "Account", field: "email", normalize: "email" });
const FLAGS = [
  "--config",
  "--models",
  "--batch-size",
  "--concurrency",
  "--shard",
  "--checkpoint",
  "--resume",
];
const MODES = ["encrypt", "decrypt", "rekey", "rotate", "verify", "index"];

describe("prisma-vault migrate", () => {
  let dir: string;
  let encrypted: TestDatabase; // three accounts written through vault(), their indexes emptied
  let plaintext: TestDatabase; // 300 accounts as an app wrote them before prisma-vault
  let schema: GeneratedVaultSchema;
  let copies = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "prisma-vault-cli-"));
    writeConfigs(dir);
    const [a, b] = await Promise.all([openDatabase("sqlite"), openDatabase("sqlite")]);
    if ("skip" in a || "skip" in b) throw new Error("SQLite must open");
    [encrypted, plaintext] = [a, b];
    ({ vaultSchema: schema } = await import("../generated/sqlite/vault/index.js"));
    const keys = new LocalKeyProvider({ keys: [{ id: "k1", key: masterKey }] });
    await encrypted.plain.organization.createMany({
      data: [
        { id: "org_a", name: "a" },
        { id: "org_b", name: "b" },
      ],
    });
    await encrypted.plain.$extends(vault({ keys, schema, indexSecret })).account.createMany({
      data: [
        { organizationId: "org_a", name: "a1", email: "a1@x.io", phone: "+1 555 0100" },
        { organizationId: "org_a", name: "a2", email: "a2@x.io" },
        { organizationId: "org_b", name: "b1", email: "b1@x.io", handle: "b" },
      ],
    });
    await encrypted.plain.account.updateMany({
      data: { emailIndex: null, phoneIndex: null, handleIndex: null },
    });
    await seedPlaintext(plaintext, 300);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([encrypted?.close(), plaintext?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const copy = (db: TestDatabase) => copyDatabase(db, dir, `copy-${copies++}`);
  const migrate = (args: readonly string[], database?: string) =>
    runCli(["migrate", ...args], { cwd: dir, ...(database && { database }) });

  it("--help lists every mode and flag, the exit codes and what signals do", () => {
    for (const args of [
      ["migrate", "--help"],
      ["migrate", "encrypt", "-h"],
    ]) {
      const result = runCli(args, { cwd: dir });
      expect(result.status).toBe(0);
      expect(result.stderr).toBe("");
      const help = result.stdout;
      for (const mode of MODES) expect(help).toMatch(new RegExp(`\\n  ${mode} +\\S`));
      for (const flag of [...FLAGS, "--dry-run", "--json", "--help"])
        expect(help).toMatch(new RegExp(`\\n  (-h, )?${flag}\\b`));
      for (const code of ["0", "2", "1", "130"]) expect(help).toMatch(new RegExp(`\\n  ${code} +\\S`));
      expect(help).toContain("143: stopped by SIGTERM");
      expect(help).toMatch(/SIGINT or SIGTERM stops the run once the batches in flight have committed/);
      expect(help).toMatch(/A second signal exits at once/);
      expect(help).toContain(".prisma-vault/migrate-<mode>[-<models>][-shard-<i>-of-<n>].json");
      expect(help).toMatch(
        /scanned, updated and conflicts count rows;\s+skipped, failed \(failedTotal in --json\)/,
      );
    }
    const top = runCli(["--help"], { cwd: dir }).stdout;
    expect(top).toContain("migrate <mode> --config <file>");
    for (const flag of FLAGS) expect(top).toContain(flag);
    expect(top).toContain("encrypt, decrypt, rekey, rotate,\n");
    expect(top).toContain(EXIT_CODES_TABLE);
  });

  it("index with a TypeScript config fills the indexes, prints progress and the summary, exits 0", async () => {
    const file = await copy(encrypted);
    const result = migrate(["index", "--config", "vault.config.ts", "--batch-size", "2"], file);
    expect(result.stderr).toMatch(
      /^checkpoint: \.prisma-vault\/migrate-index\.json\nAccount: 3 rows scanned, 3 updated in [\d.]+ s\n$/,
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^ +rows +values\nmodel\s+scanned\s+updated\s+conflicts\s+skipped\s+failed\n/,
    );
    expect(result.stdout).toMatch(/\nAccount\s+3\s+3\s+0\s+0\s+0\n/);
    expect(result.stdout).toMatch(/\ndone in [\d.]+ s\n$/);
    // A completed run removes its checkpoint.
    expect(existsSync(join(dir, ".prisma-vault/migrate-index.json"))).toBe(false);
    const rows = await storedAccounts(file);
    expect(rows.map((row) => row.emailIndex)).toEqual(
      ["a1@x.io", "a2@x.io", "b1@x.io"].map((e) => emailIndex.compute(e)),
    );
    expect(rows.map((row) => row.handleIndex === null)).toEqual([true, true, false]);
  });

  it("--dry-run writes nothing, takes no checkpoint and says so", async () => {
    const file = await copy(encrypted);
    const result = migrate(
      ["index", "--config", "vault.config.mjs", "--dry-run", "--models", "Account"],
      file,
    );
    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain("checkpoint");
    expect(result.stdout).toMatch(/\nAccount\s+3\s+3\s+0\s+0\s+0\n/);
    expect(result.stdout).toMatch(/\ndry run in [\d.]+ s: nothing was written\n$/);
    expect((await storedAccounts(file)).every((row) => row.emailIndex === null)).toBe(true);
  });

  it("--json prints the report and nothing else on stdout; progress stays on stderr", async () => {
    const file = await copy(plaintext);
    const result = migrate(
      ["encrypt", "--config", "vault.config.mjs", "--models", "Account", "--json"],
      file,
    );
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as MigrationReport;
    expect(report).toMatchObject({ mode: "encrypt", dryRun: false, interrupted: false });
    expect(report.checkpoint).toBeUndefined();
    expect(report.models).toHaveLength(1);
    expect(report.models[0]).toMatchObject({ model: "Account", scanned: 300, updated: 300, failedTotal: 0 });
    expect(result.stderr).toMatch(/^checkpoint: \.prisma-vault\/migrate-encrypt-Account\.json\n/);
    expect(result.stderr).toMatch(/\nAccount: 300 rows scanned, 300 updated in [\d.]+ s\n$/);
    const rows = await storedAccounts(file);
    expect(rows.every((row) => isEnvelope(row.email) && row.emailIndex !== null)).toBe(true);
    expect(result.stdout + result.stderr).not.toContain("user1@example.com");
  });

  it("a value that does not decrypt is listed by model, field and id, and exits 2", async () => {
    const file = await copy(encrypted);
    const [a1, , b1] = await storedAccounts(file);
    const prisma = sqliteClient(file);
    await prisma.account.update({ where: { id: a1!.id }, data: { email: b1!.email } });
    await prisma.$disconnect();
    const result = migrate(["index", "--config", "vault.config.mjs"], file);
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/\nAccount\s+3\s+3\s+0\s+0\s+1\n/);
    expect(result.stdout).toContain(`failed: Account.email (id ${a1!.id}): VAULT_DECRYPT_FAILED\n`);
    expect(result.stdout).not.toContain(b1!.email);
  });

  it("verify of plaintext rows counts them in its own column, writes nothing and exits 2", async () => {
    const file = await copy(plaintext);
    const result = migrate(["verify", "--config", "vault.config.mjs", "--models", "Account"], file);
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(
      /^ +rows +values\nmodel\s+scanned\s+updated\s+conflicts\s+skipped\s+failed\s+plaintext\s+stale indexes\n/,
    );
    expect(result.stdout).toMatch(/\nAccount\s+300\s+0\s+0\s+\d+\s+0\s+[1-9]\d*\s+\d+\n/);
    expect((await storedAccounts(file)).every((row) => !isEnvelope(row.email))).toBe(true);
  });

  it("a bad flag is a usage error: exit 64 with VAULT_CONFIG before the config file is loaded; a missing checkpoint exits 1", () => {
    const marker = join(dir, "loaded");
    const cases: [string[], RegExp][] = [
      [
        ["index", "--config", "marker.config.mjs", "--batch-size", "0"],
        /--batch-size must be an integer from 1 to 10000/,
      ],
      [
        ["index", "--config", "marker.config.mjs", "--concurrency", "100"],
        /--concurrency must be an integer from 1 to 64/,
      ],
      [
        ["index", "--config", "marker.config.mjs", "--shard", "3/3"],
        /--shard must be i\/n with 0 <= i < n <= 1024/,
      ],
      [["index", "--config", "marker.config.mjs", "--models", "A,,B"], /--models must be model names/],
      [["index", "--config", "marker.config.mjs", "--frobnicate"], /unknown option "--frobnicate"/],
      [["index", "--config", "marker.config.mjs", "--dry-run", "--resume"], /--dry-run writes nothing/],
      [["--config", "marker.config.mjs"], /migrate needs a mode, one of [a-z]+, [a-z]+/],
      [["enrcypt", "--config", "marker.config.mjs"], /unknown mode "enrcypt"/],
      [["index"], /migrate needs --config <file>/],
    ];
    const resume = [
      ["index", "--config", "marker.config.mjs", "--resume"],
      /--resume: there is no checkpoint at \.prisma-vault\/migrate-index\.json/,
    ] as [string[], RegExp];
    for (const [args, message] of [...cases, resume]) {
      const result = migrate(args);
      expect(result.status, args.join(" ")).toBe(args === resume[0] ? 1 : 64);
      expect(result.stderr).toMatch(/^prisma-vault: VAULT_CONFIG: /);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stdout).toBe("");
      expect(existsSync(marker), args.join(" ")).toBe(false);
    }
    // The same command with good flags does load it.
    const loaded = migrate(["index", "--config", "marker.config.mjs", "--dry-run"], join(dir, "none.db"));
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);
    expect(loaded.stderr).not.toMatch(/\n\s+at /);
  });

  it("an unfinished run's checkpoint is refused without --resume, before the config loads", async () => {
    const file = await copy(plaintext);
    const checkpoint = join(dir, "unfinished.json");
    writeFileSync(checkpoint, "{}");
    const refused = migrate(["encrypt", "--config", "marker.config.mjs", "--checkpoint", checkpoint], file);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      `prisma-vault: VAULT_CONFIG: an unfinished run's checkpoint is at ${checkpoint}: add --resume to continue it, or delete the file to start anew\n`,
    );
    expect(existsSync(join(dir, "loaded"))).toBe(false);
    expect(readFileSync(checkpoint, "utf8")).toBe("{}");
    rmSync(checkpoint);
  });

  it("a config that does not exist, or exports no client, exits 1 with VAULT_CONFIG", () => {
    const missing = migrate(["index", "--config", "nope.config.ts"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(
      /^checkpoint: .*\nprisma-vault: VAULT_CONFIG: the config file nope\.config\.ts does not exist/,
    );
    const wrong = migrate(["index", "--config", "not-a-client.mjs"]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(
      /\nprisma-vault: VAULT_CONFIG: not-a-client\.mjs must export a Prisma client/,
    );
    for (const result of [missing, wrong]) expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

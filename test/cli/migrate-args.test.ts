import { describe, expect, it } from "vitest";
import { VaultConfigError } from "../../src/errors.js";
import { commandLine, parseMigrateArgs, type MigrateCommand } from "../../src/cli/migrate-args.js";
import { MIGRATION_MODES } from "../../src/migrate/migration-mode.js";

const base = ["encrypt", "--config", "vault.config.ts"];

/** The parsed command of `args`, which must be a run, not a help request. */
function parsed(...args: string[]): MigrateCommand {
  const result = parseMigrateArgs(args);
  if (result.help) throw new Error("expected a command, got help");
  return result;
}

/** The message of the VaultConfigError that parsing `args` throws. */
function refusal(...args: string[]): string {
  try {
    parseMigrateArgs(args);
  } catch (error) {
    expect(error).toBeInstanceOf(VaultConfigError);
    return (error as Error).message;
  }
  throw new Error(`${args.join(" ")} was accepted`);
}

describe("parseMigrateArgs: flags", () => {
  it("mode and config alone: no numbers, lists or shard; every switch off", () => {
    expect(parsed(...base)).toEqual({
      help: false,
      mode: "encrypt",
      config: "vault.config.ts",
      resume: false,
      dryRun: false,
      json: false,
    });
  });

  it("every mode of DESIGN.md §11 is accepted", () => {
    for (const mode of MIGRATION_MODES) expect(parsed(mode, "--config", "c.mjs").mode).toBe(mode);
  });

  it("every flag, with separate and inline (=) values, in any order", () => {
    expect(
      parsed(
        "--models",
        "User, Account",
        "--batch-size=250",
        "rotate",
        "--concurrency",
        "4",
        "--shard",
        "2/3",
        "--checkpoint=run.json",
        "--resume",
        "--json",
        "--config",
        "vault.config.mjs",
      ),
    ).toEqual({
      help: false,
      mode: "rotate",
      config: "vault.config.mjs",
      models: ["User", "Account"],
      batchSize: 250,
      concurrency: 4,
      shard: [2, 3],
      checkpoint: "run.json",
      resume: true,
      dryRun: false,
      json: true,
    });
    expect(parsed(...base, "--dry-run").dryRun).toBe(true);
  });

  it("the bounds themselves are accepted", () => {
    expect(parsed(...base, "--batch-size", "1").batchSize).toBe(1);
    expect(parsed(...base, "--batch-size", "10000").batchSize).toBe(10_000);
    expect(parsed(...base, "--concurrency", "64").concurrency).toBe(64);
    expect(parsed(...base, "--shard", "0/1").shard).toEqual([0, 1]);
    expect(parsed(...base, "--shard", "1023/1024").shard).toEqual([1023, 1024]);
  });

  it("--help or -h anywhere asks for the help, even beside bad flags", () => {
    expect(parseMigrateArgs(["--help"])).toEqual({ help: true });
    expect(parseMigrateArgs(["-h"])).toEqual({ help: true });
    expect(parseMigrateArgs(["encrypt", "--batch-size", "0", "--help"])).toEqual({ help: true });
    expect(parseMigrateArgs(["nope", "--frobnicate", "-h"])).toEqual({ help: true });
  });

  it("after --, a word is a positional, not a flag", () => {
    expect(refusal(...base, "--", "--help")).toBe(
      'unexpected argument "--help" (prisma-vault migrate --help lists them)',
    );
  });
});

describe("parseMigrateArgs: refusals name the flag and what it accepts", () => {
  it("a missing or unknown mode lists the modes", () => {
    const modes = MIGRATION_MODES.join(", ");
    expect(refusal("--config", "c.mjs")).toBe(`migrate needs a mode, one of ${modes}`);
    expect(refusal("encrpyt", "--config", "c.mjs")).toBe(`unknown mode "encrpyt": one of ${modes}`);
  });

  it("a missing --config says what the file must export", () => {
    expect(refusal("encrypt")).toBe(
      "migrate needs --config <file>, a module exporting your Prisma client extended with vault()",
    );
  });

  it("an unknown option, long or short, is named", () => {
    expect(refusal(...base, "--batchsize", "5")).toBe(
      'unknown option "--batchsize" (prisma-vault migrate --help lists them)',
    );
    expect(refusal(...base, "-x")).toBe('unknown option "-x" (prisma-vault migrate --help lists them)');
  });

  it("a second positional is refused", () => {
    expect(refusal(...base, "index")).toMatch(/^unexpected argument "index"/);
  });

  it.each([
    ["0", "from 1 to 10000"],
    ["10001", "from 1 to 10000"],
    ["-5", "from 1 to 10000"],
    ["2.5", "from 1 to 10000"],
    ["1e3", "from 1 to 10000"],
    ["abc", "from 1 to 10000"],
    ["", "from 1 to 10000"],
    ["99999999999999999999", "from 1 to 10000"],
  ])("--batch-size %j is refused with its range", (value, range) => {
    expect(refusal(...base, "--batch-size", value)).toBe(
      `--batch-size must be an integer ${range} (got ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`,
    );
  });

  it("--concurrency outside 1 to 64 is refused with its range", () => {
    expect(refusal(...base, "--concurrency", "0")).toBe(
      '--concurrency must be an integer from 1 to 64 (got "0")',
    );
    expect(refusal(...base, "--concurrency", "65")).toBe(
      '--concurrency must be an integer from 1 to 64 (got "65")',
    );
  });

  it.each(["3/3", "4/3", "0/0", "-1/3", "1/1025", "1", "1/", "/3", "a/b", "1/3/5", " 1/3"])(
    "--shard %j is refused: i/n with 0 <= i < n <= 1024",
    (value) => {
      expect(refusal(...base, "--shard", value)).toBe(
        `--shard must be i/n with 0 <= i < n <= 1024, e.g. --shard 0/4 for the first of four (got ${JSON.stringify(value)})`,
      );
    },
  );

  it("--models must be names separated by commas: no empty entry, no other characters", () => {
    for (const value of ["", "User,", ",User", "User,,Post", "../etc", "User Post", "1User", "Us-er"]) {
      expect(refusal(...base, "--models", value)).toMatch(
        /^--models must be model names separated by commas, e.g. --models User,Account \(got ".*"\)$/,
      );
    }
  });

  it("a flag that needs a value and has none, or is followed by another flag, says so", () => {
    expect(refusal("encrypt", "--config")).toBe("--config needs a value, e.g. --config vault.config.ts");
    expect(refusal("encrypt", "--config", "--json")).toBe(
      "--config needs a value, e.g. --config vault.config.ts",
    );
    expect(refusal(...base, "--checkpoint")).toBe(
      "--checkpoint needs a value, e.g. --checkpoint migrate.json",
    );
    expect(refusal(...base, "--batch-size")).toBe(
      "--batch-size needs a value, e.g. --batch-size 500 (1 to 10000)",
    );
    // Inline, a leading dash is the value itself.
    expect(parsed(...base, "--checkpoint=-odd.json").checkpoint).toBe("-odd.json");
  });

  it("a switch given a value, and a flag given twice, are refused", () => {
    expect(refusal(...base, "--resume=yes")).toBe("--resume takes no value");
    expect(refusal(...base, "--json=false")).toBe("--json takes no value");
    expect(refusal(...base, "--batch-size", "5", "--batch-size", "6")).toBe("--batch-size is given twice");
    expect(refusal(...base, "--dry-run", "--dry-run")).toBe("--dry-run is given twice");
  });

  it("a dry run takes no --resume and no --checkpoint: it has no progress to record", () => {
    expect(refusal(...base, "--dry-run", "--resume")).toBe("--dry-run writes nothing: it takes no --resume");
    expect(refusal(...base, "--dry-run", "--checkpoint", "x.json")).toBe(
      "--dry-run writes nothing: it takes no --checkpoint",
    );
  });
});

describe("commandLine", () => {
  it("writes every flag back, so the same checkpoint is found, with --resume last", () => {
    const command = parsed(
      "rotate",
      "--config",
      "vault.config.ts",
      "--models",
      "User,Account",
      "--batch-size",
      "100",
      "--concurrency",
      "3",
      "--shard",
      "1/4",
      "--checkpoint",
      "runs/rotate.json",
      "--json",
    );
    const line =
      "prisma-vault migrate rotate --config vault.config.ts --models User,Account --batch-size 100 " +
      "--concurrency 3 --shard 1/4 --checkpoint runs/rotate.json --json";
    expect(commandLine(command, true)).toBe(`${line} --resume`);
    expect(commandLine(command, false)).toBe(line);
  });

  it("parsing its words gives the same command back", () => {
    const command = parsed(...base, "--models", "A,B", "--shard", "0/2", "--batch-size", "7");
    const words = commandLine(command, true).split(" ").slice(2);
    expect(parsed(...words)).toEqual({ ...command, resume: true });
  });

  it("quotes a path with spaces or quotes for a POSIX shell", () => {
    const command = parsed("index", "--config", "my app/vault's.config.ts");
    expect(commandLine(command, false)).toBe(
      `prisma-vault migrate index --config 'my app/vault'\\''s.config.ts'`,
    );
  });
});

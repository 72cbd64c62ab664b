import { basename, dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKPOINT_DIR, defaultCheckpointPath } from "../../src/cli/checkpoint-path.js";
import { MIGRATION_MODES } from "../../src/migrate/migration-mode.js";

describe("defaultCheckpointPath", () => {
  it("is a file of .prisma-vault/ in the working directory, named after the mode", () => {
    expect(defaultCheckpointPath({ mode: "encrypt" })).toBe(".prisma-vault/migrate-encrypt.json");
    expect(CHECKPOINT_DIR).toBe(".prisma-vault");
  });

  it("names the models, sorted and once each, and the shard", () => {
    expect(
      defaultCheckpointPath({ mode: "rotate", models: ["User", "Account", "User"], shard: [1, 3] }),
    ).toBe(".prisma-vault/migrate-rotate-Account+User-shard-1-of-3.json");
    expect(defaultCheckpointPath({ mode: "index", shard: [0, 4] })).toBe(
      ".prisma-vault/migrate-index-shard-0-of-4.json",
    );
  });

  it("runs that differ in mode, models or shard get different files; the same run the same file", () => {
    const runs = [
      ...MIGRATION_MODES.map((mode) => ({ mode })),
      { mode: "encrypt" as const, models: ["User"] },
      { mode: "encrypt" as const, models: ["User", "Post"] },
      { mode: "encrypt" as const, shard: [0, 2] as const },
      { mode: "encrypt" as const, shard: [1, 2] as const },
      { mode: "encrypt" as const, shard: [1, 3] as const },
      { mode: "encrypt" as const, models: ["User"], shard: [1, 3] as const },
    ];
    const paths = runs.map(defaultCheckpointPath);
    expect(new Set(paths).size).toBe(runs.length);
    expect(defaultCheckpointPath({ mode: "encrypt", models: ["Post", "User"] })).toBe(
      defaultCheckpointPath({ mode: "encrypt", models: ["User", "Post"] }),
    );
  });

  it("a long list of models becomes a hash, so the name stays short; other lists keep theirs", () => {
    const many = Array.from({ length: 40 }, (_, i) => `Model${i}`);
    const path = defaultCheckpointPath({ mode: "encrypt", models: many });
    expect(path).toMatch(/^\.prisma-vault\/migrate-encrypt-models-[0-9a-f]{12}\.json$/);
    expect(defaultCheckpointPath({ mode: "encrypt", models: [...many].reverse() })).toBe(path);
    expect(defaultCheckpointPath({ mode: "encrypt", models: many.slice(1) })).not.toBe(path);
  });

  it("a name that is not an identifier cannot leave the folder", () => {
    const path = defaultCheckpointPath({ mode: "encrypt", models: ["../../etc/passwd"] });
    expect(dirname(path)).toBe(".prisma-vault");
    expect(basename(path)).toBe("migrate-encrypt-______etc_passwd.json");
  });
});

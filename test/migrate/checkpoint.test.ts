/**
 * The migration checkpoint file: a new run records itself and refuses to overwrite an unfinished
 * run's file; a resumed run must be the same run (mode, model set, shard) and continues after the
 * last committed key, of any key type a checkpoint can hold; a file that is not a checkpoint is
 * refused; writes leave no temporary file behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Checkpoint, type RunIdentity } from "../../src/migrate/checkpoint.js";
import { thrownVaultError } from "../support/errors.js";

const run: RunIdentity = { mode: "encrypt", models: ["User", "Account"], shard: [1, 3] };

describe("Checkpoint", () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "prisma-vault-checkpoint-"));
    path = join(dir, "nested", "run.json");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a new run writes its identity and starts every model from the beginning", () => {
    const checkpoint = Checkpoint.open(path, run, false);
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({
      mode: "encrypt",
      models: ["User", "Account"],
      shard: [1, 3],
      progress: { User: { after: null, done: false }, Account: { after: null, done: false } },
    });
    expect(checkpoint.resumePoint("User")).toBeUndefined();
  });

  it("a new run refuses to overwrite an unfinished run's checkpoint, and leaves it as it was", () => {
    Checkpoint.open(path, run, false).advance("User", { id: 7 });
    const before = readFileSync(path, "utf8");
    const error = thrownVaultError(() => Checkpoint.open(path, run, false));
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.message).toContain(`a checkpoint of an unfinished migration is at ${path}`);
    expect(readFileSync(path, "utf8")).toBe(before);
  });

  it("resuming continues after the last committed key, and a finished model is done", () => {
    const first = Checkpoint.open(path, run, false);
    first.advance("User", { id: 7 });
    first.advance("User", { id: 12 });
    first.finish("Account");
    // The same run, its models in another order.
    const resumed = Checkpoint.open(path, { ...run, models: ["Account", "User"] }, true);
    expect(resumed.resumePoint("User")).toEqual({ id: 12 });
    expect(resumed.resumePoint("Account")).toBe("done");
  });

  it("keys of every recordable type come back as they were: BigInt, Date, string, compound", () => {
    const first = Checkpoint.open(path, run, false);
    const key = { tenant: "org_a", seq: 2n ** 70n, at: new Date("2026-01-02T03:04:05.678Z"), n: 4 };
    first.advance("User", key);
    expect(Checkpoint.open(path, run, true).resumePoint("User")).toEqual(key);
    expect(() => first.advance("User", { id: Buffer.from("x") })).toThrow(/cannot be recorded/);
  });

  it.each([
    [{ ...run, mode: "rotate" as const }, "rotate of Account, User, shard 1/3"],
    [{ ...run, models: ["User"] }, "encrypt of User, shard 1/3"],
    [{ ...run, shard: [2, 3] as const }, "encrypt of Account, User, shard 2/3"],
    [{ ...run, shard: undefined }, "encrypt of Account, User"],
  ])("a checkpoint of another run is refused, naming both: %j", (other, wanted) => {
    Checkpoint.open(path, run, false);
    const error = thrownVaultError(() => Checkpoint.open(path, other, true));
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.message).toBe(
      `the checkpoint at ${path} belongs to another run (encrypt of Account, User, shard 1/3); this run is ${wanted}`,
    );
  });

  it("resuming without a checkpoint, or from a file that is not one, is refused", () => {
    expect(thrownVaultError(() => Checkpoint.open(path, run, true)).message).toBe(
      `there is no checkpoint to resume at ${path}`,
    );
    const other = join(dir, "other.json");
    for (const [text, message] of [
      ["{ not json", /is not readable JSON/],
      ["{}", /is not a prisma-vault checkpoint/],
      [JSON.stringify({ version: 1, mode: "encrypt", models: ["User"], progress: {} }), /not a prisma-vault/],
    ] as const) {
      writeFileSync(other, text);
      expect(thrownVaultError(() => Checkpoint.open(other, run, true)).message).toMatch(message);
    }
  });

  it("writes replace the file whole (no temporary file is left) and remove() deletes it", () => {
    const checkpoint = Checkpoint.open(path, run, false);
    for (let id = 0; id < 20; id++) checkpoint.advance("User", { id });
    expect(readdirSync(join(dir, "nested"))).toEqual(["run.json"]);
    checkpoint.remove();
    expect(readdirSync(join(dir, "nested"))).toEqual([]);
    expect(() => checkpoint.advance("Nope", { id: 1 })).toThrow(RangeError);
  });
});

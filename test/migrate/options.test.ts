/** The option checks beyond those in migrate.test.ts (defaults, each option's type, the modes). */
import { describe, expect, it } from "vitest";
import { MIGRATION_MODES } from "../../src/migrate/migration-mode.js";
import {
  DEFAULT_BATCH_SIZE,
  MAX_BATCH_SIZE,
  validateMigrateOptions,
  type MigrateOptions,
} from "../../src/migrate/options.js";
import { thrownVaultError } from "../support/errors.js";

const check = (options: unknown) => validateMigrateOptions(options as MigrateOptions);
const refusal = (options: unknown) => thrownVaultError(() => check(options));

describe("validateMigrateOptions", () => {
  it("hands back the models list and the onProgress function it was given, and dryRun", () => {
    const models = ["Account", "User"];
    const onProgress = () => undefined;
    const settings = check({ mode: "index", models, onProgress, dryRun: true, batchSize: 7 });
    expect(settings).toEqual({
      mode: "index",
      models,
      batchSize: 7,
      concurrency: 2,
      dryRun: true,
      shard: undefined,
      checkpoint: undefined,
      resume: false,
      signal: undefined,
      onProgress,
    });
    expect(settings.models).toBe(models);
    expect(settings.onProgress).toBe(onProgress);
  });

  it("without onProgress, progress goes to a function that does nothing", () => {
    const { onProgress } = check({ mode: "index" });
    expect(() => {
      onProgress({
        mode: "index",
        model: "A",
        total: 0,
        scanned: 0,
        updated: 0,
        skipped: 0,
        conflicts: 0,
        failed: 0,
      });
    }).not.toThrow();
  });

  it("the default batch is 500 rows, the largest 10000", () => {
    expect(DEFAULT_BATCH_SIZE).toBe(500);
    expect(MAX_BATCH_SIZE).toBe(10_000);
    expect(check({ mode: "index", batchSize: undefined }).batchSize).toBe(DEFAULT_BATCH_SIZE);
    expect(refusal({ mode: "index", batchSize: Number.POSITIVE_INFINITY }).message).toMatch(/batchSize/);
  });

  it("knows the six modes of the design, in its order", () => {
    expect(MIGRATION_MODES).toEqual(["index", "encrypt", "rekey", "rotate", "decrypt", "verify"]);
  });

  it.each([
    ["a number", 1],
    ["null", null],
    ["a different case", "Index"],
    ["a prototype member", "constructor"],
    ["__proto__", "__proto__"],
  ])("a mode that is %s is refused with the list of modes", (_what, mode) => {
    expect(refusal({ mode }).message).toBe(
      'options.mode must be one of "index", "encrypt", "rekey", "rotate", "decrypt", "verify"',
    );
  });

  it("an array or a string instead of options is refused", () => {
    expect(refusal("index").message).toMatch(/options object/);
    expect(refusal(undefined).message).toMatch(/options object/);
    expect(refusal(["index"]).message).toMatch(/options\.mode/);
  });

  it.each([
    ["a number in the list", ["Account", 1]],
    ["null in the list", [null]],
    ["a set instead of a list", new Set(["Account"])],
  ])("refuses models with %s", (_what, models) => {
    expect(refusal({ mode: "index", models }).message).toBe(
      'options.models must be a non-empty list of model names, e.g. ["User"]',
    );
  });

  it("a model name with non-ASCII letters is a name like any other", () => {
    expect(check({ mode: "index", models: ["Überweisung"] }).models).toEqual(["Überweisung"]);
  });

  it.each([
    ["dryRun", 1, "options.dryRun must be true or false"],
    ["dryRun", "false", "options.dryRun must be true or false"],
    ["onProgress", "console.log", "options.onProgress must be a function"],
    ["onProgress", {}, "options.onProgress must be a function"],
  ])("refuses %s = %j", (name, value, message) => {
    expect(refusal({ mode: "index", [name]: value }).message).toBe(message);
  });

  it("every refusal is VAULT_CONFIG and names no model or field", () => {
    for (const options of [null, {}, { mode: "rekey", resume: true }, { mode: "index", batchSize: 0 }]) {
      expect(refusal(options)).toMatchObject({ code: "VAULT_CONFIG", model: undefined, field: undefined });
    }
  });

  it("concurrency is an integer from 1 to 64, default 2", () => {
    expect(check({ mode: "encrypt" }).concurrency).toBe(2);
    expect(check({ mode: "encrypt", concurrency: 64 }).concurrency).toBe(64);
    for (const concurrency of [0, 65, 1.5, "2", Number.NaN]) {
      expect(refusal({ mode: "encrypt", concurrency }).message).toBe(
        "options.concurrency must be an integer from 1 to 64",
      );
    }
  });

  it("shard is [i, n] with 0 <= i < n <= 1024", () => {
    expect(check({ mode: "encrypt", shard: [2, 3] }).shard).toEqual([2, 3]);
    expect(check({ mode: "encrypt", shard: [0, 1] }).shard).toEqual([0, 1]);
    for (const shard of [
      [3, 3],
      [-1, 3],
      [0, 0],
      [0, 1025],
      [1.5, 3],
      [0],
      [0, 1, 2],
      "0/3",
      { 0: 0, 1: 3 },
    ]) {
      expect(refusal({ mode: "encrypt", shard }).message).toMatch(/^options\.shard must be \[i, n\]/);
    }
  });

  it("resume needs a checkpoint, and a dry run takes neither", () => {
    expect(check({ mode: "encrypt", checkpoint: "c.json", resume: true })).toMatchObject({
      checkpoint: "c.json",
      resume: true,
    });
    expect(refusal({ mode: "encrypt", resume: true }).message).toMatch(/resume needs options\.checkpoint/);
    expect(refusal({ mode: "encrypt", checkpoint: "" }).message).toMatch(/checkpoint must be a file path/);
    expect(refusal({ mode: "encrypt", checkpoint: "c.json", dryRun: true }).message).toMatch(/dry run/);
    expect(refusal({ mode: "encrypt", resume: "yes", checkpoint: "c.json" }).message).toMatch(
      /resume must be/,
    );
  });

  it("signal is an AbortSignal; unknown options are refused by name", () => {
    const signal = new AbortController().signal;
    expect(check({ mode: "encrypt", signal }).signal).toBe(signal);
    expect(refusal({ mode: "encrypt", signal: {} }).message).toMatch(/signal must be an AbortSignal/);
    expect(refusal({ mode: "encrypt", batch_size: 10 }).message).toMatch(/unknown option "batch_size"/);
  });

  it("leaves the options as they were", () => {
    const options = Object.freeze({ mode: "index" as const, models: Object.freeze(["Account"]) });
    check(options);
    expect(options).toEqual({ mode: "index", models: ["Account"] });
  });
});

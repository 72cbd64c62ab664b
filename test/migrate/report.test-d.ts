/**
 * report.ts holds types only, so its contract is checked by the type checker (`tsc -p .`): a report
 * has room for counts, field names, primary keys and error codes, and none for a value.
 */
import { describe, expectTypeOf, it } from "vitest";
import type { VaultErrorCode } from "../../src/error-codes.js";
import type { MigrationMode } from "../../src/migrate/migration-mode.js";
import type {
  MigrationFailedValue,
  MigrationModelReport,
  MigrationProgress,
  MigrationReport,
} from "../../src/migrate/report.js";

describe("the migration report's types", () => {
  it("a failed value is its row's key, its field and an error code: nowhere to put the value", () => {
    expectTypeOf<keyof MigrationFailedValue>().toEqualTypeOf<"id" | "field" | "code">();
    expectTypeOf<MigrationFailedValue["code"]>().toEqualTypeOf<VaultErrorCode | "MIGRATION_CONFLICT">();
    expectTypeOf<MigrationFailedValue["field"]>().toEqualTypeOf<string>();
  });

  it("a model's report is counts, its failed values (bounded, with their total) and a duration", () => {
    expectTypeOf<keyof MigrationModelReport>().toEqualTypeOf<
      | "model"
      | "scanned"
      | "updated"
      | "skipped"
      | "conflicts"
      | "failed"
      | "failedTotal"
      | "plaintext"
      | "staleIndexes"
      | "durationMs"
    >();
    expectTypeOf<MigrationModelReport["failed"]>().toEqualTypeOf<readonly MigrationFailedValue[]>();
    expectTypeOf<MigrationModelReport["scanned"]>().toEqualTypeOf<number>();
  });

  it("the report names its mode, shard, whether it was a dry run, and whether it was interrupted", () => {
    expectTypeOf<keyof MigrationReport>().toEqualTypeOf<
      "mode" | "dryRun" | "shard" | "models" | "interrupted" | "checkpoint" | "durationMs"
    >();
    expectTypeOf<MigrationReport["mode"]>().toEqualTypeOf<MigrationMode>();
    expectTypeOf<MigrationReport["models"]>().toEqualTypeOf<readonly MigrationModelReport[]>();
  });

  it("progress counts failures instead of listing them", () => {
    expectTypeOf<MigrationProgress["failed"]>().toEqualTypeOf<number>();
    expectTypeOf<keyof MigrationProgress>().toEqualTypeOf<
      "mode" | "model" | "total" | "scanned" | "updated" | "skipped" | "conflicts" | "failed"
    >();
  });

  it("every part of a report is read-only", () => {
    expectTypeOf<MigrationReport>().toEqualTypeOf<Readonly<MigrationReport>>();
    expectTypeOf<MigrationModelReport>().toEqualTypeOf<Readonly<MigrationModelReport>>();
    expectTypeOf<MigrationFailedValue>().toEqualTypeOf<Readonly<MigrationFailedValue>>();
    expectTypeOf<MigrationProgress>().toEqualTypeOf<Readonly<MigrationProgress>>();
  });
});

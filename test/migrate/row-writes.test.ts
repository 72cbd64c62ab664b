/**
 * RowWrites: what a mode decided for each row of a batch. A write carries the value each set field
 * held when read (null when absent), plus the fields it only depends on; rows without a write have
 * none; counts and failures stay per row; a row index outside the batch is a bug.
 */
import { describe, expect, it } from "vitest";
import { RowWrites } from "../../src/migrate/row-writes.js";

describe("RowWrites", () => {
  const rows = [
    { id: 1, email: "old", emailIndex: null },
    { id: 2, email: "kept" },
  ];

  it("a set field is written only while it holds what was read; an absent one must still be null", () => {
    const writes = new RowWrites(rows);
    writes.set(0, "email", "new");
    writes.set(0, "emailIndex", "idx");
    writes.expect(0, "organizationId", "org_a");
    writes.set(1, "handle", "h");
    const [first, second] = writes.outcomes();
    expect(first?.write).toEqual({
      expected: { email: "old", emailIndex: null, organizationId: "org_a" },
      data: { email: "new", emailIndex: "idx" },
    });
    expect(second?.write).toEqual({ expected: { handle: null }, data: { handle: "h" } });
    expect(first?.row).toBe(rows[0]);
  });

  it("a row nothing was set on has no write; skips, failures and verify's counts stay per row", () => {
    const known = [[{ id: 2, field: "email", code: "VAULT_CONTEXT_MISSING" as const }]];
    const writes = new RowWrites(rows, [[], ...known]);
    writes.skip(0);
    writes.skip(0);
    writes.count(0, "plaintext");
    writes.count(1, "staleIndexes");
    writes.fail(1, { id: 2, field: "handle", code: "VAULT_DECRYPT_FAILED" });
    expect(writes.outcomes()).toEqual([
      { row: rows[0], skipped: 2, failed: [], plaintext: 1 },
      {
        row: rows[1],
        skipped: 0,
        failed: [...(known[0] ?? []), { id: 2, field: "handle", code: "VAULT_DECRYPT_FAILED" }],
        staleIndexes: 1,
      },
    ]);
    // The known failures passed in are copied, not shared.
    expect(known[0]).toHaveLength(1);
  });

  it("a row index outside the batch is refused", () => {
    const writes = new RowWrites(rows);
    expect(() => writes.set(2, "email", "x")).toThrow(RangeError);
    expect(() => writes.skip(-1)).toThrow(RangeError);
  });
});

import { describe, expect, it } from "vitest";
import { batchUpdates, MAX_PARAMS, type BatchModel } from "../../src/migrate/batch-update.js";

const account: BatchModel = {
  table: "Account",
  primaryKey: ["id"],
  columns: new Map([["email", "email_col"]]),
  fieldTypes: new Map([["id", "Int"]]),
};
const ledger: BatchModel = {
  table: "ledger_entries",
  primaryKey: ["tenantId", "seq"],
  columns: new Map([["seq", "seq_no"]]),
  fieldTypes: new Map([
    ["tenantId", "String"],
    ["seq", "Int"],
  ]),
};
const update = (id: number, old: string | null, next: string) => ({
  where: { id, email: old },
  data: { email: next },
});

describe("batchUpdates", () => {
  it("writes a page in one statement per dialect, every value a parameter", () => {
    const updates = [update(1, "a@x.io", "E1"), update(2, null, "E2")];
    const [sqlite] = batchUpdates("sqlite", account, updates);
    expect(sqlite?.sql).toBe(
      'WITH v(k0, o0, n0) AS (VALUES (?, ?, ?), (?, ?, ?)) UPDATE "Account" SET "email_col" = v.n0 FROM v ' +
        'WHERE "Account"."id" = v.k0 AND "Account"."email_col" IS v.o0',
    );
    expect(sqlite?.params).toEqual([1, "a@x.io", "E1", 2, null, "E2"]);
    expect(sqlite?.rows).toBe(2);
    const [pg] = batchUpdates("postgresql", account, updates);
    expect(pg?.sql).toBe(
      'UPDATE "Account" AS t SET "email_col" = v.n0 FROM (VALUES ($1::int4, $2::text, $3::text), ' +
        '($4::int4, $5::text, $6::text)) AS v(k0, o0, n0) WHERE t."id" = v.k0 AND t."email_col" IS NOT DISTINCT FROM v.o0',
    );
    const [mysql] = batchUpdates("mysql", account, updates);
    expect(mysql?.sql).toBe(
      "UPDATE `Account` AS t JOIN (SELECT ? AS k0, ? AS o0, ? AS n0 UNION ALL SELECT ?, ?, ?) AS v " +
        "ON t.`id` = v.k0 SET t.`email_col` = v.n0 WHERE t.`email_col` <=> v.o0",
    );
    for (const statement of [sqlite, pg, mysql]) {
      expect(statement?.sql).not.toMatch(/a@x\.io|E1|E2/);
    }
  });

  it("joins a compound key on every part, under mapped column and table names", () => {
    const [statement] = batchUpdates("sqlite", ledger, [
      { where: { tenantId: "t1", seq: 4, note: "old" }, data: { note: "new" } },
    ]);
    expect(statement?.sql).toContain(
      '"ledger_entries"."tenantId" = v.k0 AND "ledger_entries"."seq_no" = v.k1',
    );
    expect(statement?.params).toEqual(["t1", 4, "old", "new"]);
  });

  it("groups rows that set and check different fields into separate statements", () => {
    const statements = batchUpdates("sqlite", account, [
      update(1, "a", "E1"),
      { where: { id: 2, email: "b", phone: null }, data: { email: "E2", phone: "P2" } },
      update(3, "c", "E3"),
    ]);
    expect(statements.map((s) => s.rows)).toEqual([2, 1]);
  });

  it("splits a page whose parameters would pass the dialects' limits", () => {
    const many = Array.from({ length: 25_000 }, (_, i) => update(i + 1, `o${i}`, `n${i}`));
    const statements = batchUpdates("postgresql", account, many);
    expect(statements.length).toBeGreaterThan(1);
    expect(statements.every((s) => s.params.length <= MAX_PARAMS)).toBe(true);
    expect(statements.reduce((sum, s) => sum + s.rows, 0)).toBe(25_000);
  });
});

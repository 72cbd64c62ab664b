import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { afterKey, keyOrder } from "../../src/migrate/cursor.js";

type Row = Record<string, number>;

/** Evaluates the subset of Prisma's `where` the cursor writes: equality, `gt`, `AND`, `OR`. */
function matches(where: Record<string, unknown>, row: Row): boolean {
  return Object.entries(where).every(([key, condition]) => {
    if (key === "OR") return (condition as Record<string, unknown>[]).some((w) => matches(w, row));
    if (key === "AND") return (condition as Record<string, unknown>[]).every((w) => matches(w, row));
    if (typeof condition === "object" && condition !== null) {
      return (row[key] as number) > (condition as { gt: number }).gt;
    }
    return row[key] === condition;
  });
}

/** Lexicographic order of rows by `key`, the order `keyOrder` asks the database for. */
function compare(key: readonly string[], a: Row, b: Row): number {
  for (const field of key) {
    const diff = (a[field] as number) - (b[field] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

const KEYS = [["id"], ["a", "b"], ["a", "b", "c"]] as const;
const keyAndRows = fc.constantFrom(...KEYS).chain((key) => {
  const row = fc.record(Object.fromEntries(key.map((field) => [field, fc.integer({ min: -3, max: 3 })])));
  return fc.record({
    key: fc.constant(key),
    rows: fc.uniqueArray(row, { selector: (r) => key.map((f) => r[f]).join(","), maxLength: 40 }),
    other: row,
    batchSize: fc.integer({ min: 1, max: 7 }),
  });
});

describe("the primary-key cursor", () => {
  it("orders by every key field ascending", () => {
    expect(keyOrder(["id"])).toEqual([{ id: "asc" }]);
    expect(keyOrder(["tenant", "id"])).toEqual([{ tenant: "asc" }, { id: "asc" }]);
  });

  it("a single key continues with gt", () => {
    expect(afterKey(["id"], { id: 7, name: "x" })).toEqual({ id: { gt: 7 } });
  });

  it("a compound key expands lexicographically", () => {
    expect(afterKey(["a", "b", "c"], { a: 1, b: "x", c: 3 })).toEqual({
      OR: [{ a: { gt: 1 } }, { a: 1, b: { gt: "x" } }, { a: 1, b: "x", c: { gt: 3 } }],
    });
  });

  it("the key has at least one field", () => {
    expect(() => afterKey([], { id: 1 })).toThrow(RangeError);
  });

  it("the last row holds every key field; a key part is never null", () => {
    expect(() => afterKey(["a", "b"], { a: 1 })).toThrow(/key field "b"/);
    expect(() => afterKey(["id"], { id: null })).toThrow(RangeError);
  });

  it("matches exactly the rows whose key comes after the last row's", () => {
    fc.assert(
      fc.property(keyAndRows, ({ key, rows, other }) => {
        for (const row of rows) {
          expect(matches(afterKey(key, other), row)).toBe(compare(key, row, other) > 0);
        }
      }),
    );
  });

  it("paging with it reads every row once, in key order, whatever the page size", () => {
    fc.assert(
      fc.property(keyAndRows, ({ key, rows, batchSize }) => {
        const sorted = [...rows].sort((a, b) => compare(key, a, b));
        const read: Row[] = [];
        let last: Row | undefined;
        for (;;) {
          const page = sorted
            .filter((row) => last === undefined || matches(afterKey(key, last), row))
            .slice(0, batchSize);
          read.push(...page);
          if (page.length < batchSize) break;
          last = page.at(-1);
        }
        expect(read).toEqual(sorted);
      }),
    );
  });
});

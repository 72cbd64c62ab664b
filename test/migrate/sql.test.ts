import { describe, expect, it } from "vitest";
import { nullSafeEquals, quoteIdentifier, sqlDialect, SqlParams } from "../../src/migrate/sql.js";

describe("sql", () => {
  it("knows the three dialects by their Prisma provider names, and no other", () => {
    expect(["sqlite", "postgresql", "mysql"].map(sqlDialect)).toEqual(["sqlite", "postgresql", "mysql"]);
    expect(sqlDialect("sqlserver")).toBeUndefined();
    expect(sqlDialect(undefined)).toBeUndefined();
  });

  it("quotes identifiers per dialect, doubling a quote inside", () => {
    expect(quoteIdentifier("sqlite", 'a"b')).toBe('"a""b"');
    expect(quoteIdentifier("postgresql", "Account")).toBe('"Account"');
    expect(quoteIdentifier("mysql", "a`b")).toBe("`a``b`");
  });

  it("numbers PostgreSQL's placeholders and keeps every value out of the text", () => {
    const pg = new SqlParams("postgresql");
    expect([pg.add("x"), pg.add(null), pg.add(7)]).toEqual(["$1", "$2", "$3"]);
    expect(pg.values).toEqual(["x", null, 7]);
    const sqlite = new SqlParams("sqlite");
    expect([sqlite.add("y"), sqlite.add("z")]).toEqual(["?", "?"]);
  });

  it("compares null-safely in each dialect", () => {
    expect(nullSafeEquals("sqlite", "a", "b")).toBe("a IS b");
    expect(nullSafeEquals("postgresql", "a", "b")).toBe("a IS NOT DISTINCT FROM b");
    expect(nullSafeEquals("mysql", "a", "b")).toBe("a <=> b");
  });
});

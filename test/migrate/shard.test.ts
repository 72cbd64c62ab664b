/**
 * The shard queries as SQL text (src/migrate/shard.ts), without a database: the shard expression of each
 * key kind in each dialect, quoting, placeholders, the cursor, and every refusal. What the queries
 * return on real databases is tested in shard-pages-suite.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_SHARDS } from "../../src/migrate/options.js";
import { parseShard, shardPageQuery, shardSupport, type ShardModel } from "../../src/migrate/shard.js";
import { thrownVaultError } from "../support/errors.js";
import { modelOf, testSchema } from "../support/datamodel.js";

const schema = testSchema();
const account = modelOf(schema, "Account");
const ledger = modelOf(schema, "Ledger");
const voucher = modelOf(schema, "Voucher");
const ticket = modelOf(schema, "Ticket");

/** A model of its own: key fields and their types, columns named as the fields unless given. */
function keyed(
  types: Record<string, string>,
  extra: { table?: string; columns?: Record<string, string> } = {},
): ShardModel {
  return {
    name: "Thing",
    table: extra.table ?? "Thing",
    primaryKey: Object.keys(types),
    columns: new Map(Object.keys(types).map((f) => [f, extra.columns?.[f] ?? f])),
    fieldTypes: new Map(Object.entries(types)),
  };
}

describe("parseShard", () => {
  it("reads i/n as [i, n] for every 0 <= i < n <= MAX_SHARDS", () => {
    expect(parseShard("1/3")).toEqual([1, 3]);
    expect(parseShard("0/1")).toEqual([0, 1]);
    expect(parseShard(`${MAX_SHARDS - 1}/${MAX_SHARDS}`)).toEqual([MAX_SHARDS - 1, MAX_SHARDS]);
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: MAX_SHARDS })
          .chain((n) => fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.constant(n))),
        ([i, n]) => {
          expect(parseShard(`${i}/${n}`)).toEqual([i, n]);
        },
      ),
    );
  });

  it.each([
    "3/3",
    "4/3",
    "-1/3",
    "1/0",
    "0/0",
    `0/${MAX_SHARDS + 1}`,
    "1/",
    "/3",
    "1",
    "a/b",
    " 1/3",
    "1/3 ",
    "1.0/3",
    "1/3/5",
    "",
  ])("refuses %j with a VaultConfigError saying the form and range", (text) => {
    const error = thrownVaultError(() => parseShard(text));
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.message).toContain(`0 <= i < n <= ${MAX_SHARDS}`);
    expect(error.message).toContain(`(got ${JSON.stringify(text)})`);
  });

  it("cuts a long input in its message", () => {
    const error = thrownVaultError(() => parseShard("9".repeat(200)));
    expect(error.message).toContain(`(got "${"9".repeat(40)}…")`);
  });
});

describe("shardSupport", () => {
  it("gives the dialect of each supported provider for Int, BigInt, String and compound keys", () => {
    for (const provider of ["sqlite", "postgresql", "mysql"]) {
      for (const model of [account, ledger, voucher, ticket])
        expect(shardSupport(model, provider)).toBe(provider);
    }
  });

  it("refuses an unknown database, naming the model, and an unknown one pointing at the generator", () => {
    expect(thrownVaultError(() => shardSupport(account, "sqlserver"))).toMatchObject({
      code: "VAULT_CONFIG",
      model: "Account",
      message: expect.stringContaining("cannot shard on a sqlserver database") as unknown,
    });
    expect(thrownVaultError(() => shardSupport(account, undefined)).message).toContain("vaultSchema");
  });

  it.each(["DateTime", "Decimal", "Bytes", "Float", "Boolean", "Role"])(
    "refuses a %s key field before any row is read, naming model and field",
    (type) => {
      for (const model of [keyed({ at: type }), keyed({ id: "Int", at: type })]) {
        const error = thrownVaultError(() => shardSupport(model, "postgresql"));
        expect(error).toMatchObject({ code: "VAULT_CONFIG", model: "Thing", field: "at" });
        expect(error.message).toContain(`cannot shard by a ${type} primary key field`);
      }
    },
  );

  it("refuses a model without a primary key", () => {
    expect(thrownVaultError(() => shardSupport(keyed({}), "sqlite"))).toMatchObject({
      code: "VAULT_CONFIG",
      model: "Thing",
      message: expect.stringContaining("without a primary key") as unknown,
    });
  });
});

describe("shardPageQuery", () => {
  it("an Int key: ((v % n) + n) % n, the first page without a cursor", () => {
    const id = '"Account"."id"';
    expect(shardPageQuery("sqlite", account, [1, 3], undefined, 50)).toEqual({
      sql: `SELECT ${id} AS "id" FROM "Account" WHERE (((${id} % 3) + 3) % 3) = 1 ORDER BY ${id} ASC LIMIT 50`,
      params: [],
    });
  });

  it("a BigInt key after a cursor binds the key as $1 on PostgreSQL and is read as text", () => {
    const id = '"Ticket"."id"';
    expect(shardPageQuery("postgresql", ticket, [0, 7], { id: -5n }, 20)).toEqual({
      sql:
        `SELECT CAST(${id} AS TEXT) AS "id" FROM "Ticket" WHERE (((${id} % 7) + 7) % 7) = 0 AND ${id} > $1 ` +
        `ORDER BY ${id} ASC LIMIT 20`,
      params: [-5n],
    });
    expect(shardPageQuery("mysql", ticket, [0, 7], undefined, 20).sql).toMatch(
      /^SELECT CAST\(`Ticket`.`id` AS CHAR\) AS `id` FROM/,
    );
  });

  it("a String key on a mapped column: the code of its last character in each dialect, aliased to the field", () => {
    const code = '"Voucher"."voucher_code"';
    expect(shardPageQuery("sqlite", voucher, [2, 3], { code: "a" }, 9).sql).toBe(
      `SELECT ${code} AS "code" FROM "Voucher" WHERE (coalesce(unicode(substr(${code}, -1)), 0) % 3) = 2 ` +
        `AND ${code} > ? ORDER BY ${code} ASC LIMIT 9`,
    );
    expect(shardPageQuery("postgresql", voucher, [2, 3], { code: "a" }, 9).sql).toBe(
      `SELECT ${code} AS "code" FROM "Voucher" WHERE (coalesce(ascii(right(${code}, 1)), 0) % 3) = 2 ` +
        `AND ${code} > $1 ORDER BY ${code} ASC LIMIT 9`,
    );
    const mysql = "`Voucher`.`voucher_code`";
    expect(shardPageQuery("mysql", voucher, [2, 3], { code: "a" }, 9)).toEqual({
      sql:
        `SELECT ${mysql} AS \`code\` FROM \`Voucher\` WHERE (coalesce(ORD(RIGHT(${mysql}, 1)), 0) % 3) = 2 ` +
        `AND ${mysql} > ? ORDER BY ${mysql} ASC LIMIT 9`,
      params: ["a"],
    });
  });

  it("a compound key on a mapped table: the sum of its fields' shards % n, compared as a row value", () => {
    const [tenant, seq] = ['"ledger_entries"."tenantId"', '"ledger_entries"."seq_no"'];
    expect(shardPageQuery("postgresql", ledger, [3, 7], { tenantId: "t", seq: -4 }, 10)).toEqual({
      sql:
        `SELECT ${tenant} AS "tenantId", ${seq} AS "seq" FROM "ledger_entries" ` +
        `WHERE ((coalesce(ascii(right(${tenant}, 1)), 0) % 7) + (((${seq} % 7) + 7) % 7)) % 7 = 3 ` +
        `AND (${tenant}, ${seq}) > ($1, $2) ORDER BY ${tenant} ASC, ${seq} ASC LIMIT 10`,
      params: ["t", -4],
    });
    expect(shardPageQuery("mysql", ledger, [3, 7], { tenantId: "t", seq: -4 }, 10).sql).toContain(
      "AND (`ledger_entries`.`tenantId`, `ledger_entries`.`seq_no`) > (?, ?) " +
        "ORDER BY `ledger_entries`.`tenantId` ASC, `ledger_entries`.`seq_no` ASC LIMIT 10",
    );
  });

  it("columns are qualified by their table, so a field named like another column never stands for it", () => {
    // Field a lives in column b and field b in column a: a bare "b" in ORDER BY would be field b's alias.
    const swapped = keyed({ a: "Int", b: "Int" }, { columns: { a: "b", b: "a" } });
    expect(shardPageQuery("sqlite", swapped, [0, 1], { a: 1, b: 2 }, 5)).toEqual({
      sql:
        'SELECT "Thing"."b" AS "a", "Thing"."a" AS "b" FROM "Thing" ' +
        'WHERE (((("Thing"."b" % 1) + 1) % 1) + ((("Thing"."a" % 1) + 1) % 1)) % 1 = 0 ' +
        'AND ("Thing"."b", "Thing"."a") > (?, ?) ORDER BY "Thing"."b" ASC, "Thing"."a" ASC LIMIT 5',
      params: [1, 2],
    });
  });

  it("key values travel as parameters, never in the SQL; identifiers have their quotes doubled", () => {
    const odd = keyed({ 'we"ird': "String", "ti`ck": "Int" }, { table: 'Tab"le`s' });
    const after = { 'we"ird': "x' OR 1=1 --", "ti`ck": 3 };
    const sqlite = shardPageQuery("sqlite", odd, [0, 2], after, 5);
    expect(sqlite.sql).toContain('FROM "Tab""le`s"');
    expect(sqlite.sql).toContain('"Tab""le`s"."we""ird" AS "we""ird", "Tab""le`s"."ti`ck" AS "ti`ck"');
    expect(sqlite.sql).not.toContain("OR 1=1");
    expect(sqlite.params).toEqual(["x' OR 1=1 --", 3]);
    const mysql = shardPageQuery("mysql", odd, [0, 2], after, 5);
    expect(mysql.sql).toContain('FROM `Tab"le``s`');
    expect(mysql.sql).toContain('`Tab"le``s`.`we"ird` AS `we"ird`, `Tab"le``s`.`ti``ck` AS `ti``ck`');
  });

  it("refuses a shard outside 0 <= i < n <= MAX_SHARDS, naming the model", () => {
    for (const shard of [
      [3, 3],
      [-1, 3],
      [0, 0],
      [0, MAX_SHARDS + 1],
      [0.5, 2],
    ] as const) {
      expect(thrownVaultError(() => shardPageQuery("sqlite", account, shard, undefined, 5))).toMatchObject({
        code: "VAULT_CONFIG",
        model: "Account",
      });
    }
  });

  it("refuses an unshardable key the same way as shardSupport", () => {
    expect(
      thrownVaultError(() => shardPageQuery("sqlite", keyed({ at: "DateTime" }), [0, 2], undefined, 5)),
    ).toMatchObject({
      code: "VAULT_CONFIG",
      field: "at",
    });
  });

  it("Precondition: a page holds at least one row, and the cursor row holds every key field", () => {
    for (const take of [0, -1, 1.5, NaN]) {
      expect(() => shardPageQuery("sqlite", account, [0, 2], undefined, take)).toThrow(RangeError);
    }
    expect(() => shardPageQuery("sqlite", ledger, [0, 2], { tenantId: "t" }, 5)).toThrow(
      'the cursor row has no value for key field "seq"',
    );
    expect(() => shardPageQuery("sqlite", ledger, [0, 2], { tenantId: "t", seq: null }, 5)).toThrow(
      RangeError,
    );
  });
});

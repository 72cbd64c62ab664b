/**
 * Sharded key pages (src/migrate/shard-pages.ts) on a real database, run per target by
 * shard-pages-{sqlite,postgres,mariadb}.test.ts. For every key kind (Int with negative values, BigInt
 * beyond 2^53, String with empty and non-ASCII keys, a compound key on a mapped table and column) and
 * n in {1, 3, 7}: paging every shard to its end gives disjoint sets whose union is every row exactly
 * once, each page in the database's key order after its cursor, and each row in the shard that an
 * oracle computed here, apart from the SQL, assigns it.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { keyOrder } from "../../src/migrate/cursor.js";
import { shardKeys } from "../../src/migrate/shard-pages.js";
import { vault } from "../../src/prisma/extension.js";
import { handleOf, type VaultHandle } from "../../src/client/handle.js";
import type { ModelSchema } from "../../src/schema/model-schema.js";
import type { Row } from "../../src/schema/options.js";
import { useTestDatabase, type Target } from "../support/databases.js";

/** Small pages, so every shard takes several. */
const TAKE = 16;
const SHARD_COUNTS = [1, 3, 7] as const;

/**
 * Distinct under MariaDB's utf8mb4_unicode_ci too, which folds case and accents ("e" = "é") and
 * weighs every character outside the BMP alike: keys equal there could not both be in a primary key.
 */
const NON_ASCII = ["naïve", "Ångström", "über", "ключ", "tail-🔑", "🔑-head", "名前", "日本"];
const CJK = Array.from({ length: 40 }, (_, k) => `鍵${String.fromCodePoint(0x4e00 + k * 37)}`);
const strings = (prefix: string, count: number) => [
  "",
  ...NON_ASCII,
  ...CJK,
  ...Array.from({ length: count }, (_, k) => `${prefix}${String(k).padStart(3, "0")}`),
];

interface Case {
  readonly model: string;
  /** The rows written, through the plain client. */
  readonly rows: readonly Row[];
}

const CASES: readonly Case[] = [
  {
    model: "Account",
    // No 0 (see Ticket), and gaps.
    rows: [...range(-150, -1), ...range(1, 260).filter((id) => id % 13 !== 0)].map((id) => ({
      id,
      organizationId: "org",
      email: "stored",
    })),
  },
  {
    model: "Ticket",
    rows: [
      // Not 0: MySQL stores 0 in an AUTO_INCREMENT column as the next generated id.
      ...range(-60, 60)
        .filter((k) => k !== 0)
        .map((k) => BigInt(k) * 2n ** 56n + BigInt(k * 7)),
      2n ** 63n - 1n,
      -(2n ** 63n),
    ].map((id) => ({ id, label: "t" })),
  },
  { model: "Organization", rows: strings("org_", 200).map((id) => ({ id, name: "o" })) },
  { model: "Voucher", rows: strings("v-", 150).map((code) => ({ code, organizationId: "org" })) },
  {
    model: "Ledger",
    rows: ["", "t-a", "t-b", "租户", "tenant-é", "Z"].flatMap((tenantId) =>
      range(-20, 20).map((seq) => ({ tenantId, seq })),
    ),
  },
];

type Delegate = {
  createMany(args: { data: readonly Row[] }): Promise<unknown>;
  findMany(args: object): Promise<Row[]>;
};

export function shardPagesSuite(target: Target): void {
  const { database, generated } = useTestDatabase(target);
  const keys = new LocalKeyProvider({ keys: [{ id: "k1", key: randomBytes(32) }] });
  const handle = (): VaultHandle =>
    handleOf(database().plain.$extends(vault({ keys, schema: generated(), indexSecret: randomBytes(32) })));

  /** Seeds `model` and returns its schema and every key, in the order Prisma's findMany gives them. */
  const seeded = async (entry: Case) => {
    const plain = database().plain as unknown as Record<string, Delegate>;
    const delegate = plain[entry.model.charAt(0).toLowerCase() + entry.model.slice(1)]!;
    await delegate.createMany({ data: entry.rows });
    const vaultHandle = handle();
    const model = vaultHandle.schema.models.get(entry.model) as ModelSchema;
    const select = Object.fromEntries(model.primaryKey.map((field) => [field, true]));
    const all = await delegate.findMany({ select, orderBy: keyOrder(model.primaryKey) });
    // The table holds exactly the keys written, typed as written.
    expect(new Set(all.map((row) => keyText(model, row)))).toEqual(
      new Set(entry.rows.map((row) => keyText(model, row))),
    );
    const position = new Map(all.map((row, at) => [keyText(model, row), at]));
    return { handle: vaultHandle, model, all, position };
  };

  describe(`shard pages on ${target}`, () => {
    it.each(CASES.map((entry) => [entry.model, entry] as const))(
      "%s: every shard of n in {1, 3, 7} paged to its end covers every row exactly once, in key order, each in its own shard",
      async (_name, entry) => {
        const { handle: vaultHandle, model, all, position } = await seeded(entry);
        expect(all.length).toBeGreaterThan(100);
        for (const n of SHARD_COUNTS) {
          const shardOf = new Map<string, number>();
          for (let i = 0; i < n; i++) {
            let after: Row | undefined;
            for (;;) {
              const page = await shardKeys(vaultHandle, model, [i, n], after, TAKE);
              expect(page.length).toBeLessThanOrEqual(TAKE);
              let previous = after === undefined ? -1 : position.get(keyText(model, after))!;
              for (const row of page) {
                const at = position.get(keyText(model, row));
                // The row is one of the table's, its key typed as findMany types it.
                expect(at, keyText(model, row)).toBeDefined();
                expect(row).toEqual(all[at!]);
                // In key order, after the cursor.
                expect(at).toBeGreaterThan(previous);
                previous = at!;
                // Never another shard's row, and never a row that an earlier shard returned.
                expect(oracleShard(target, model, row, n), keyText(model, row)).toBe(i);
                expect(shardOf.has(keyText(model, row))).toBe(false);
                shardOf.set(keyText(model, row), i);
              }
              if (page.length < TAKE) break;
              after = page.at(-1);
            }
          }
          expect(shardOf.size).toBe(all.length);
          // A split where some shard is empty would cover the rows, but not share the work.
          expect(new Set(shardOf.values()).size).toBe(n);
        }
      },
    );

    it.each(CASES.map((entry) => [entry.model, entry] as const))(
      "%s: a page after any key, of this shard or another, is exactly the next rows of its shard",
      async (_name, entry) => {
        const { handle: vaultHandle, model, all } = await seeded(entry);
        const n = 3;
        for (const start of [0, 1, 2, Math.floor(all.length / 2), all.length - 2, all.length - 1]) {
          const after = all[start]!;
          for (let i = 0; i < n; i++) {
            const expected = all
              .slice(start + 1)
              .filter((row) => oracleShard(target, model, row, n) === i)
              .slice(0, TAKE);
            expect(await shardKeys(vaultHandle, model, [i, n], after, TAKE)).toEqual(expected);
          }
        }
      },
    );
  });
}

/**
 * The shard of a key, computed apart from the SQL: integers `((v % n) + n) % n`, strings the code of
 * their last character (the code point on SQLite and PostgreSQL, the UTF-8 bytes read as one big-endian
 * number by MySQL's ORD), compound keys the sum of their parts `% n`.
 */
function oracleShard(target: Target, model: ModelSchema, row: Row, n: number): number {
  const parts = model.primaryKey.map((field) => {
    const value = row[field];
    if (typeof value === "string") {
      const last = [...value].at(-1);
      if (last === undefined) return 0;
      const code =
        target === "mariadb"
          ? new TextEncoder().encode(last).reduce((sum, byte) => sum * 256 + byte, 0)
          : last.codePointAt(0)!;
      return code % n;
    }
    const big = BigInt(value as number | bigint);
    return Number(((big % BigInt(n)) + BigInt(n)) % BigInt(n));
  });
  return parts.reduce((sum, part) => sum + part, 0) % n;
}

/** A key as text, its values' types included (7 and 7n are different keys to findMany's callers). */
function keyText(model: ModelSchema, row: Row): string {
  return JSON.stringify(model.primaryKey.map((field) => [typeof row[field], String(row[field])]));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, k) => from + k);
}

/**
 * The Prisma 8 cases of `npm run bench` (issue 30), on PostgreSQL: findMany and createMany of 10,000
 * rows over 10 tenants, each row with 3 encrypted text fields (email, ssn, notes) under organizationId,
 * through four clients in the same run (bench/prisma8/variants.ts):
 *   (1) Prisma 8 plain, on a plaintext table of the same shape;
 *   (2) Prisma 8 with `vaultMiddleware`;
 *   (3) Prisma 7 with `vault()`, on the same columns;
 *   and Prisma 8 and Prisma 7 plain reading or writing the encrypted table's own rows as text
 *   (envelopes): the cost of rows that wide by themselves, which (2)/(1) includes, and of each Prisma.
 * Reported: each client's median, (2)/(1), (2)/(3), (2) and (3) over their Prisma's rows as text, and
 * (2)'s difference per encrypted value in µs. createMany is `createAndCount` on Prisma 8 (a count, like Prisma 7's
 * `createMany`); `createAll` returns the rows, like Prisma 7's `createManyAndReturn`, and (2) then opens
 * what it just sealed. Both are sent in chunks of at most {@link CHUNK} rows, identically for every
 * client: Prisma 8 sends one INSERT per call, and PostgreSQL takes at most 65,535 bound values.
 *
 * Skipped, with the reason, where Prisma 8 cannot run (Node < 22.18, compat/prisma8 not installed,
 * PostgreSQL not answering; test/prisma8/support/prisma8-skip.ts).
 *
 *   npm run bench                                     (after the Prisma 7 cases)
 *   npx tsx bench/prisma8.ts [--rows 10000] [--rounds 5] [--smoke] [--aead auto|node|native]
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { alignedTable } from "../src/cli/summary.js";
import type { AeadChoice } from "../src/crypto/aead.js";
import { assertPrisma8Runs, Prisma8Skip } from "../test/prisma8/support/prisma8-skip.js";
import { measureSides, ms, type Side } from "./measure.js";
import type { Prisma8Variants } from "./prisma8/variants.js";

const TENANTS = 10;
/** Columns a row binds (organizationId, name, email, ssn, notes), and so the rows a statement may hold. */
const COLUMNS = 5;
export const CHUNK = Math.floor(65_535 / COLUMNS);

/** One case's medians (ms) per client, and its ratios. */
export interface Prisma8Line {
  readonly case: string;
  readonly plainMs: number;
  readonly textMs: number;
  readonly vaultMs: number;
  readonly prisma7Ms: number;
  /** (2)/(1): Prisma 8 with the middleware over Prisma 8 plain. */
  readonly ratioPlain: number;
  /** (2)/(3): Prisma 8 with the middleware over Prisma 7 with vault(). */
  readonly ratioPrisma7: number;
  /** Prisma 7 plain on the encrypted table's rows as text. */
  readonly prisma7TextMs: number;
  /** (2) over Prisma 8 plain on the encrypted table's rows as text. */
  readonly ratioText: number;
  /** (3) over Prisma 7 plain on the encrypted table's rows as text. */
  readonly ratioPrisma7Text: number;
  /** (2)'s time over the rows as text, per encrypted value, in µs. */
  readonly perValueUs: number;
}

type SideName = "plain" | "text" | "vault" | "prisma7" | "prisma7Text";

interface Prisma8Case {
  readonly name: string;
  /** Encrypted values one run of (2) seals or opens. */
  readonly values: number;
  readonly sides: Record<SideName, Side>;
}

/** Runs the cases and prints their table; returns their lines, or why they were skipped. */
export async function benchPrisma8(options: {
  readonly rows: number;
  readonly rounds: number;
  readonly aead: AeadChoice;
}): Promise<Prisma8Line[] | { readonly skipped: string }> {
  let variants: Prisma8Variants;
  try {
    assertPrisma8Runs();
    // Only now: src/prisma8 loads @prisma/orm-postgres, which needs the Node just checked.
    const { prisma8Variants } = await import("./prisma8/variants.js");
    variants = await prisma8Variants(options.aead);
  } catch (error) {
    if (!(error instanceof Prisma8Skip)) throw error;
    console.log(`\nprisma 8: skipped (${error.message})`);
    return { skipped: error.message };
  }
  try {
    const rows = Array.from({ length: options.rows }, (_, i) => ({
      organizationId: `org_${i % TENANTS}`,
      name: `n${i}`,
      email: `user${i}@example.com`,
      ssn: `123-45-${String(i).padStart(4, "0")}`,
      notes: `note ${i}`,
    }));
    const stored = await fill(variants, rows);
    console.log(
      `\nprisma 8: PostgreSQL, Prisma 8 (@prisma/orm-postgres ${versionOf("@prisma/orm-postgres")}) against Prisma 7 (@prisma/client ${versionOf("@prisma/client")}), ${rows.length} rows over ${TENANTS} tenants, 3 encrypted fields a row, median of ${options.rounds} rounds, interleaved, aead ${variants.middleware.stats().aead}`,
    );
    const table = [
      [
        "case",
        "(1) P8 plain",
        "P8 as text",
        "(2) P8 vault",
        "(3) P7 vault",
        "P7 as text",
        "(2)/(1)",
        "(2)/(3)",
        "(2)/P8 text",
        "(3)/P7 text",
        "µs/value",
      ],
    ];
    const lines: Prisma8Line[] = [];
    for (const c of cases(variants, rows, stored)) {
      const t = await measureSides(c.sides, options.rounds);
      const line: Prisma8Line = {
        case: c.name,
        plainMs: t.plain,
        textMs: t.text,
        vaultMs: t.vault,
        prisma7Ms: t.prisma7,
        prisma7TextMs: t.prisma7Text,
        ratioPlain: t.vault / t.plain,
        ratioPrisma7: t.vault / t.prisma7,
        ratioText: t.vault / t.text,
        ratioPrisma7Text: t.prisma7 / t.prisma7Text,
        perValueUs: ((t.vault - t.text) * 1000) / c.values,
      };
      lines.push(line);
      const times = [t.plain, t.text, t.vault, t.prisma7, t.prisma7Text].map(ms);
      const ratios = [line.ratioPlain, line.ratioPrisma7, line.ratioText, line.ratioPrisma7Text];
      table.push([c.name, ...times, ...ratios.map((r) => `${r.toFixed(2)}×`), line.perValueUs.toFixed(2)]);
    }
    for (const line of alignedTable(table)) console.log(line);
    console.log(
      "(1) Prisma 8 plain on the plaintext twin; (2) Prisma 8 with vaultMiddleware; (3) Prisma 7 with vault(); P8/P7 as text: that Prisma, plain, on the encrypted table's stored rows; µs/value: (2) over P8 as text, per encrypted value",
    );
    return lines;
  } finally {
    await variants.close();
  }
}

type Row = Readonly<Record<string, unknown>>;

function cases(v: Prisma8Variants, rows: readonly Row[], stored: readonly Row[]): Prisma8Case[] {
  const narrow = ["id", "email", "ssn", "notes"];
  const narrow7 = { id: true, email: true, ssn: true, notes: true };
  const count = rows.length;
  return [
    {
      name: `findMany ${count} rows`,
      values: count * 3,
      sides: {
        plain: read(() => v.plain.PlainUser.all()),
        text: read(() => v.plain.User.all()),
        vault: read(() => v.vault.all()),
        prisma7: read(() => v.prisma7.findMany()),
        prisma7Text: read(() => v.prisma7Text.findMany()),
      },
    },
    {
      // Without organizationId selected, each encrypted column carries it (json_build_array) on Prisma 8;
      // Prisma 7's vault() selects it beside them and drops it from the result.
      name: `findMany ${count} rows, select id + encrypted fields`,
      values: count * 3,
      sides: {
        plain: read(() => v.plain.PlainUser.select(...narrow).all()),
        text: read(() => v.plain.User.select(...narrow).all()),
        vault: read(() => v.vault.select(...narrow).all()),
        prisma7: read(() => v.prisma7.findMany({ select: narrow7 })),
        prisma7Text: read(() => v.prisma7Text.findMany({ select: narrow7 })),
      },
    },
    {
      name: `createMany ${count} rows (P8 createAndCount)`,
      values: count * 3,
      sides: {
        plain: write("p8.PlainUser", rows, (c) => v.plain.PlainUser.createAndCount(c)),
        text: write("p8.User", stored, (c) => v.plain.User.createAndCount(c)),
        vault: write("p8.User", rows, (c) => v.vault.createAndCount(c)),
        prisma7: write("p7.User", rows, (c) => v.prisma7.createMany({ data: c })),
        prisma7Text: write("p7.User", stored, (c) => v.prisma7Text.createMany({ data: c })),
      },
    },
    {
      name: `createAll ${count} rows, returning them (P7 createManyAndReturn)`,
      values: count * 3,
      sides: {
        plain: write("p8.PlainUser", rows, (c) => v.plain.PlainUser.createAll(c)),
        text: write("p8.User", stored, (c) => v.plain.User.createAll(c)),
        vault: write("p8.User", rows, (c) => v.vault.createAll(c)),
        prisma7: write("p7.User", rows, (c) => v.prisma7.createManyAndReturn({ data: c })),
        prisma7Text: write("p7.User", stored, (c) => v.prisma7Text.createManyAndReturn({ data: c })),
      },
    },
  ];

  function read(query: () => PromiseLike<unknown>): Side {
    return { run: async () => void (await query()) };
  }
  function write(
    table: Parameters<Prisma8Variants["empty"]>[0],
    data: readonly Row[],
    send: (chunk: Row[]) => PromiseLike<unknown>,
  ): Side {
    return {
      reset: () => v.empty(table),
      run: async () => {
        for (let at = 0; at < data.length; at += CHUNK) await send(data.slice(at, at + CHUNK));
      },
    };
  }
}

/**
 * Fills the three tables the read cases read (PlainUser with plaintext, User of each database through its
 * shell), checks that (2) and (3) read back what was written and that the database holds no plaintext,
 * and returns the encrypted table's rows as stored (for the "as text" writes).
 */
async function fill(v: Prisma8Variants, rows: readonly Row[]): Promise<Row[]> {
  for (let at = 0; at < rows.length; at += CHUNK) {
    const chunk = rows.slice(at, at + CHUNK);
    await v.plain.PlainUser.createAndCount(chunk);
    await v.vault.createAndCount(chunk);
    await v.prisma7.createMany({ data: chunk });
  }
  const want = rows
    .map((r) => r["email"])
    .sort()
    .join();
  for (const [name, read] of [
    ["Prisma 8 with vaultMiddleware", () => v.vault.all()],
    ["Prisma 7 with vault()", () => v.prisma7.findMany()],
  ] as const) {
    const got = (await read())
      .map((r) => r["email"])
      .sort()
      .join();
    if (got !== want) throw new Error(`${name} did not read back the rows it wrote`);
  }
  const stored = (await v.plain.User.all()).map(({ id: _id, ...row }) => row);
  if (
    stored.some(
      (row) => String(row["email"]).includes("@example.com") || String(row["notes"]).startsWith("note "),
    )
  ) {
    throw new Error("the encrypted table holds plaintext");
  }
  return stored;
}

function versionOf(name: string): string {
  const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      rows: { type: "string", default: "10000" },
      rounds: { type: "string", default: "5" },
      smoke: { type: "boolean", default: false },
      aead: { type: "string", default: "auto" },
    },
  });
  const smoke = values.smoke === true;
  await benchPrisma8({
    rows: smoke ? 200 : Number(values.rows),
    rounds: smoke ? 1 : Number(values.rounds),
    aead: values.aead as AeadChoice,
  });
}

/**
 * `npm run bench --prefix bench/peers`: plain Prisma, prisma-field-encryption and prisma-vault on one
 * Prisma 6.15 client (Rust-free, better-sqlite3 adapter), one SQLite file, the same rows: 3 short
 * encrypted strings a row over 10 tenants. Every case runs its sides interleaved in this one process,
 * round after round after a warm-up; the table gives medians, each side's ratio to plain, and
 * prisma-vault's ratio to prisma-field-encryption. Also written to bench/peers/results.json.
 *
 *   npm run bench --prefix bench/peers [-- --rows 10000 --rounds 5]
 *
 * Wall-clock figures on a shared machine are noisy: compare ratios, and rerun before concluding.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { accountRows, peerCases } from "./cases.js";
import { openSides } from "./clients.js";
import { interleave } from "./measure.js";
import { json, linesOf, machine, table, type Line } from "./report.js";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "10000" }, rounds: { type: "string", default: "5" } },
});
const ROWS = positive("--rows", values.rows);
const ROUNDS = positive("--rounds", values.rounds);

const dir = mkdtempSync(join(tmpdir(), "prisma-vault-peers-"));
const opened = await openSides(join(dir, "peers.db"));
try {
  const host = machine();
  const versions = {
    ...Object.fromEntries(
      ["prisma", "@prisma/client", "@prisma/adapter-better-sqlite3", "prisma-field-encryption"].map(
        (name) => [name, versionOf(`node_modules/${name}`)],
      ),
    ),
    "prisma-vault": `${versionOf("../..")} (${sourceState()})`,
  };
  console.log(
    `${ROWS} rows × 3 encrypted fields, 10 tenants, ${ROUNDS} rounds after a warm-up; ` +
      `${host.cpu}, ${host.cores} cores, Node ${host.node}; ` +
      Object.entries(versions)
        .map(([name, version]) => `${name} ${version}`)
        .join(", "),
  );

  const lines: Line[] = [];
  for (const c of peerCases(accountRows(ROWS), opened)) {
    const timings = await interleave(opened.sides, ROUNDS, c);
    await c.after?.();
    lines.push(...linesOf(c, timings));
  }

  console.log(`\n${table(lines).join("\n")}`);
  const run = { date: new Date().toISOString(), rows: ROWS, rounds: ROUNDS, versions, machine: host };
  const out = new URL("results.json", import.meta.url);
  writeFileSync(out, json(run, lines));
  console.log(`\nwritten to ${out.pathname}`);
} finally {
  await opened.base.$disconnect();
  rmSync(dir, { recursive: true, force: true });
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes a whole number ≥ 1, not "${text}"`);
  return n;
}

function versionOf(dir: string): string {
  const manifest = new URL(`${dir}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

/** The commit src/ was measured at: the bench imports prisma-vault from source, uncommitted edits included. */
function sourceState(): string {
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: new URL(".", import.meta.url), encoding: "utf8" }).trim();
  try {
    const commit = git("rev-parse", "--short", "HEAD");
    return git("status", "--porcelain", "--", "../../src") === ""
      ? `src at ${commit}`
      : `src at ${commit} + edits`;
  } catch {
    return "src, commit unknown";
  }
}

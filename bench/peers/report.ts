/**
 * The benchmark's output: a table of medians with each side's ratio to plain Prisma and prisma-vault's
 * ratio to prisma-field-encryption, the machine it ran on, and the same figures as JSON.
 *
 * @example console.log(table(lines).join("\n")); writeFileSync("results.json", json(run, lines));
 */
import { cpus } from "node:os";
import type { SideName } from "./clients.js";
import type { Case } from "./cases.js";
import { median, percentile, type SideTimings, type Timings } from "./measure.js";

/** One line of the table: a figure per side that ran, in `unit`. */
export interface Line {
  readonly case: string;
  /** What the figures are: the median of the rounds, or a percentile over every call of every round. */
  readonly metric: "median" | "p50 per call" | "p99 per call";
  readonly unit: "ms" | "µs";
  readonly values: Readonly<Partial<Record<SideName, number>>>;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
}

export function machine(): Machine {
  const all = cpus();
  return { cpu: all[0]?.model.trim() ?? "unknown", cores: all.length, node: process.version };
}

/** A case's lines: the median round, and for loops of calls the p50 and p99 of one call. */
export function linesOf(c: Case, timings: Timings): Line[] {
  const per = (pick: (t: SideTimings) => number) =>
    Object.fromEntries([...timings].map(([side, t]) => [side, pick(t)])) as Line["values"];
  const lines: Line[] = [
    { case: c.name, metric: "median", unit: "ms", values: per((t) => median(t.rounds)) },
  ];
  if (c.calls > 1) {
    for (const p of [50, 99] as const) {
      const values = per((t) => percentile(t.calls, p) * 1_000);
      lines.push({ case: c.name, metric: `p${p} per call`, unit: "µs", values });
    }
  }
  return lines;
}

const TITLES: Readonly<Record<SideName, string>> = {
  plain: "plain",
  peer: "prisma-field-encryption",
  vault: "prisma-vault",
  native: "prisma-vault native",
};

/** The ratios shown, as [numerator, denominator]: `vault/peer` is the comparison this bench is for. */
const RATIOS: readonly (readonly [SideName, SideName])[] = [
  ["peer", "plain"],
  ["vault", "plain"],
  ["vault", "peer"],
  ["native", "plain"],
  ["native", "peer"],
];

export function table(lines: readonly Line[]): string[] {
  const present = (side: SideName) => lines.every((line) => line.values[side] !== undefined);
  const sides = (Object.keys(TITLES) as SideName[]).filter(present);
  const ratios = RATIOS.filter(([a, b]) => present(a) && present(b));
  const rows = [
    ["case", ...sides.map((side) => TITLES[side]), ...ratios.map(([a, b]) => `${a}/${b}`)],
    ...lines.map(({ case: name, metric, unit, values }) => [
      metric === "median" ? name : `  ${metric}`,
      ...sides.map((side) => figure(values[side]!, unit)),
      ...ratios.map(([a, b]) => `${(values[a]! / values[b]!).toFixed(2)}×`),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "),
  );
}

export interface RunInfo {
  readonly date: string;
  readonly rows: number;
  readonly rounds: number;
  readonly versions: Readonly<Record<string, string>>;
  readonly machine: Machine;
}

export function json(run: RunInfo, lines: readonly Line[]): string {
  const cases = lines.map(({ case: name, metric, unit, values }) => ({
    case: name,
    metric,
    unit,
    values,
    ratios: Object.fromEntries(
      RATIOS.filter(([a, b]) => values[a] !== undefined && values[b] !== undefined).map(([a, b]) => [
        `${a}/${b}`,
        values[a]! / values[b]!,
      ]),
    ),
  }));
  return `${JSON.stringify({ ...run, cases }, (_, v: unknown) => (typeof v === "number" ? round(v) : v), 2)}\n`;
}

const figure = (value: number, unit: string) => `${value.toFixed(value < 100 ? 2 : 1)} ${unit}`;
const round = (value: number) => Math.round(value * 1_000) / 1_000;

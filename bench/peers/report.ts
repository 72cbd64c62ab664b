/**
 * The benchmark's output: a table of medians with each side's ratio to plain Prisma and prisma-vault's
 * ratio to prisma-field-encryption, the machine it ran on, and the same figures as JSON.
 *
 * @example console.log(table(lines).join("\n")); writeFileSync("results.json", json(run, lines));
 */
import { cpus } from "node:os";
import type { SideName } from "./clients.js";
import type { Case } from "./cases.js";
import { median, percentile, type Timings } from "./measure.js";

/** One line of the table: a figure per side, in `unit`. */
export interface Line {
  readonly case: string;
  /** What the figures are: the median of the rounds, or a percentile over every call of every round. */
  readonly metric: "median" | "p50 per call" | "p99 per call";
  readonly unit: "ms" | "µs";
  readonly values: Readonly<Record<SideName, number>>;
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
  const per = (pick: (t: Timings[SideName]) => number) => ({
    plain: pick(timings.plain),
    peer: pick(timings.peer),
    vault: pick(timings.vault),
  });
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

export function table(lines: readonly Line[]): string[] {
  const rows = [
    ["case", "plain", "prisma-field-encryption", "prisma-vault", "peer/plain", "vault/plain", "vault/peer"],
    ...lines.map(({ case: name, metric, unit, values: { plain, peer, vault } }) => [
      metric === "median" ? name : `  ${metric}`,
      figure(plain, unit),
      figure(peer, unit),
      figure(vault, unit),
      ratio(peer / plain),
      ratio(vault / plain),
      ratio(vault / peer),
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
    ratios: {
      peerToPlain: round(values.peer / values.plain),
      vaultToPlain: round(values.vault / values.plain),
      vaultToPeer: round(values.vault / values.peer),
    },
  }));
  return `${JSON.stringify({ ...run, cases }, (_, v: unknown) => (typeof v === "number" ? round(v) : v), 2)}\n`;
}

const figure = (value: number, unit: string) => `${value.toFixed(value < 100 ? 2 : 1)} ${unit}`;
const ratio = (value: number) => `${value.toFixed(2)}×`;
const round = (value: number) => Math.round(value * 1_000) / 1_000;

/**
 * Runs a case on every side in turn, round after round (plain, peer, vault, plain, peer, vault, …) after
 * one warm-up round, so that drift on a shared machine (another process, a GC, thermal state) falls on
 * all sides alike. Each run times itself and returns its samples in ms: one for a single query, one
 * per call for a loop of calls, so that per-call percentiles are possible.
 *
 * @example const timings = await interleave(sides, 5, (side) => timed(() => side.account.findMany()));
 */
import { performance } from "node:perf_hooks";
import type { Side, SideName } from "./clients.js";

/** A side's samples: `rounds[r]` is the sum of round r's samples, `calls` all samples pooled. */
export interface SideTimings {
  readonly rounds: number[];
  readonly calls: number[];
}

/** Every side's samples, for the sides that ran. */
export type Timings = ReadonlyMap<SideName, SideTimings>;

export interface CaseRun {
  /** Untimed set-up before each run of one side (emptying its table). */
  readonly prepare?: (side: Side, round: number) => Promise<void>;
  /** The timed work: returns its samples in ms. */
  readonly run: (side: Side, round: number) => Promise<readonly number[]>;
}

export async function interleave(sides: readonly Side[], rounds: number, work: CaseRun): Promise<Timings> {
  const timings = new Map<SideName, SideTimings>(sides.map((side) => [side.name, { rounds: [], calls: [] }]));
  // Round 0 is the warm-up: JIT, the statement cache, prisma-vault's data-key cache. Not recorded.
  for (let round = 0; round <= rounds; round++) {
    for (const side of sides) {
      await work.prepare?.(side, round);
      const samples = await work.run(side, round);
      if (round === 0) continue;
      const mine = timings.get(side.name)!;
      mine.rounds.push(samples.reduce((sum, sample) => sum + sample, 0));
      mine.calls.push(...samples);
    }
  }
  return timings;
}

/** Times one awaited call. */
export async function timed(call: () => Promise<unknown>): Promise<number[]> {
  const start = performance.now();
  await call();
  return [performance.now() - start];
}

/** Times each of `count` calls on its own, one after the other. */
export async function timedEach(count: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await call(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

/** The middle value (the mean of the two middle ones for an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of the values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

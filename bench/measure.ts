/**
 * How the bench times a case: one warm-up round, then `rounds` rounds of plain Prisma and prisma-vault
 * interleaved (plain, vault, plain, vault …) so a slow moment of the machine hits both sides; medians,
 * and per-call percentiles for the cases that time single calls.
 */

/** One side of a case: what it runs, and what runs before each round (emptying a table a create fills). */
export interface Side {
  readonly run: () => Promise<unknown>;
  readonly reset?: () => Promise<void>;
}

/** The medians of both sides, in ms, and every round's time. */
export interface Timing {
  readonly plain: number;
  readonly vault: number;
}

/** Runs both sides `rounds` times after a warm-up round each, interleaved; returns the medians. */
export async function measurePair(plain: Side, vault: Side, rounds: number): Promise<Timing> {
  const times = { plain: [] as number[], vault: [] as number[] };
  for (let round = 0; round <= rounds; round++) {
    for (const [side, which] of [
      [plain, "plain"],
      [vault, "vault"],
    ] as const) {
      await side.reset?.();
      const started = performance.now();
      await side.run();
      if (round > 0) times[which].push(performance.now() - started);
    }
  }
  return { plain: median(times.plain), vault: median(times.vault) };
}

/**
 * Runs every side `rounds` times after a warm-up round, interleaved, and returns each side's median in
 * ms, by name. The order rotates by one side each round (a, b, c; b, c, a; …), so no side always runs
 * right after the same one (and its garbage, or its warm caches in the database).
 */
export async function measureSides<Name extends string>(
  sides: Readonly<Record<Name, Side>>,
  rounds: number,
): Promise<Record<Name, number>> {
  const names = Object.keys(sides) as Name[];
  const times = new Map<Name, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round <= rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length] as Name;
      const side = sides[name];
      await side.reset?.();
      const started = performance.now();
      await side.run();
      if (round > 0) times.get(name)?.push(performance.now() - started);
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(times.get(name) ?? [])])) as Record<
    Name,
    number
  >;
}

/** Times each call of `calls` (after one warm-up pass), interleaving plain and vault call by call. */
export async function measureCalls(
  calls: number,
  plain: (i: number) => Promise<unknown>,
  vault: (i: number) => Promise<unknown>,
): Promise<{ plain: number[]; vault: number[] }> {
  for (let i = 0; i < Math.min(calls, 50); i++) {
    await plain(i);
    await vault(i);
  }
  const out = { plain: [] as number[], vault: [] as number[] };
  for (let i = 0; i < calls; i++) {
    let started = performance.now();
    await plain(i);
    out.plain.push(performance.now() - started);
    started = performance.now();
    await vault(i);
    out.vault.push(performance.now() - started);
  }
  return out;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The `p`th percentile (nearest rank) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 1 ? 3 : 1)} ms`;
}

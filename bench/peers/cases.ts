/**
 * The benchmark's cases, in the order they run. `createMany` runs first and leaves every table holding
 * the same rows (each side's own encoding of them), which the read and update cases then use.
 *
 * @example for (const c of peerCases(data, sides)) timings.set(c.name, await interleave(sides, 5, c));
 */
import { strict as assert } from "node:assert";
import type { AccountData, Side, SideName, Sides } from "./clients.js";
import { timed, timedEach, type CaseRun } from "./measure.js";

export interface Case extends CaseRun {
  readonly name: string;
  /** Calls per run: more than one means per-call percentiles are reported. */
  readonly calls: number;
  /** Runs once after the case (checks, reading the ids the next cases use). */
  readonly after?: () => Promise<void>;
}

export const LOOKUPS = 1_000;
export const UPDATES = 200;
const TENANTS = 10;

/** `count` rows over 10 tenants, three short encrypted strings each. */
export function accountRows(count: number): AccountData[] {
  return Array.from({ length: count }, (_, i) => ({
    organizationId: `org_${i % TENANTS}`,
    email: `user${i}@example.com`,
    phone: `+1555${String(i).padStart(7, "0")}`,
    handle: `h${i}`,
  }));
}

export function peerCases(rows: readonly AccountData[], { base, sides, empty }: Sides): Case[] {
  // Each side's rows by position in `rows` (ids differ per side: every createMany round refills).
  const stored = new Map<SideName, { id: number; organizationId: string }[]>();
  const at = (side: Side, i: number) => stored.get(side.name)![(i * 7919) % rows.length]!;

  return [
    {
      name: `createMany ${rows.length}`,
      calls: 1,
      prepare: (side) => empty(side),
      run: (side) => timed(() => side.account.createMany({ data: rows })),
      after: async () => {
        for (const side of sides) {
          stored.set(side.name, await side.account.findMany({ select: { id: true, organizationId: true } }));
          await checkRoundTrip(side, rows);
          if (side.name === "plain") continue;
          const [first] = await base.$queryRawUnsafe<{ email: string }[]>(
            `SELECT "email" FROM "${side.table}" LIMIT 1`,
          );
          assert.notEqual(first?.email, rows[0]?.email, `${side.name} stores no plaintext`);
        }
      },
    },
    {
      name: `findMany ${rows.length}`,
      calls: 1,
      run: async (side) => {
        let count = 0;
        const samples = await timed(async () => (count = (await side.account.findMany()).length));
        assert.equal(count, rows.length, `${side.name} findMany returned ${count} rows`);
        return samples;
      },
    },
    {
      name: `findUnique ×${LOOKUPS}`,
      calls: LOOKUPS,
      run: (side) => timedEach(LOOKUPS, (i) => side.account.findUnique({ where: { id: at(side, i).id } })),
    },
    {
      name: `update by id ×${UPDATES}`,
      calls: UPDATES,
      run: (side, round) =>
        timedEach(UPDATES, (i) =>
          side.account.update({ where: { id: at(side, i + LOOKUPS).id }, data: changed(round, i) }),
        ),
    },
    {
      // The multi-tenant form: prisma-vault sends it as it is, with no read of the row's context first.
      name: `update by id+tenant ×${UPDATES}`,
      calls: UPDATES,
      run: (side, round) =>
        timedEach(UPDATES, (i) =>
          side.account.update({ where: at(side, i + LOOKUPS), data: changed(round, i) }),
        ),
    },
  ];
}

const changed = (round: number, i: number) => ({
  email: `r${round}u${i}@example.org`,
  phone: `+1666${String(i).padStart(7, "0")}`,
  handle: `r${round}h${i}`,
});

/** Every side reads back what it wrote. */
async function checkRoundTrip(side: Side, rows: readonly AccountData[]): Promise<void> {
  const read = await side.account.findMany();
  assert.deepEqual(
    read.map(({ organizationId, email, phone, handle }) => ({ organizationId, email, phone, handle })),
    rows,
    `${side.name} reads back the rows it wrote`,
  );
}

/**
 * The migration cases of `npm run bench`: `encrypt` (plaintext → envelopes, 3 fields and 3 blind
 * indexes a row) and then `rotate` of the same rows, on SQLite and PostgreSQL, at 20,000 rows over 20
 * tenants, and at 200,000 too with `--large` (throughput should stay linear: rows/s within 20%).
 * Each line: rows/s, time and key-provider calls, then the process's peak RSS; the read floor is a
 * plain Prisma read of the same rows in the same pages, for scale. Each migration runs beside an HTTP
 * server in the same process (bench/event-loop.ts): the event loop's delay meanwhile (p50, p99, max)
 * and the p99 round trip of the requests it answered; on SQLite, whose driver answers queries at
 * once, the delay is the longest stretch of work the engine does without a turn (goal: p99 under
 * 50 ms).
 *
 *   npm run bench -- --large
 *   npx tsx bench/migrations.ts [--large]   (these cases alone)
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { alignedTable } from "../src/cli/summary.js";
import { LocalKeyProvider, migrate, vault } from "../src/index.js";
import type { MigrationMode } from "../src/migrate/migration-mode.js";
import { openDatabase, type TestDatabase } from "../test/support/databases.js";
import { seedAccounts, TENANTS } from "../test/support/volume.js";
import { besideHttpServer, type LoopFigures } from "./event-loop.js";

const BATCH_SIZE = 500;
const TARGETS = { sqlite: 10_000, postgres: 5_000 } as const; // encrypt rows/s this machine should reach
/** The event loop's delay p99 a migration on SQLite should stay under, in ms. */
const LOOP_P99_GOAL = 50;
type Target = keyof typeof TARGETS;

export interface MigrationLine {
  readonly target: Target;
  readonly rows: number;
  readonly mode: MigrationMode | "read floor";
  readonly ms: number;
  readonly calls: number;
  /** Beside an HTTP server in the same process (migrations, not the read floor). */
  readonly loop?: LoopFigures;
}

/** Runs the migration cases and prints their table; PostgreSQL is skipped, said so, when absent. */
export async function benchMigrations(options: {
  readonly large: boolean;
  readonly smoke?: boolean;
}): Promise<MigrationLine[]> {
  await loadSchemas();
  const sizes = options.smoke ? [500] : options.large ? [20_000, 200_000] : [20_000];
  console.log(
    `\nmigrations: Account (3 encrypted fields, 3 blind indexes), ${TENANTS} tenants, batches of ${BATCH_SIZE}, local key ring`,
  );
  const lines: MigrationLine[] = [];
  for (const target of Object.keys(TARGETS) as Target[]) {
    for (const rows of sizes) {
      const opened = await openDatabase(target);
      if ("skip" in opened) {
        console.log(`${target}: skipped (${opened.skip})`);
        break;
      }
      try {
        lines.push(...(await benchOne(opened, target, rows)));
      } finally {
        await opened.close();
      }
    }
  }
  const table = [
    [
      "database",
      "rows",
      "case",
      "time",
      "rows/s",
      "key calls",
      "loop p50",
      "loop p99",
      "loop max",
      "HTTP p99",
    ],
  ];
  const delay = (value: number | undefined) => (value === undefined ? "" : `${value.toFixed(1)} ms`);
  for (const line of lines) {
    table.push([
      line.target,
      line.rows.toLocaleString("en"),
      line.mode,
      `${(line.ms / 1000).toFixed(2)} s`,
      Math.round(line.rows / (line.ms / 1000)).toLocaleString("en"),
      line.mode === "read floor" ? "" : String(line.calls),
      delay(line.loop?.loopP50),
      delay(line.loop?.loopP99),
      delay(line.loop?.loopMax),
      delay(line.loop?.requestP99),
    ]);
  }
  for (const row of alignedTable(table)) console.log(row);
  for (const target of options.smoke ? [] : (Object.keys(TARGETS) as Target[])) {
    const encrypts = lines.filter((l) => l.target === target && l.mode === "encrypt");
    if (encrypts.length === 0) continue;
    const rates = encrypts.map((l) => l.rows / (l.ms / 1000));
    const linear =
      rates.length > 1
        ? `; 200k/20k rows/s ratio ${((rates[1] as number) / (rates[0] as number)).toFixed(2)}`
        : "";
    const best = Math.round(Math.max(...rates));
    const met = best >= TARGETS[target] ? "met" : "NOT met";
    console.log(
      `${target}: encrypt ${best.toLocaleString("en")} rows/s, target ${TARGETS[target].toLocaleString("en")} ${met}${linear}`,
    );
  }
  const sqliteLoops = lines.filter((l) => l.target === "sqlite" && l.loop !== undefined);
  if (!options.smoke && sqliteLoops.length > 0) {
    const worst = Math.max(...sqliteLoops.map((l) => l.loop?.loopP99 ?? 0));
    const met = worst < LOOP_P99_GOAL ? "met" : "NOT met";
    console.log(
      `sqlite: event-loop delay p99 at most ${worst.toFixed(1)} ms beside an HTTP server, goal under ${LOOP_P99_GOAL} ms ${met}`,
    );
  }
  console.log(
    `peak RSS of the process through these cases: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
  );
  return lines;
}

async function benchOne(db: TestDatabase, target: Target, rows: number): Promise<MigrationLine[]> {
  await seedAccounts(db.plain, target, rows);
  const keys = new LocalKeyProvider({ keys: [{ id: "bench", key: LocalKeyProvider.generateKey() }] });
  const lines: MigrationLine[] = [{ target, rows, mode: "read floor", ms: await readFloor(db), calls: 0 }];
  for (const mode of ["encrypt", "rotate"] as const) {
    // A client per run, so each starts with a cold data-key cache as a new process would.
    const client = db.plain.$extends(vault({ keys, schema: generatedSchema(target), indexSecret }));
    const { result, figures } = await besideHttpServer(async () => {
      const started = performance.now();
      const report = await migrate(client, { mode, models: ["Account"], batchSize: BATCH_SIZE });
      return { report, ms: performance.now() - started };
    });
    const { report, ms } = result;
    const model = report.models[0];
    if (model?.updated !== rows || model.failedTotal !== 0)
      throw new Error(`${target} ${mode}: expected ${rows} rows updated, got ${JSON.stringify(model)}`);
    const { provider } = client.$vault.stats();
    lines.push({
      target,
      rows,
      mode,
      ms,
      calls: provider.createDataKey + provider.decryptDataKey,
      loop: figures,
    });
  }
  return lines;
}

/** A plain Prisma read of every row in primary-key pages of the batch size: the floor of any pass. */
async function readFloor(db: TestDatabase): Promise<number> {
  const started = performance.now();
  let after: number | undefined;
  for (;;) {
    const page = await db.plain.account.findMany({
      take: BATCH_SIZE,
      orderBy: { id: "asc" },
      ...(after !== undefined && { cursor: { id: after }, skip: 1 }),
    });
    if (page.length === 0) break;
    after = page.at(-1)?.id;
  }
  return performance.now() - started;
}

const indexSecret = Buffer.alloc(32, 7);
const schemas: Partial<Record<Target, object>> = {};
function generatedSchema(target: Target) {
  const schema = schemas[target];
  if (!schema) throw new Error(`load the ${target} schema first`);
  return schema as never;
}

/** Loads the generator's schemas of the targets (test/generated/<target>/vault). */
async function loadSchemas(): Promise<void> {
  for (const target of Object.keys(TARGETS) as Target[]) {
    const { vaultSchema } = (await import(`../test/generated/${target}/vault/index.js`)) as {
      vaultSchema: object;
    };
    schemas[target] = vaultSchema;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { large: { type: "boolean", default: false } } });
  await benchMigrations({ large: values.large === true });
}

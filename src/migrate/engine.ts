/**
 * The engine every mode shares: pages of a model's rows in primary-key order, each processed by the
 * mode's step and written with conditional updates in one batch transaction, `concurrency` pages at
 * a time. A row a live application changed in between is a conflict: re-read and processed again, a
 * bounded number of times. After each batch commits, the checkpoint records the key up to which
 * every row is committed (pages may finish out of order; only the committed prefix counts).
 */
import { isVaultError } from "../errors.js";
import type { VaultHandle } from "../client/handle.js";
import type { ModelSchema } from "../schema/model-schema.js";
import type { Row } from "../schema/options.js";
import { pkEquals, rowId } from "../schema/rows.js";
import { admittedWrites } from "./admitted-writes.js";
import { countRows, readPages, readRows, writeBatch } from "./batches.js";
import type { Checkpoint } from "./checkpoint.js";
import { conditionalUpdate } from "./conditional-update.js";
import { afterKey } from "./cursor.js";
import type { MigrateSettings } from "./options.js";
import { MAX_LISTED_FAILURES, type MigrationFailedValue, type MigrationModelReport } from "./report.js";
import type { MigrationStep, RowOutcome } from "./step.js";
import { nextTurn, processInTurns } from "./turns.js";

/** How often a row that keeps changing under the migration is re-read before it is reported. */
export const CONFLICT_RETRIES = 3;

export interface ModelRun {
  readonly handle: VaultHandle;
  readonly model: ModelSchema;
  readonly step: MigrationStep;
  readonly settings: MigrateSettings;
  readonly checkpoint: Checkpoint | undefined;
}

/** Migrates one model; returns its report, `interrupted` when the signal stopped it. */
export async function migrateModel(
  run: ModelRun,
): Promise<{ report: MigrationModelReport; interrupted: boolean }> {
  const { handle, model, step, settings, checkpoint } = run;
  const started = performance.now();
  const counts = new Counts(settings.mode === "verify");
  const resumeAt = checkpoint?.resumePoint(model.name);
  if (resumeAt === "done") return { report: counts.report(model.name, started), interrupted: false };
  const where = resumeAt ? { AND: [step.where, afterKey(model.primaryKey, resumeAt)] } : step.where;
  // With a shard, the table's count over n: an estimate for progress, the shard is not counted in SQL.
  const all = await countRows(handle, model, where);
  const total = settings.shard ? Math.ceil(all / settings.shard[1]) : all;
  const progress = () =>
    settings.onProgress({ mode: settings.mode, model: model.name, total, ...counts.progress() });
  progress();

  const window = new CommitWindow(settings.concurrency);
  let failure: { error: unknown } | undefined;
  let interrupted = false;
  const pages = readPages(handle, model, {
    where: step.where,
    select: step.select,
    batchSize: settings.batchSize,
    after: resumeAt,
    shard: settings.shard,
  });
  for await (const page of pages) {
    if (failure) break;
    if (settings.signal?.aborted) {
      interrupted = true;
      break;
    }
    const last = pkEquals(model, page.at(-1) as Row);
    const work = processPage(run, page, counts).then(
      () => {
        progress();
      },
      (error: unknown) => {
        failure ??= { error };
      },
    );
    await window.add(work, last, (key) => {
      if (!failure && !settings.dryRun) checkpoint?.advance(model.name, key);
    });
    // A synchronous driver (better-sqlite3) resolves every query at once, so without turns of the
    // event loop a whole run is one chain of microtasks: signals, timers and progress never run. This
    // one puts the next page's read in a turn of its own (not after a write that ended the wait
    // above); processInTurns and processRows give the loop turns within a page (turns.ts).
    await nextTurn();
  }
  await window.drain((key) => {
    if (!failure && !settings.dryRun) checkpoint?.advance(model.name, key);
  });
  if (failure) throw failure.error;
  if (settings.signal?.aborted) interrupted = true;
  if (!interrupted) checkpoint?.finish(model.name);
  return { report: counts.report(model.name, started), interrupted };
}

/**
 * Processes and writes one page; rows in conflict are re-read and retried. An error other than
 * prisma-vault's own (a database's, which may quote a value) leaves with the page's values cut out.
 */
async function processPage(run: ModelRun, page: readonly Row[], counts: Counts): Promise<void> {
  const written = new Set<string>();
  try {
    await processRows(run, page, counts, written);
  } catch (error) {
    if (isVaultError(error)) throw error;
    throw run.handle.redact(error, secretsOf(run.model, page, written));
  }
}

/** The strings a page read from its encrypted fields and the values it was writing, longest first. */
function secretsOf(model: ModelSchema, rows: readonly Row[], written: ReadonlySet<string>): string[] {
  const out = new Set<string>([...written].filter((text) => text !== ""));
  for (const row of rows) {
    for (const field of model.encrypted.values()) {
      const value = row[field.name];
      if (typeof value === "string" && value !== "") out.add(value);
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
}

async function processRows(
  run: ModelRun,
  page: readonly Row[],
  counts: Counts,
  written: Set<string>,
): Promise<void> {
  const { handle, model, step, settings } = run;
  let rows: readonly Row[] = page;
  for (let attempt = 0; rows.length > 0; attempt++) {
    const outcomes = admittedWrites(model, step.writes, await processInTurns(model, step, rows));
    const writes = outcomes.filter(
      (o): o is RowOutcome & Required<Pick<RowOutcome, "write">> => o.write !== undefined,
    );
    for (const { write } of writes) {
      for (const value of Object.values(write.data)) if (typeof value === "string") written.add(value);
    }
    // The write (its statements and commit, at once on a synchronous driver) in a turn of its own.
    if (!settings.dryRun && writes.length > 0) await nextTurn();
    const changed = settings.dryRun
      ? writes.map(() => 1)
      : await writeBatch(
          handle,
          model,
          writes.map((o) => conditionalUpdate(model, o.row, o.write.expected, o.write.data)),
        );
    const conflicted = writes.filter((_, i) => changed[i] === 0).map((o) => o.row);
    const again = new Set(conflicted);
    for (const outcome of outcomes) {
      // A conflicted row's counts come from its next attempt.
      if (again.has(outcome.row)) continue;
      counts.add(outcome);
    }
    counts.updated += changed.filter((count) => count > 0).length;
    counts.conflicts += conflicted.length;
    if (conflicted.length === 0) break;
    if (attempt === CONFLICT_RETRIES) {
      for (const row of conflicted) {
        const field = Object.keys(outcomes.find((o) => o.row === row)?.write?.data ?? {})[0] ?? "";
        counts.fail({ id: rowId(model, row), field, code: "MIGRATION_CONFLICT" });
      }
      break;
    }
    rows = await readRows(handle, model, step.select, conflicted);
  }
  // Counted when done, so progress reports finished pages.
  counts.scanned += page.length;
}

/**
 * Pages in flight, at most `size`, and the commit order: a page's last key is handed to `commit` only
 * when it and every page before it have finished.
 */
class CommitWindow {
  readonly #size: number;
  readonly #queue: { done: boolean; key: Row; work: Promise<void> }[] = [];

  constructor(size: number) {
    this.#size = size;
  }

  async add(work: Promise<void>, key: Row, commit: (key: Row) => void): Promise<void> {
    const entry = { done: false, key, work };
    void work.then(() => {
      entry.done = true;
    });
    this.#queue.push(entry);
    while (this.#queue.filter((e) => !e.done).length >= this.#size) {
      await Promise.race(this.#queue.filter((e) => !e.done).map((e) => e.work));
      // Let the `done` flags of settled pages be set.
      await Promise.resolve();
    }
    this.#flush(commit);
  }

  async drain(commit: (key: Row) => void): Promise<void> {
    await Promise.all(this.#queue.map((e) => e.work));
    await Promise.resolve();
    this.#flush(commit);
  }

  #flush(commit: (key: Row) => void): void {
    let last: Row | undefined;
    while (this.#queue[0]?.done) last = this.#queue.shift()?.key;
    if (last) commit(last);
  }
}

/** A model's counters. */
class Counts {
  scanned = 0;
  updated = 0;
  skipped = 0;
  conflicts = 0;
  plaintext = 0;
  staleIndexes = 0;
  failedTotal = 0;
  readonly failed: MigrationFailedValue[] = [];
  readonly #verify: boolean;

  constructor(verify: boolean) {
    this.#verify = verify;
  }

  add(outcome: RowOutcome): void {
    this.skipped += outcome.skipped;
    this.plaintext += outcome.plaintext ?? 0;
    this.staleIndexes += outcome.staleIndexes ?? 0;
    for (const failure of outcome.failed) this.fail(failure);
  }

  fail(failure: MigrationFailedValue): void {
    this.failedTotal++;
    if (this.failed.length < MAX_LISTED_FAILURES) this.failed.push(failure);
  }

  progress() {
    const { scanned, updated, skipped, conflicts } = this;
    return { scanned, updated, skipped, conflicts, failed: this.failedTotal };
  }

  report(model: string, started: number): MigrationModelReport {
    return {
      model,
      scanned: this.scanned,
      updated: this.updated,
      skipped: this.skipped,
      conflicts: this.conflicts,
      failed: [...this.failed],
      failedTotal: this.failedTotal,
      ...(this.#verify && { plaintext: this.plaintext, staleIndexes: this.staleIndexes }),
      durationMs: Math.round(performance.now() - started),
    };
  }
}

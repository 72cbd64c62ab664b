/**
 * Collects, row by row, what a mode decided for a batch: the fields to set (each with the value it
 * replaces, so the write applies only while the row still holds what was read), and the counts.
 */
import type { Row } from "../schema/options.js";
import type { MigrationFailedValue } from "./report.js";
import type { RowOutcome } from "./step.js";

interface Pending {
  expected: Record<string, unknown>;
  data: Record<string, unknown>;
  skipped: number;
  failed: MigrationFailedValue[];
  plaintext: number;
  staleIndexes: number;
}

export class RowWrites {
  readonly #rows: readonly Row[];
  readonly #pending: Pending[];

  /** `failed[i]`: failures already known for row i (a missing context). */
  constructor(rows: readonly Row[], failed: readonly (readonly MigrationFailedValue[])[] = []) {
    this.#rows = rows;
    this.#pending = rows.map((_, i) => ({
      expected: {},
      data: {},
      skipped: 0,
      failed: [...(failed[i] ?? [])],
      plaintext: 0,
      staleIndexes: 0,
    }));
  }

  /** Sets `field` of row `at` to `value`, provided it still holds what was read (`null` if nothing). */
  set(at: number, field: string, value: unknown): void {
    const pending = this.#at(at);
    pending.expected[field] = this.#rows[at]?.[field] ?? null;
    pending.data[field] = value;
  }

  /** Makes the write of row `at` also depend on `field` still holding `value` (a field it reads, not sets). */
  expect(at: number, field: string, value: unknown): void {
    this.#at(at).expected[field] = value;
  }

  skip(at: number): void {
    this.#at(at).skipped++;
  }

  fail(at: number, failure: MigrationFailedValue): void {
    this.#at(at).failed.push(failure);
  }

  /** `verify`'s counts. */
  count(at: number, what: "plaintext" | "staleIndexes"): void {
    this.#at(at)[what]++;
  }

  outcomes(): RowOutcome[] {
    return this.#pending.map((p, i) => ({
      row: this.#rows[i] as Row,
      ...(Object.keys(p.data).length > 0 && { write: { expected: p.expected, data: p.data } }),
      skipped: p.skipped,
      failed: p.failed,
      ...(p.plaintext > 0 && { plaintext: p.plaintext }),
      ...(p.staleIndexes > 0 && { staleIndexes: p.staleIndexes }),
    }));
  }

  #at(at: number): Pending {
    const pending = this.#pending[at];
    // Precondition: `at` is the index of a row of the batch.
    if (pending === undefined) throw new RangeError(`no row ${at} in this batch`);
    return pending;
  }
}

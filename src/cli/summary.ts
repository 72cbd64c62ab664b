/**
 * Pure: the summary of a migration report as printed by `prisma-vault migrate`: a table of counts
 * per model, rows (scanned, updated, conflicts) and values (skipped, failed, and `verify`'s plaintext
 * and stale-index counts when the report has them) under their own headings, then the
 * values that failed, by model, field and primary key (never a value), then how the run ended.
 */
import { describeId } from "../error-messages.js";
import type { MigrationModelReport, MigrationReport } from "../migrate/report.js";

const LISTED_FAILURES = 20;

type Column = readonly [header: string, cell: (model: MigrationModelReport) => number];

// Rows and values are counted apart: a row holds several encrypted values, so the two never add up.
const ROW_COLUMNS: readonly Column[] = [
  ["scanned", (m) => m.scanned],
  ["updated", (m) => m.updated],
  ["conflicts", (m) => m.conflicts],
];
const VALUE_COLUMNS: readonly Column[] = [
  ["skipped", (m) => m.skipped],
  // The total: the listed failures are bounded, the count is not.
  ["failed", (m) => m.failedTotal],
];
const VERIFY_COLUMNS: readonly Column[] = [
  ["plaintext", (m) => m.plaintext ?? 0],
  ["stale indexes", (m) => m.staleIndexes ?? 0],
];

/**
 * @example summary(report)
 * //          rows                        values
 * // model    scanned  updated  conflicts  skipped  failed
 * // Account     1000     1000          0        0       0
 * // done in 1.2 s
 */
export function summary(report: MigrationReport): string {
  const verifies =
    report.mode === "verify" ||
    report.models.some((m) => m.plaintext !== undefined || m.staleIndexes !== undefined);
  const values = verifies ? [...VALUE_COLUMNS, ...VERIFY_COLUMNS] : VALUE_COLUMNS;
  const columns = [...ROW_COLUMNS, ...values];
  const table = alignedTable([
    ["model", ...columns.map(([header]) => header)],
    ...report.models.map((m) => [m.model, ...columns.map(([, cell]) => String(cell(m)))]),
  ]);
  const lines = [groupHeadings(table[0] ?? "", ["rows", "values"]), ...table];
  const failures = report.models.flatMap((m) => m.failed.map((f) => ({ model: m.model, ...f })));
  const listed = failures.slice(0, LISTED_FAILURES);
  for (const f of listed) lines.push(`failed: ${f.model}.${f.field} (id ${describeId(f.id)}): ${f.code}`);
  const total = report.models.reduce((sum, m) => sum + Math.max(m.failedTotal, m.failed.length), 0);
  if (total > listed.length) lines.push(`… and ${total - listed.length} more failures`);
  if (report.models.length === 0) {
    lines.push(report.mode === "index" ? "no model has a blind index to fill" : "no model to migrate");
  }
  lines.push(ending(report));
  return `${lines.join("\n")}\n`;
}

/**
 * A line above `header` with each heading over its group's first column: the columns after the first
 * are split in order, the first heading over the first group's. Column headers hold no two spaces in a row.
 */
function groupHeadings(header: string, headings: readonly [rows: string, values: string]): string {
  const starts = [...header.matchAll(/ {2,}(?=\S)/g)].map((gap) => gap.index + gap[0].length);
  const [rows = 0, values = rows] = [starts[0], starts[ROW_COLUMNS.length]];
  return `${" ".repeat(rows)}${headings[0].padEnd(values - rows)}${headings[1]}`;
}

function ending(report: MigrationReport): string {
  const seconds = (report.durationMs / 1000).toFixed(1);
  if (report.interrupted) {
    const where = report.checkpoint === undefined ? "" : `: ${report.checkpoint} records what committed`;
    return `interrupted after ${seconds} s${where}`;
  }
  return report.dryRun ? `dry run in ${seconds} s: nothing was written` : `done in ${seconds} s`;
}

/**
 * Rows of cells as aligned text lines: the first column left-aligned, the others (numbers) right-aligned.
 *
 * @example alignedTable([["model", "rows"], ["Account", "12"]]) // ["model    rows", "Account    12"]
 */
export function alignedTable(rows: readonly (readonly string[])[]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)));
  return rows.map((row) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "),
  );
}

/**
 * Pure: the summary of a migration report as printed by `prisma-vault migrate`: a table of counts
 * per model, then the values that failed, by model, field and primary key (never a value).
 */
import { describeId } from "../error-messages.js";
import type { MigrationReport } from "../migrate/report.js";

const COLUMNS = ["scanned", "updated", "skipped", "conflicts", "failed"] as const;
const LISTED_FAILURES = 20;

/**
 * @example summary(report)
 * // model    scanned  updated  skipped  conflicts  failed
 * // Account     1000     1000        0          0       0
 */
export function summary(report: MigrationReport): string {
  const rows = [
    ["model", ...COLUMNS],
    ...report.models.map((m) => [
      m.model,
      ...COLUMNS.map((column) => String(column === "failed" ? m.failed.length : m[column])),
    ]),
  ];
  const lines = alignedTable(rows);
  const failures = report.models.flatMap((m) => m.failed.map((f) => ({ model: m.model, ...f })));
  for (const f of failures.slice(0, LISTED_FAILURES)) {
    lines.push(`failed: ${f.model}.${f.field} (id ${describeId(f.id)}): ${f.code}`);
  }
  if (failures.length > LISTED_FAILURES)
    lines.push(`… and ${failures.length - LISTED_FAILURES} more failures`);
  if (report.models.length === 0) lines.push("no model has a blind index to fill");
  const seconds = (report.durationMs / 1000).toFixed(1);
  lines.push(report.dryRun ? `dry run in ${seconds} s: nothing was written` : `done in ${seconds} s`);
  return `${lines.join("\n")}\n`;
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

/**
 * Pure: a migration report as `prisma-vault migrate --json` prints it. JSON has no bigint and no
 * bytes, so primary keys of those types become strings (bigint in decimal, bytes in base64); dates
 * and decimals use their own `toJSON`. The report holds no value, key or ciphertext to begin with.
 */
import type { MigrationReport } from "../migrate/report.js";

/**
 * @example
 * reportJson({ mode: "index", dryRun: false, interrupted: false, models: [], durationMs: 3 });
 * // '{\n  "mode": "index",\n  …\n}\n'
 */
export function reportJson(report: MigrationReport): string {
  return `${JSON.stringify(report, jsonSafe, 2)}\n`;
}

function jsonSafe(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  // The holder's own value: a Buffer's toJSON has already turned `value` into { type, data }.
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString("base64");
  return value;
}

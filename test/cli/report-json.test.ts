import { describe, expect, it } from "vitest";
import { reportJson } from "../../src/cli/report-json.js";
import type { MigrationReport } from "../../src/migrate/report.js";

const report = (id: unknown): MigrationReport => ({
  mode: "verify",
  dryRun: false,
  interrupted: false,
  models: [
    {
      model: "User",
      scanned: 3,
      updated: 0,
      skipped: 0,
      conflicts: 0,
      failed: [{ id, field: "ssn", code: "VAULT_DECRYPT_FAILED" }],
      failedTotal: 1,
      plaintext: 2,
      staleIndexes: 0,
      durationMs: 5,
    },
  ],
  durationMs: 7,
});

const idOf = (text: string): unknown =>
  (JSON.parse(text) as { models: [{ failed: [{ id: unknown }] }] }).models[0].failed[0].id;

describe("reportJson", () => {
  it("is the report itself, as indented JSON ending in a newline", () => {
    const text = reportJson(report(42));
    expect(text.endsWith("}\n")).toBe(true);
    expect(text).toContain('\n  "mode": "verify"');
    expect(JSON.parse(text)).toEqual(report(42));
  });

  it("bigint keys become decimal strings, also inside compound keys", () => {
    expect(idOf(reportJson(report(12345678901234567890n)))).toBe("12345678901234567890");
    expect(idOf(reportJson(report({ tenant: "t", n: 7n })))).toEqual({ tenant: "t", n: "7" });
  });

  it("byte keys become base64, whether Uint8Array or Buffer", () => {
    expect(idOf(reportJson(report(new Uint8Array([1, 2, 255]))))).toBe("AQL/");
    expect(idOf(reportJson(report(Buffer.from([1, 2, 255]))))).toBe("AQL/");
  });

  it("dates use their ISO form", () => {
    expect(idOf(reportJson(report(new Date("2024-01-02T03:04:05Z"))))).toBe("2024-01-02T03:04:05.000Z");
  });
});

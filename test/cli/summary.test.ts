import { describe, expect, it } from "vitest";
import { alignedTable, summary } from "../../src/cli/summary.js";
import type { MigrationModelReport, MigrationReport } from "../../src/migrate/report.js";

function modelReport(model: string, counts: Partial<MigrationModelReport> = {}): MigrationModelReport {
  const failedTotal = counts.failed?.length ?? 0;
  return {
    model,
    scanned: 0,
    updated: 0,
    skipped: 0,
    conflicts: 0,
    failed: [],
    failedTotal,
    durationMs: 0,
    ...counts,
  };
}

function report(
  models: readonly MigrationModelReport[],
  extra: Partial<MigrationReport> = {},
): MigrationReport {
  return { mode: "index", dryRun: false, interrupted: false, models, durationMs: 1234, ...extra };
}

describe("summary", () => {
  it("prints a table of counts per model, rows and values under their own headings, then failures and the time", () => {
    const failed = [{ id: 3, field: "email", code: "VAULT_DECRYPT_FAILED" as const }];
    const text = summary(
      report([
        modelReport("Account", { scanned: 1000, updated: 998, skipped: 1, failed }),
        modelReport("User"),
      ]),
    );
    expect(text).toBe(
      [
        "         rows                         values",
        "model    scanned  updated  conflicts  skipped  failed",
        "Account     1000      998          0        1       1",
        "User           0        0          0        0       0",
        "failed: Account.email (id 3): VAULT_DECRYPT_FAILED",
        "done in 1.2 s",
        "",
      ].join("\n"),
    );
  });

  it("a dry run says that nothing was written", () => {
    expect(summary(report([modelReport("Account")], { dryRun: true, durationMs: 50 }))).toMatch(
      /\ndry run in 0\.1 s: nothing was written\n$/,
    );
  });

  it("a run over no model says that no model has a blind index to fill", () => {
    expect(summary(report([], { durationMs: 0 }))).toBe(
      "       rows                         values\nmodel  scanned  updated  conflicts  skipped  failed\nno model has a blind index to fill\ndone in 0.0 s\n",
    );
  });

  it("names a failure by model, field and primary key: strings quoted, compound keys as JSON", () => {
    const failed = [
      { id: "usr_1", field: "ssn", code: "VAULT_DECRYPT_FAILED" as const },
      { id: { tenant: "t", n: 7n }, field: "ssn", code: "VAULT_CONTEXT_MISSING" as const },
    ];
    const lines = summary(report([modelReport("User", { failed })])).split("\n");
    expect(lines).toContain('failed: User.ssn (id "usr_1"): VAULT_DECRYPT_FAILED');
    expect(lines).toContain('failed: User.ssn (id {"tenant":"t","n":"7"}): VAULT_CONTEXT_MISSING');
  });

  it("lists the first 20 failures across models, then how many more there are", () => {
    const failures = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: from + i,
        field: "f",
        code: "VAULT_DECRYPT_FAILED" as const,
      }));
    const text = summary(
      report([
        modelReport("A", { failed: failures(15, 0) }),
        modelReport("B", { failed: failures(10, 100) }),
      ]),
    );
    const listed = text.split("\n").filter((line) => line.startsWith("failed: "));
    expect(listed).toHaveLength(20);
    expect(listed.at(-1)).toBe("failed: B.f (id 104): VAULT_DECRYPT_FAILED");
    expect(text).toContain("… and 5 more failures\n");
  });

  it("exactly 20 failures are all listed, with no line about more", () => {
    const failed = Array.from({ length: 20 }, (_, i) => ({
      id: i,
      field: "f",
      code: "VAULT_DECRYPT_FAILED" as const,
    }));
    const text = summary(report([modelReport("A", { failed })]));
    expect(text.split("\n").filter((line) => line.startsWith("failed: "))).toHaveLength(20);
    expect(text).not.toContain("more failures");
  });

  it("the failed column and the 'more' line count failedTotal, not only the listed failures", () => {
    const failed = Array.from({ length: 3 }, (_, i) => ({
      id: i,
      field: "f",
      code: "VAULT_KEY_UNAVAILABLE" as const,
    }));
    const text = summary(report([modelReport("A", { failed, failedTotal: 1500 })]));
    expect(text.split("\n")[2]).toMatch(/^A\s+0\s+0\s+0\s+0\s+1500$/);
    expect(text.split("\n").filter((line) => line.startsWith("failed: "))).toHaveLength(3);
    expect(text).toContain("… and 1497 more failures\n");
  });

  it("verify adds the plaintext and stale-index columns, under values", () => {
    const text = summary(
      report(
        [
          modelReport("User", { scanned: 9, plaintext: 2, staleIndexes: 0 }),
          modelReport("Post", { scanned: 1 }),
        ],
        {
          mode: "verify",
        },
      ),
    );
    expect(text.split("\n").slice(0, 4)).toEqual([
      "       rows                         values",
      "model  scanned  updated  conflicts  skipped  failed  plaintext  stale indexes",
      "User         9        0          0        0       0          2              0",
      "Post         1        0          0        0       0          0              0",
    ]);
  });

  it("other modes have no plaintext or stale-index column", () => {
    for (const mode of ["encrypt", "decrypt", "rekey", "rotate", "index"] as const) {
      expect(summary(report([modelReport("User")], { mode }))).not.toMatch(/plaintext|stale/);
    }
  });

  it("an interrupted run says so and names its checkpoint", () => {
    const text = summary(
      report([modelReport("User", { scanned: 40 })], {
        mode: "encrypt",
        interrupted: true,
        checkpoint: "/app/.prisma-vault/migrate-encrypt.json",
        durationMs: 2500,
      }),
    );
    expect(text).toMatch(
      /\ninterrupted after 2\.5 s: \/app\/\.prisma-vault\/migrate-encrypt\.json records what committed\n$/,
    );
    expect(text).not.toContain("done in");
  });

  it("a run over no model in another mode says there was no model to migrate", () => {
    expect(summary(report([], { mode: "encrypt" }))).toContain("\nno model to migrate\n");
  });

  it("leaves the report as it was", () => {
    const given = report([
      modelReport("A", { failed: [{ id: 1, field: "f", code: "VAULT_DECRYPT_FAILED" }] }),
    ]);
    const copy = structuredClone(given);
    summary(given);
    expect(given).toEqual(copy);
  });
});

describe("alignedTable", () => {
  it("pads the first column on the right and the others on the left, two spaces apart", () => {
    expect(
      alignedTable([
        ["model", "rows"],
        ["Account", "12"],
        ["U", "1000"],
      ]),
    ).toEqual(["model    rows", "Account    12", "U        1000"]);
  });

  it("no rows give no lines; one column is left-aligned alone", () => {
    expect(alignedTable([])).toEqual([]);
    expect(alignedTable([["a"], ["bbb"]])).toEqual(["a  ", "bbb"]);
  });

  it("a row shorter than the header is padded for the cells it has", () => {
    expect(alignedTable([["model", "n"], ["Account"]])).toEqual(["model    n", "Account"]);
  });

  it("widths count non-ASCII characters one each", () => {
    expect(
      alignedTable([
        ["Modèl", "n"],
        ["Ü", "10"],
      ]),
    ).toEqual(["Modèl   n", "Ü      10"]);
  });
});

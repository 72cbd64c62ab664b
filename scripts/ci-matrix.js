// The Node × WorkOS SDK table of what CI measured (issue "Today's stack"): each argument is
// "<leg>=<vitest JSON report>", each column the tests that show one behaviour; a cell is PASS when they
// all ran and passed, FAIL when one failed, and "not run" when the leg ran none of them.
import { readFileSync } from "node:fs";

const COLUMNS = {
  "envelope both ways": [
    /workos\.vault\.encrypt -> our decrypt/,
    /our encrypt through WorkOSKeyProvider -> workos\.vault\.decrypt/,
  ],
  "key API": [/rekey re-wraps through the API/, /what our provider stores is the key server's blob/],
  "429 behaviour": [
    /two 429s with Retry-After: 1, then success/,
    /when its tries run out/,
    /a wait past maxWaitMs is not started/,
  ],
  "503: the provider alone retries": [
    /a 503 is tried again by the provider alone/,
    /with retry: false a 503 is one request/,
  ],
  "audit count": [/one event per key-provider attempt, 429 retries included/],
  "retry: false": [/retry: false fails the first 429 at once/],
  timeoutMs: [/with VAULT_KEY_PROVIDER within timeoutMs/],
};

const rows = process.argv.slice(2).map((arg) => {
  const at = arg.lastIndexOf("=");
  const report = JSON.parse(readFileSync(arg.slice(at + 1), "utf8"));
  const tests = report.testResults.flatMap((file) => file.assertionResults);
  const cells = Object.values(COLUMNS).map((patterns) => {
    const matched = tests.filter((t) => patterns.some((p) => p.test(t.fullName)));
    if (matched.length === 0) return "not run";
    const bad = matched.filter((t) => t.status !== "passed");
    return bad.length === 0 ? `PASS (${matched.length})` : `FAIL (${bad.length}/${matched.length})`;
  });
  return [arg.slice(0, at), ...cells];
});
const table = [["leg", ...Object.keys(COLUMNS)], ...rows];
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  "));
if (rows.some((row) => row.some((cell) => cell.startsWith("FAIL") || cell === "not run"))) process.exit(1);

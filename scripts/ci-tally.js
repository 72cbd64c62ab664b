// Sums vitest JSON reports (npm test -- --reporter=json --outputFile=F) into the one closing line CI is
// read by: "tests: N passed, N failed[, N skipped]". Exits 1 when no test ran or one failed.
import { readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
if (passed + failed === 0) {
  console.error("no test ran");
  process.exit(1);
}
if (failed > 0) process.exit(1);

// `npm run check:api`: the API reference in docs/api must be what TypeDoc makes of src/ now. It generates
// the reference into a temporary folder (typedoc.json: any warning, such as an undocumented export or a
// broken {@link}, fails the run) and compares it with docs/api file by file, naming what differs.
// Fix: document what TypeDoc names, then `npm run docs:api` and commit docs/api.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "..");
const committed = join(root, "docs/api");
const generated = mkdtempSync(join(tmpdir(), "prisma-vault-api-"));
const FIX = "run `npm run docs:api` and commit docs/api";

try {
  process.exitCode = check();
} finally {
  // process.exit() would skip this: the outcome is set as exitCode instead.
  rmSync(generated, { recursive: true, force: true });
}

/** 0 when the generated reference has no warning and equals docs/api, else 1 (having said why). */
function check() {
  const typedoc = join(root, "node_modules/typedoc/bin/typedoc");
  const run = spawnSync(process.execPath, [typedoc, "--out", generated, "--logLevel", "Warn"], {
    cwd: root,
    stdio: "inherit",
  });
  if (run.status !== 0) {
    console.error(
      "check:api: TypeDoc failed (above: each undocumented export, broken link or unexported type)." +
        " Add the JSDoc in src/, then " +
        FIX +
        ".",
    );
    return 1;
  }
  const made = files(generated);
  const differences = compare(existsSync(committed) ? files(committed) : new Set(), made);
  if (differences.length > 0) {
    console.error(`check:api: docs/api is not the reference of src/ (${differences.length} files):`);
    for (const lines of differences) for (const line of lines) console.error(`  ${line}`);
    console.error(`Fix: ${FIX}.`);
    return 1;
  }
  console.log(`check:api: docs/api documents every export and matches src/ (${made.size} files)`);
  return 0;
}

/** For each file that is missing, extra or different, the lines saying so (with its first difference). */
function compare(expected, actual) {
  const out = [];
  for (const file of [...new Set([...expected, ...actual])].sort()) {
    if (!actual.has(file)) out.push([`docs/api/${file}: no longer generated (remove it)`]);
    else if (!expected.has(file)) out.push([`docs/api/${file}: missing (new in the reference)`]);
    else {
      const before = readFileSync(join(committed, file), "utf8").split("\n");
      const after = readFileSync(join(generated, file), "utf8").split("\n");
      const line = firstDifference(before, after);
      if (line === -1) continue;
      out.push([
        `docs/api/${file}: differs from line ${line + 1}`,
        `    committed: ${before[line] ?? "(end of file)"}`,
        `    generated: ${after[line] ?? "(end of file)"}`,
      ]);
    }
  }
  return out;
}

function firstDifference(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** The files under `dir`, as paths relative to it with `/` separators. */
function files(dir) {
  const found = new Set();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) found.add(relative(dir, join(entry.parentPath, entry.name)).split("\\").join("/"));
  }
  return found;
}

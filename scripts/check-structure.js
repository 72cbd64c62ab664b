/**
 * The source's structure (issue 29): no import cycle between files or between folders (type imports
 * included), imports that follow the layer table, and no source file over 300 lines. Part of
 * `npm run lint`.
 *
 * Violations that exist today are listed in scripts/structure-baseline.json, a ratchet: the check fails
 * on a violation that is not listed, and on a listed one that is gone (delete its line). The baseline
 * only shrinks; the redesign of issue 29 empties it.
 *
 *   node scripts/check-structure.js            check
 *   node scripts/check-structure.js --graph    also print the folder-level import graph
 *   node scripts/check-structure.js --update   rewrite the baseline to today's violations
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

const SRC = "src";
const MAX_LINES = 300;
const BASELINE = "scripts/structure-baseline.json";

/**
 * What each layer may import besides itself. `base` is every file at the root of src/ but the entries
 * (errors.ts and error-messages.ts, the error codes and details, and leaf utilities such as unref.ts and
 * version.ts); `entry` is the package's entry files (index.ts, workos.ts, prisma8.ts, and internal.ts, the CJS bundle).
 */
const BELOW = {
  base: [],
  format: ["base"],
  context: ["base"],
  crypto: ["format", "base"],
  keys: ["crypto", "format", "context", "base"],
  schema: ["context", "base"],
  core: ["keys", "crypto", "format", "schema", "context", "base"],
};
const CORE_AND_BELOW = ["core", ...BELOW.core];
/**
 * The shells. Three rows differ from issue 29's table, each for a reason:
 * - `client` (new): Prisma 7's client plumbing that every shell issuing Prisma queries needs (a model's
 *   delegate, Prisma's internals, the redaction of Prisma's errors); below the shells, above core (the
 *   handle carries the extension's `FieldCipher`), and not part of core, which stays Prisma-agnostic
 *   for the Prisma 8 shell;
 * - `prisma` may import `objects`: the extension composes the object store as `prisma.$vault.objects`;
 * - `key-server` may import `objects`: it serves that store's API over HTTP; `cli` may import `objects`
 *   for `reseal-objects` and `key-server --config`.
 * `objects` never imports `prisma`, and no shell imports `cli`.
 */
const SHELLS = {
  client: ["core", "schema", "context", "format", "base"],
  prisma: [...CORE_AND_BELOW, "client", "objects"],
  prisma8: CORE_AND_BELOW,
  migrate: [...CORE_AND_BELOW, "client"],
  objects: [...CORE_AND_BELOW, "client"],
  "key-server": [...CORE_AND_BELOW, "objects"],
  cli: [...CORE_AND_BELOW, "client", "migrate", "key-server", "objects"],
};
const ALLOWED = { ...BELOW, ...SHELLS };

const files = sourceFiles(SRC);
const imports = new Map(files.map((file) => [file, importsOf(file)]));
const violations = [
  ...cycles([...imports.keys()], (file) => imports.get(file) ?? []).map(
    (c) => `file cycle: ${c.join(" -> ")}`,
  ),
  ...cycles(layers(), (layer) => layerEdges().get(layer) ?? []).map((c) => `folder cycle: ${c.join(" -> ")}`),
  ...layerViolations(),
  ...files.filter((f) => lines(f) > MAX_LINES).map((f) => `over ${MAX_LINES} lines: ${f} (${lines(f)})`),
].sort();

if (process.argv.includes("--graph")) printGraph();
if (process.argv.includes("--update")) {
  writeFileSync(BASELINE, `${JSON.stringify(violations, null, 2)}\n`);
  console.log(`structure: ${violations.length} violations written to ${BASELINE}`);
  process.exit(0);
}
const baseline = new Set(JSON.parse(readFileSync(BASELINE, "utf8")));
const added = violations.filter((v) => !baseline.has(v));
const gone = [...baseline].filter((v) => !violations.includes(v));
for (const v of added) console.error(`structure: ${v}`);
for (const v of gone) console.error(`structure: fixed, delete from ${BASELINE}: ${v}`);
if (added.length > 0 || gone.length > 0) process.exit(1);
console.log(
  `structure: ${files.length} files, ${violations.length} known violations (${BASELINE}), none new`,
);

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The files of ours that `file` imports or re-exports, type-only imports included. */
function importsOf(file) {
  const text = readFileSync(file, "utf8");
  const out = new Set();
  const pattern =
    /(?:^|[\s;])(?:import|export)\s[^;]*?\sfrom\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;
  for (const match of text.matchAll(pattern)) {
    const spec = match[1] ?? match[2];
    const target = normalize(join(dirname(file), spec.replace(/\.js$/, ".ts")));
    out.add(target);
  }
  return [...out].filter((target) => files.includes(target));
}

/** The layer a file belongs to: its folder under src/, or base/entry for the root files. */
function layerOf(file) {
  const parts = relative(SRC, file).split("/");
  if (parts.length > 1) return parts[0];
  return ["index.ts", "workos.ts", "internal.ts", "prisma8.ts"].includes(parts[0]) ? "entry" : "base";
}

function layers() {
  return [...new Set(files.map(layerOf))];
}

function layerEdges() {
  const edges = new Map();
  for (const [file, targets] of imports) {
    for (const target of targets) {
      const [from, to] = [layerOf(file), layerOf(target)];
      if (from === to) continue;
      edges.set(from, [...new Set([...(edges.get(from) ?? []), to])]);
    }
  }
  return edges;
}

function layerViolations() {
  const out = [];
  for (const [file, targets] of imports) {
    const from = layerOf(file);
    if (from === "entry") continue;
    for (const target of targets) {
      const to = layerOf(target);
      if (from === to) continue;
      const allowed = ALLOWED[from];
      if (allowed === undefined)
        out.push(`layer: ${file} is in ${from}, which has no row in the layer table`);
      else if (!allowed.includes(to)) out.push(`layer: ${from} may not import ${to}: ${file} -> ${target}`);
    }
  }
  return [...new Set(out)];
}

/** Each strongly connected component of more than one node (Tarjan), as a cycle through it. */
function cycles(nodes, next) {
  let index = 0;
  const state = new Map();
  const stack = [];
  const found = [];
  const visit = (node) => {
    state.set(node, { index, low: index, onStack: true });
    index++;
    stack.push(node);
    for (const to of next(node)) {
      if (!state.has(to)) {
        visit(to);
        state.get(node).low = Math.min(state.get(node).low, state.get(to).low);
      } else if (state.get(to).onStack) {
        state.get(node).low = Math.min(state.get(node).low, state.get(to).index);
      }
    }
    if (state.get(node).low === state.get(node).index) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        state.get(member).onStack = false;
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(cycleThrough(component.sort(), next));
    }
  };
  for (const node of [...nodes].sort()) if (!state.has(node)) visit(node);
  return found;
}

/** One cycle inside a component, from its first member back to it (a shortest one, breadth first). */
function cycleThrough(component, next) {
  const start = component[0];
  const inside = new Set(component);
  const previous = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const to of next(node)) {
      if (!inside.has(to)) continue;
      if (to === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]));
        return [...path, start];
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return component;
}

function lines(file) {
  return readFileSync(file, "utf8").trimEnd().split("\n").length;
}

function printGraph() {
  const edges = layerEdges();
  for (const layer of layers().sort()) {
    console.log(`${layer} -> ${(edges.get(layer) ?? []).sort().join(", ") || "(nothing)"}`);
  }
}

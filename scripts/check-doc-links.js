/**
 * Every relative Markdown link in the manual (README.md, docs/, CHANGELOG.md, BENCHMARKS.md): its file exists,
 * and its #anchor is a heading there (GitHub's slugs). Part of `npm run lint`; exits 1 on a broken link.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

const slug = (text) =>
  text
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, "")
    .replace(/ /g, "-");

function anchors(file) {
  const seen = new Map();
  const out = new Set();
  let fence = false;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (/^\s*```/.test(line)) fence = !fence;
    if (fence) continue;
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1"));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

let broken = 0,
  checked = 0;
const files = process.argv.length > 2 ? process.argv.slice(2) : defaultFiles();
for (const file of files) {
  let fence = false;
  const lines = readFileSync(file, "utf8").split("\n");
  lines.forEach((line, i) => {
    if (/^\s*```/.test(line)) fence = !fence;
    if (fence) return;
    const text = line.replace(/`[^`]*`/g, "``");
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1];
      if (/^[a-z]+:/i.test(link)) continue;
      checked++;
      const [path, anchor] = link.split("#");
      const target = path === "" ? file : resolve(dirname(file), path);
      if (!existsSync(target)) {
        broken++;
        console.log(`${file}:${i + 1}: ${link}: no such file`);
        continue;
      }
      if (anchor !== undefined && target.endsWith(".md") && !anchors(target).has(anchor)) {
        broken++;
        console.log(`${file}:${i + 1}: ${link}: no heading #${anchor}`);
      }
    }
  });
}
console.log(`${checked} links checked, ${broken} broken`);
process.exitCode = broken ? 1 : 0;

/** The manual: the front page, the guides (not docs/api, which TypeDoc makes and check:api checks), the logs. */
function defaultFiles() {
  const guides = readdirSync("docs")
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`);
  return ["README.md", "CHANGELOG.md", "BENCHMARKS.md", ...guides];
}

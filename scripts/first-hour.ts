/**
 * The README's quickstart, followed as written from an empty folder and timed (issue 27): its shell blocks
 * run in order in one bash, and each block after a `<!-- file: NAME -->` line is written to NAME. What
 * differs from a user's run, and why:
 * - `npm install prisma-vault` installs this tree's packed tarball (`npm pack`; `--tarball F` to give one),
 *   since the version being tested is not on the registry; every other package comes from the registry;
 * - PRISMA_SCHEMA_ENGINE_BINARY points at node when unset: this machine cannot download Prisma's engines,
 *   and `prisma generate` only checks that the file exists.
 * The run passes when the quickstart's last command prints what the README says it prints.
 *
 *   npx tsx scripts/first-hour.ts [--tarball prisma-vault-0.3.0.tgz] [--keep]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { tarball: { type: "string" }, keep: { type: "boolean" } } });
const started = performance.now();
const work = mkdtempSync(join(tmpdir(), "prisma-vault-first-hour-"));
const tarball = values.tarball ? resolve(values.tarball) : pack(work);

const { script, expected } = quickstart(readFileSync("README.md", "utf8"), tarball);
writeFileSync(join(work, "quickstart.sh"), script);
const run = spawnSync("bash", ["-euo", "pipefail", "quickstart.sh"], {
  cwd: work,
  encoding: "utf8",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env["PRISMA_SCHEMA_ENGINE_BINARY"] ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    npm_config_audit: "false",
    npm_config_fund: "false",
  },
  stdio: ["ignore", "pipe", "inherit"],
  timeout: 15 * 60_000,
});
const seconds = ((performance.now() - started) / 1000).toFixed(0);
process.stdout.write(run.stdout);
const missing = expected.filter((line) => !run.stdout.includes(line));
if (!values.keep) rmSync(work, { recursive: true, force: true });
if (run.status !== 0 || missing.length > 0) {
  const why = run.status !== 0 ? `exit ${run.status ?? run.signal}` : `no line ${JSON.stringify(missing[0])}`;
  console.error(`first hour: the README's quickstart failed after ${seconds} s (${why})`);
  process.exit(1);
}
console.log(`first hour: the README's quickstart ran as written, from an empty folder, in ${seconds} s`);

/**
 * The bash for the README's "## Quickstart" section, and the lines its last `text` block says the run
 * prints (those that are not elided with "…").
 */
function quickstart(readme: string, packed: string): { script: string; expected: string[] } {
  const start = readme.search(/^## Quickstart/m);
  if (start < 0) throw new Error("README.md has no ## Quickstart section");
  const end = readme.slice(start + 1).search(/^## /m);
  const section = readme.slice(start, end < 0 ? undefined : start + 1 + end);
  const lines: string[] = [];
  let expected: string[] = [];
  let file: string | undefined;
  for (const match of section.matchAll(/<!-- file: (\S+) -->|^```(\w*)\n([\s\S]*?)^```$/gm)) {
    const [, name, lang, body = ""] = match;
    if (name !== undefined) {
      file = name;
      continue;
    }
    if (file !== undefined) {
      lines.push(`cat > ${file} <<'PRISMA_VAULT_EOF'`, body.trimEnd(), "PRISMA_VAULT_EOF");
      file = undefined;
    } else if (lang === "sh") {
      // Shown as written (not traced: a trace would print the keys the block makes).
      const shown = body.trimEnd().replaceAll(/^/gm, "$ ");
      lines.push(`cat <<'PRISMA_VAULT_EOF'`, shown, "PRISMA_VAULT_EOF");
      lines.push(body.replaceAll(/npm install prisma-vault\b/g, `npm install ${packed}`).trimEnd());
    } else if (lang === "text") {
      expected = body.split("\n").filter((line) => line.trim() !== "" && !line.includes("…"));
    }
  }
  return { script: `${lines.join("\n")}\n`, expected };
}

/** `npm pack` of this tree (prepack builds dist/) into `dir`; the tarball's path. */
function pack(dir: string): string {
  const packed = spawnSync("npm", ["pack", "--silent", "--pack-destination", dir], { encoding: "utf8" });
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  return join(dir, packed.stdout.trim().split("\n").pop() as string);
}

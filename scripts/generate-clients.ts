/**
 * Renders the test schema for every database target and runs `prisma generate` on each: the Prisma
 * client and the prisma-vault generator's `vaultSchema`, into test/generated/<target>/ (git-ignored), and
 * the same for examples/quickstart.
 * Runs offline: `prisma generate` only checks that a schema-engine file exists, so when none is
 * configured it is pointed at the Node binary (any existing file does).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const TARGETS = [
  { target: "sqlite", provider: "sqlite", text: "" },
  { target: "postgres", provider: "postgresql", text: " @db.Text" },
  { target: "mariadb", provider: "mysql", text: " @db.Text" },
] as const;

const template = readFileSync("test/prisma/schema.template.prisma", "utf8");
const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env["PRISMA_SCHEMA_ENGINE_BINARY"] ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
};

// Skip when nothing that shapes the output changed since the last run.
const inputs = [
  "test/prisma/schema.template.prisma",
  "examples/quickstart/schema.prisma",
  "src/cli/generator.ts",
  "src/prisma/datamodel.ts",
  "package-lock.json",
];
const stamp = createHash("sha256")
  .update(inputs.map((file) => readFileSync(file, "utf8")).join("\0"))
  .digest("hex");
const stampFile = "test/generated/.stamp";
if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp && !process.argv.includes("--force")) {
  console.log("Prisma test clients are up to date (npm run generate -- --force regenerates)");
  process.exit(0);
}

const started = Date.now();
for (const { target, provider, text } of TARGETS) {
  const dir = `test/generated/${target}`;
  mkdirSync(dir, { recursive: true });
  const schema = template
    .replaceAll("{{target}}", target)
    .replaceAll("{{provider}}", provider)
    .replaceAll("{{text}}", text);
  writeFileSync(
    `${dir}/schema.prisma`,
    `// Rendered from test/prisma/schema.template.prisma. Do not edit.\n${schema}`,
  );
  generate(`${dir}/schema.prisma`);
}
generate("examples/quickstart/schema.prisma");
writeFileSync(stampFile, stamp);

function generate(schema: string): void {
  const run = spawnSync(process.execPath, [prismaCli, "generate", "--schema", schema], {
    env,
    encoding: "utf8",
  });
  if (run.status !== 0) {
    process.stderr.write(run.stdout + run.stderr);
    process.exit(run.status ?? 1);
  }
}
console.log(
  `generated Prisma clients for ${TARGETS.map((t) => t.target).join(", ")} and the quickstart in ${Date.now() - started} ms`,
);

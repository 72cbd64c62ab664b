import { describe, expect, it } from "vitest";
import { codeBlocks } from "./code-blocks.js";

const fence = "```";

describe("codeBlocks", () => {
  it("runs an unmarked TypeScript, JavaScript or shell block, and ignores other languages", () => {
    const md = `# Guide\n\n${fence}ts\nconst a = 1;\n${fence}\n\n${fence}prisma\nmodel A {}\n${fence}\n\n${fence}sh\necho hi\n${fence}\n`;
    expect(codeBlocks("docs/x.md", md)).toEqual([
      { file: "docs/x.md", line: 3, lang: "ts", body: "const a = 1;\n", action: { kind: "run" } },
      { file: "docs/x.md", line: 11, lang: "sh", body: "echo hi\n", action: { kind: "run" } },
    ]);
  });

  it("reads the marker on the last non-blank line before a block", () => {
    const md = [
      "<!-- docs-test: not runnable (needs AWS) -->",
      "",
      `${fence}ts`,
      "x();",
      fence,
      "<!-- file: vault.config.ts -->",
      `${fence}ts`,
      "export default 1;",
      fence,
      "<!-- docs-test: continues -->",
      `${fence}ts`,
      "y();",
      fence,
      "<!-- docs-test: background -->",
      `${fence}sh`,
      "serve",
      fence,
    ].join("\n");
    expect(codeBlocks("docs/x.md", md).map((b) => b.action)).toEqual([
      { kind: "skip", reason: "needs AWS" },
      { kind: "file", name: "vault.config.ts" },
      { kind: "continues" },
      { kind: "background" },
    ]);
  });

  it("an indented block in a list runs with its indentation removed", () => {
    const md = `- a step:\n\n  ${fence}sh\n  echo hi\n  ${fence}\n`;
    expect(codeBlocks("docs/x.md", md)[0]?.body).toBe("echo hi\n");
  });

  it("refuses a not-runnable marker without a reason, and a marker it does not know", () => {
    const bare = `<!-- docs-test: not runnable -->\n${fence}sh\nx\n${fence}\n`;
    expect(() => codeBlocks("docs/x.md", bare)).toThrow("docs/x.md:2: unknown marker");
    const unknown = `<!-- docs-test: skip -->\n${fence}sh\nx\n${fence}\n`;
    expect(() => codeBlocks("docs/x.md", unknown)).toThrow("unknown marker <!-- docs-test: skip -->");
  });

  it("leaves the README's quickstart to npm run first-hour", () => {
    const md = `# R\n\n## Quickstart\n\n${fence}sh\nnpm init\n${fence}\n\n## Next\n\n${fence}sh\nls\n${fence}\n`;
    expect(codeBlocks("README.md", md).map((b) => b.action.kind)).toEqual(["skip", "run"]);
    expect(codeBlocks("docs/x.md", md).map((b) => b.action.kind)).toEqual(["run", "run"]);
  });

  it("writes a block of any language that a file marker names, and gives each block the text block after it", () => {
    const md = [
      "<!-- file: contract.prisma -->",
      `${fence}prisma`,
      "model A {}",
      fence,
      `${fence}sh`,
      "echo hi",
      fence,
      "It prints:",
      `${fence}text`,
      "hi",
      fence,
      `${fence}prisma`,
      "model B {}",
      fence,
    ].join("\n");
    expect(codeBlocks("docs/x.md", md)).toEqual([
      {
        file: "docs/x.md",
        line: 2,
        lang: "other",
        body: "model A {}\n",
        action: { kind: "file", name: "contract.prisma" },
      },
      { file: "docs/x.md", line: 5, lang: "sh", body: "echo hi\n", action: { kind: "run" }, output: "hi\n" },
    ]);
  });
});

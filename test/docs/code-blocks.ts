/**
 * The code blocks of the README and the guides, as the docs test runs them. A TypeScript, JavaScript or
 * shell block runs unless the line before it (blank lines aside) is a marker:
 *
 * - `<!-- docs-test: not runnable (reason) -->`: skipped, for the reason given (a reason is required);
 * - `<!-- file: NAME -->`: written to NAME in the app, for a later block to use (a config file, say); a
 *   block of any language with this marker is kept (a `prisma` contract, say), as language `other`;
 * - `<!-- docs-test: continues -->`: appended to the block before it and run with it as one program;
 * - `<!-- docs-test: background -->`: a shell block that serves (a key server): started, left running
 *   while the rest of its guide runs, and stopped after it.
 *
 * A `text` block right after a block (the next block in the file) is what that block prints: its
 * `output`, for a test that checks it.
 *
 * The README's "## Quickstart" section is `npm run first-hour`'s (scripts/first-hour.ts): it runs there
 * from an empty folder with a registry install, so it is reported here as run elsewhere.
 */

/** The languages that run: TypeScript and JavaScript with tsx, shell with bash. */
const RUNNABLE = new Set(["ts", "typescript", "js", "javascript", "sh", "bash", "shell"]);

/** A code block and what its marker says to do with it. */
export interface CodeBlock {
  /** `docs/objects.md`. */
  readonly file: string;
  /** The line of the opening fence, 1-based. */
  readonly line: number;
  /** `other`: a block of another language that a file marker names. */
  readonly lang: "ts" | "js" | "sh" | "other";
  readonly body: string;
  /** The `text` block right after this one, when there is one: what this block prints. */
  readonly output?: string;
  readonly action:
    | { readonly kind: "run" }
    | { readonly kind: "skip"; readonly reason: string }
    | { readonly kind: "file"; readonly name: string }
    | { readonly kind: "continues" }
    | { readonly kind: "background" };
}

/**
 * The runnable-language blocks of one Markdown file, in order. Throws on a `not runnable` marker without
 * a reason, and on a marker this file does not know.
 */
export function codeBlocks(file: string, markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const quickstart = file === "README.md" ? sectionLines(markdown, "## Quickstart") : undefined;
  const fence = /^( *)```(\w*)[^\n]*\n([\s\S]*?)^\1```$/gm;
  const fenced = [...markdown.matchAll(fence)];
  for (const [i, match] of fenced.entries()) {
    const [, indent = "", lang = "", raw = ""] = match;
    const marker = markerBefore(markdown.slice(0, match.index));
    const named = marker?.startsWith("file:") === true;
    if (!RUNNABLE.has(lang) && !named) continue;
    const line = markdown.slice(0, match.index).split("\n").length;
    const inQuickstart = quickstart !== undefined && line > quickstart[0] && line < quickstart[1];
    const next = fenced[i + 1];
    const output = next?.[2] === "text" ? unindent(next[3] ?? "", next[1] ?? "") : undefined;
    blocks.push({
      file,
      line,
      lang: !RUNNABLE.has(lang) ? "other" : lang.startsWith("t") ? "ts" : lang.startsWith("j") ? "js" : "sh",
      body: unindent(raw, indent),
      action: inQuickstart
        ? { kind: "skip", reason: "the quickstart: npm run first-hour runs it from an empty folder" }
        : actionOf(marker, `${file}:${line}`),
      ...(output !== undefined && { output }),
    });
  }
  return blocks;
}

/** A block's body without the indentation of its fence (a block in a list item). */
function unindent(body: string, indent: string): string {
  return body.replaceAll(new RegExp(`^${indent}`, "gm"), "");
}

function actionOf(marker: string | undefined, where: string): CodeBlock["action"] {
  if (marker === undefined) return { kind: "run" };
  const file = /^file: (\S+)$/.exec(marker);
  if (file?.[1] !== undefined) return { kind: "file", name: file[1] };
  const test = /^docs-test: (.*)$/.exec(marker)?.[1]?.trim();
  if (test === "continues" || test === "background") return { kind: test };
  const skip = /^not runnable \((.+)\)$/.exec(test ?? "");
  if (skip?.[1] !== undefined) return { kind: "skip", reason: skip[1] };
  throw new Error(`${where}: unknown marker <!-- ${marker} --> (not runnable needs a reason in parentheses)`);
}

/** The `<!-- … -->` on the last non-blank line before a block, if that line is one. */
function markerBefore(text: string): string | undefined {
  const last = text.trimEnd().split("\n").pop()?.trim() ?? "";
  const comment = /^<!--\s*(.*?)\s*-->$/.exec(last)?.[1];
  return comment !== undefined && /^(file:|docs-test:)/.test(comment) ? comment : undefined;
}

/** The first and last line (1-based, exclusive) of the `##` section whose heading starts with `heading`. */
function sectionLines(markdown: string, heading: string): [number, number] | undefined {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => l.startsWith(heading));
  if (start < 0) return undefined;
  const next = lines.findIndex((l, i) => i > start && /^## /.test(l));
  return [start + 1, next < 0 ? lines.length + 1 : next + 1];
}

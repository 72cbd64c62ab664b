/**
 * The line of a Prisma schema that a problem with a model or field is about, so that `prisma generate`
 * can say `prisma/schema.prisma:14: Note.body: …`. Reads lines, not the language: a model's block runs
 * from `model Name {` to the first line that starts with `}`, and its `///` lines sit right above a
 * declaration. Pure; the generator reads the files.
 */

/** One file of a Prisma schema (a multi-file schema has several). */
export interface SchemaFile {
  /** Where the file is, as it is to be shown. */
  readonly path: string;
  /** Its text. */
  readonly text: string;
}

/** A line of a schema file, counted from 1. */
export interface SchemaLine {
  /** The file's path, from {@link SchemaFile.path}. */
  readonly path: string;
  /** The line, counted from 1. */
  readonly line: number;
}

const ENCRYPTED_TAG = /@encrypted\b/;
const CONTEXT_TAG = /@vault\.context\s*\(/;

/**
 * Where in `files` to look for a problem with `model` (and `field`): the field's `/// @encrypted`
 * line, else the model's `/// @vault.context` line (a context names fields that may not exist), else
 * the field's declaration, else the model's. `undefined` when no file declares the model.
 *
 * @example
 * schemaLine([{ path: "prisma/schema.prisma", text }], "Note", "body") // { path: "prisma/schema.prisma", line: 14 }
 */
export function schemaLine(
  files: readonly SchemaFile[],
  model: string,
  field?: string,
): SchemaLine | undefined {
  for (const file of files) {
    const lines = file.text.split(/\r?\n/);
    const start = lines.findIndex((line) => /^\s*(?:model|view)\s+([A-Za-z_]\w*)/.exec(line)?.[1] === model);
    if (start < 0) continue;
    const close = lines.findIndex((line, index) => index > start && /^\s*\}/.test(line));
    const end = close < 0 ? lines.length : close;
    const declared =
      field === undefined
        ? -1
        : lines.findIndex((line, index) => index > start && index < end && firstWord(line) === field);
    const index =
      (declared < 0 ? undefined : taggedDocLine(lines, declared, ENCRYPTED_TAG)) ??
      taggedDocLine(lines, start, CONTEXT_TAG) ??
      (declared < 0 ? start : declared);
    return { path: file.path, line: index + 1 };
  }
  return undefined;
}

function firstWord(line: string): string | undefined {
  return /^\s*([A-Za-z_]\w*)/.exec(line)?.[1];
}

/** The first of the `///` lines right above `declaration` that holds `tag`: the one annotations.ts reads. */
function taggedDocLine(lines: readonly string[], declaration: number, tag: RegExp): number | undefined {
  let top = declaration;
  while (top > 0 && lines[top - 1]?.trimStart().startsWith("///")) top--;
  for (let index = top; index < declaration; index++) if (tag.test(lines[index] ?? "")) return index;
  return undefined;
}

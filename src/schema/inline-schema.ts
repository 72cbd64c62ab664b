/**
 * A reader for the Prisma schema text that every generated client embeds (`_engineConfig.inlineSchema`),
 * so that without the prisma-vault generator the data model still has relation keys, list and id flags,
 * native types, `@map` names and `///` documentation, as DMMF gives them. It reads the part of Prisma
 * Schema Language that shapes those fields and gives up (`undefined`) on anything else rather than
 * guess: the caller then falls back to the runtime data model.
 */
import type { DataModel, DataModelField, DataModelModel } from "./datamodel.js";

/**
 * The data model of a Prisma schema, field for field as the generator writes it from DMMF, or
 * `undefined` when the text is not a schema this reader understands. Never throws.
 *
 * @example
 * parseInlineSchema('datasource db {\n  provider = "sqlite"\n}\nmodel Note {\n  id Int @id\n}\n');
 * // { provider: "sqlite", models: { Note: { name: "Note", primaryKey: null, fields: [
 * //   { name: "id", kind: "scalar", type: "Int", isList: false, isId: true }] } } }
 */
export function parseInlineSchema(text: string): DataModel | undefined {
  try {
    return new Reader(tokenize(text)).schema();
  } catch {
    // Every parse error lands here, and so would a bug: an unreadable schema must not break the client.
    return undefined;
  }
}

const SCALARS = new Set("String Int BigInt Float Decimal Boolean DateTime Json Bytes".split(" "));
const BLOCKS = new Set(["model", "view", "enum", "type", "generator", "datasource"]);
const PROVIDER_ALIASES: ReadonlyMap<string, string> = new Map([["postgres", "postgresql"]]); // to activeProvider
const KINDS = ["doc", "cmt", "nl", "str", "num", "id", "punct"] as const;
const TOKEN =
  /[ \t\r\f\v\uFEFF]+|\/\/\/[^\S\r\n]*([^\r\n]*)|(\/\/[^\r\n]*)|(\n)|("(?:[^"\\\r\n]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_][\w-]*)|(@@|[{}()[\],:=?@.])/y;

type Token = { readonly kind: (typeof KINDS)[number]; readonly text: string };
/** `"x"`, `191`, `Cascade`, `[a, b]`, a call `now()` or an attribute `@db.VarChar(191)` with its `items`. */
interface Value {
  readonly kind: "str" | "num" | "id" | "call" | "list";
  readonly text: string;
  readonly name?: string;
  readonly items: readonly Value[];
}
/** A model or field whose kinds wait for the whole schema: a type may be declared further down. */
type Pending<T> = () => T;

function fail(): never {
  throw new Error("not a Prisma schema this reader understands");
}

/** The tokens of `text`, without line ends and comments inside `(…)` and `[…]`. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = new RegExp(TOKEN.source, "y");
  let depth = 0; // unbalanced brackets are the reader's to refuse
  while (re.lastIndex < text.length) {
    const match = re.exec(text) ?? fail();
    const group = match.findIndex((part, index) => index > 0 && part !== undefined);
    const [kind, part] = [KINDS[group - 1], match[group] ?? ""];
    if (kind === "punct") depth += part === "(" || part === "[" ? 1 : part === ")" || part === "]" ? -1 : 0;
    const layout = kind === "doc" || kind === "cmt" || kind === "nl";
    // Inside brackets an argument list may run over lines: its line ends and comments mean nothing.
    if (kind !== undefined && (depth === 0 || !layout)) tokens.push({ kind, text: part });
  }
  return tokens;
}

/** A recursive-descent reader over the tokens; each method reads one construct or fails. */
class Reader {
  readonly #tokens: readonly Token[];
  /** What each top-level name declares: `User` → "model". */
  readonly #kinds = new Map<string, string>();
  #datasource: string | undefined;
  #at = 0;
  constructor(tokens: readonly Token[]) {
    this.#tokens = tokens;
  }

  schema(): DataModel {
    const models: Pending<DataModelModel>[] = [];
    let provider: string | undefined;
    let docs: string[] = [];
    while (!this.done()) {
      const token = this.next();
      const previous = this.peek(-2)?.kind ?? "nl";
      // A `///` block documents the model right below it; a blank line in between detaches it (as in DMMF).
      if (token.kind === "nl" && previous === "nl") docs = [];
      if (token.kind === "doc") docs.push(token.text);
      if (token.kind === "nl" || token.kind === "doc" || token.kind === "cmt") continue;
      // Precondition: a block starts on a line of its own.
      if (token.kind !== "id" || !BLOCKS.has(token.text) || previous !== "nl") fail();
      const name = this.take("id");
      this.expect("{");
      this.endOfLine();
      if (token.text === "datasource") this.#datasource = name;
      else if (token.text !== "generator") this.#kinds.set(name, token.text);
      const documentation = docs.length > 0 ? { documentation: docs.join("\n") } : {};
      docs = [];
      if (token.text === "model" || token.text === "view") {
        const model = this.model(name, documentation);
        if (model) models.push(model);
      } else {
        // Of the other blocks only the names and the datasource's provider matter; Prisma checked the rest.
        while (!this.accept("}")) {
          const key = this.is("{") ? fail() : this.next().text;
          if (token.text === "datasource" && key === "provider" && this.accept("="))
            provider = unquote(this.next());
        }
      }
    }
    const active = provider === undefined ? {} : { provider: PROVIDER_ALIASES.get(provider) ?? provider };
    const resolved = models.map((pending) => pending()).map((model) => [model.name, model] as const);
    // fromEntries, not assignment: a model named `__proto__` stays an ordinary key.
    return { ...active, models: Object.fromEntries(resolved) };
  }

  /** A model's fields and `@@id`; `undefined` for an `@@ignore`d model, which DMMF leaves out. */
  model(name: string, documentation: { documentation?: string }): Pending<DataModelModel> | undefined {
    const fields: Pending<DataModelField>[] = [];
    const attributes = new Map<string, Value>();
    // Inside a model, `///` lines document the next field, across blank lines and block attributes.
    let docs: string[] = [];
    while (!this.accept("}")) {
      const kind = this.peek()?.kind;
      if (kind === "doc") docs.push(this.next().text);
      if (kind === "doc" || kind === "cmt" || kind === "nl") this.endOfLine();
      else if (this.accept("@@")) {
        attributes.set(...this.attribute());
        this.endOfLine();
      } else {
        const field = this.field(name, docs);
        if (field) fields.push(field);
        docs = [];
      }
    }
    const id = attributes.get("id");
    const primaryKey = id ? fieldNames(argument(id, "fields", 0) ?? fail()) : null;
    if (attributes.has("ignore")) return undefined;
    const table = mapped(attributes);
    return () => ({ name, ...table, ...documentation, primaryKey, fields: fields.map((field) => field()) });
  }

  /** One field line, documented by `docs`; `undefined` when `@ignore`d (DMMF leaves it out). */
  field(model: string, docs: readonly string[]): Pending<DataModelField> | undefined {
    const name = this.take("id");
    const type = this.take("id");
    const unsupported = type === "Unsupported" && this.accept("(") ? unquote(this.next()) : undefined;
    if (unsupported !== undefined) this.expect(")");
    const isList = this.accept("[") && this.accept("]");
    const optional = this.accept("?");
    const attributes = new Map<string, Value>();
    while (this.accept("@")) attributes.set(...this.attribute());
    const lines = [...docs, this.endOfLine()].filter((line) => line !== undefined);
    const native = [...attributes.values()].find((attribute) => attribute.text.includes("."));
    if (attributes.has("ignore")) return undefined;
    return () => {
      const field = {
        name,
        type: unsupported ?? type,
        isList,
        isId: attributes.has("id"),
        isRequired: !optional,
        isUnique: attributes.has("unique"),
        ...mapped(attributes),
        ...(native && { nativeType: this.nativeType(native) }),
        ...(lines.length > 0 && { documentation: lines.join("\n") }),
      };
      const declared = this.#kinds.get(type);
      if (unsupported !== undefined) return { ...field, kind: "unsupported" };
      if (SCALARS.has(type)) return { ...field, kind: "scalar" };
      if (declared === "enum") return { ...field, kind: "enum" };
      if (declared === "type") return { ...field, kind: "object" };
      if (declared !== "model" && declared !== "view") fail();
      const relation = attributes.get("relation");
      const explicit = relation && argument(relation, "name", 0);
      return {
        ...field,
        kind: "object",
        // Prisma's implicit name: both model names, sorted, joined by "To".
        relationName: explicit ? unquote(explicit) : [model, type].sort().join("To"),
        relationFromFields: fieldNames(relation && argument(relation, "fields")),
        relationToFields: fieldNames(relation && argument(relation, "references")),
      };
    };
  }

  /** `@db.VarChar(191)` as DMMF's `["VarChar", ["191"]]`. */
  nativeType({ text, items }: Value): readonly [string, string[]] {
    const [prefix, name] = text.split(".");
    // Precondition: a native type is spelled with the datasource's name (`@db.Text` for `datasource db`).
    if (prefix !== this.#datasource || name === undefined) fail();
    return [name, items.map((item) => (item.kind === "num" || item.kind === "id" ? item.text : fail()))];
  }

  /** `id`, `db.VarChar(191)`, `default(…)`, after the `@` or `@@`: its name, and itself as a call. */
  attribute(): readonly [string, Value] {
    const name = this.take("id");
    const text = this.accept(".") ? `${name}.${this.take("id")}` : name;
    return [text, { kind: "call", text, items: this.accept("(") ? this.items(")") : [] }];
  }

  value(): Value {
    const { kind, text } = this.next();
    if (kind === "id" && this.accept("(")) return { kind: "call", text, items: this.items(")") };
    if (kind === "str" || kind === "num" || kind === "id") return { kind, text, items: [] };
    return text === "[" ? { kind: "list", text: "", items: this.items("]") } : fail();
  }

  /** Comma-separated values up to `close` (a trailing comma allowed), each maybe named: `fields: [a]`. */
  items(close: string): Value[] {
    const items: Value[] = [];
    while (!this.accept(close)) {
      if (items.length > 0) this.expect(",");
      if (items.length > 0 && this.accept(close)) break;
      const name = this.peek()?.kind === "id" && this.is(":", 1) ? this.take("id") : undefined;
      if (name !== undefined) this.expect(":");
      items.push(name === undefined ? this.value() : { ...this.value(), name });
    }
    return items;
  }

  /** The end of a line, after an optional comment; returns the text of a trailing `///` comment. */
  endOfLine(): string | undefined {
    const trailing = this.peek()?.kind === "doc" ? this.next().text : undefined;
    if (trailing === undefined && this.peek()?.kind === "cmt") this.next();
    if (!this.done() && this.next().kind !== "nl") fail();
    return trailing;
  }

  done = (): boolean => this.#at >= this.#tokens.length;
  peek = (ahead = 0): Token | undefined => this.#tokens[this.#at + ahead];
  next = (): Token => this.#tokens[this.#at++] ?? fail();
  is = (text: string, ahead = 0) => this.peek(ahead)?.kind === "punct" && this.peek(ahead)?.text === text;
  accept = (text: string): boolean => this.is(text) && this.next() !== undefined;
  expect = (text: string): void => (this.accept(text) ? undefined : fail());
  take = (kind: Token["kind"]): string => (this.peek()?.kind === kind ? this.next().text : fail());
}

/** A call's argument called `name`, or else its `position`th unnamed one. */
function argument(call: Value, name: string, position = -1): Value | undefined {
  return call.items.find((item) => item.name === name) ?? call.items.filter((item) => !item.name)[position];
}

/** `@map("x")` or `@@map(name: "x")` as DMMF's `dbName`; nothing without one. */
function mapped(attributes: ReadonlyMap<string, Value>): { dbName?: string } {
  const map = attributes.get("map");
  return map ? { dbName: unquote(argument(map, "name", 0) ?? fail()) } : {};
}

/** `[a, b]` or `[a(length: 10), b]` as field names; `[]` when absent. */
function fieldNames(value: Value | undefined): string[] {
  if (value === undefined) return [];
  if (value.kind !== "list") fail();
  return value.items.map((item) => (item.kind === "id" || item.kind === "call" ? item.text : fail()));
}

function unquote(value: Value | Token): string {
  const text: unknown = value.kind === "str" ? JSON.parse(value.text) : fail();
  return typeof text === "string" ? text : fail();
}

/**
 * Pure: the little SQL migrations write by hand, per dialect: identifiers quoted, parameters numbered
 * or not, and null-safe equality. Values always travel as bound parameters, never inside the text.
 */

/** The SQL dialects, named as Prisma's datasource providers. */
export const SQL_DIALECTS = ["sqlite", "postgresql", "mysql"] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

/** The dialect of a datasource provider, or `undefined` when migrations write no SQL for it. */
export function sqlDialect(provider: string | undefined): SqlDialect | undefined {
  return SQL_DIALECTS.find((dialect) => dialect === provider);
}

/**
 * `name` as a quoted identifier: `"name"`, or `` `name` `` for MySQL and MariaDB; a quote inside is
 * doubled.
 *
 * @example quoteIdentifier("postgresql", "Account") // '"Account"'
 */
export function quoteIdentifier(dialect: SqlDialect, name: string): string {
  const quote = dialect === "mysql" ? "`" : '"';
  return `${quote}${name.replaceAll(quote, quote + quote)}${quote}`;
}

/** Bound parameters of one statement, and their placeholders: `$1, $2…` for PostgreSQL, `?` elsewhere. */
export class SqlParams {
  readonly values: unknown[] = [];
  readonly #dialect: SqlDialect;

  constructor(dialect: SqlDialect) {
    this.#dialect = dialect;
  }

  /** The placeholder of a new parameter holding `value`. */
  add(value: unknown): string {
    this.values.push(value);
    return this.#dialect === "postgresql" ? `$${this.values.length}` : "?";
  }
}

/** `left` equals `right`, nulls included (NULL equals NULL). */
export function nullSafeEquals(dialect: SqlDialect, left: string, right: string): string {
  if (dialect === "mysql") return `${left} <=> ${right}`;
  if (dialect === "postgresql") return `${left} IS NOT DISTINCT FROM ${right}`;
  return `${left} IS ${right}`;
}

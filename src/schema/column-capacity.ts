/**
 * How many characters an encrypted field's column holds, from the datasource provider and the
 * field's native type. On MySQL/MariaDB a plain `String` is `VARCHAR(191)`, and with a non-strict
 * `sql_mode` a longer value is cut without an error: the row is committed and never decrypts. So a
 * column too small for envelopes is refused when the extension starts, and every envelope is checked
 * against its column before it is sent.
 */

/** A column that holds fewer characters cannot take the envelope of most values (an SSN's is 256). */
export const MIN_ENVELOPE_COLUMN = 512;

/** MySQL's text types, in bytes; envelopes are base64, one byte a character. */
const MYSQL_TEXT: Readonly<Record<string, number>> = {
  TinyText: 255,
  Text: 65_535,
  MediumText: 16_777_215,
  LongText: 4_294_967_295,
};

/**
 * The most characters the column stores, or `undefined` when it is unbounded or not known.
 *
 * @example columnCapacity("mysql", undefined) // 191: Prisma's String on MySQL
 * @example columnCapacity("postgresql", ["VarChar", ["600"]]) // 600
 */
export function columnCapacity(
  provider: string | undefined,
  nativeType: readonly [string, readonly string[]] | undefined,
): number | undefined {
  const [type, args = []] = nativeType ?? [];
  const declared = /^(Var)?Char$|^NVarChar$|^NChar$/.test(type ?? "") ? Number(args[0]) : undefined;
  if (declared !== undefined && Number.isInteger(declared) && declared > 0) return declared;
  if (provider === "mysql") return type === undefined ? 191 : MYSQL_TEXT[type];
  return undefined;
}

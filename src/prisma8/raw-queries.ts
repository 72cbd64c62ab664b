/**
 * Raw SQL (`db.raw.sql`) that names an encrypted column: refused, as prisma-vault can neither seal what
 * it writes nor open what it reads. Detected by name (the table's and the column's, as words), so raw
 * SQL that reaches ciphertext another way (a view, `SELECT *`) is not caught: its values stay sealed.
 */
import type { AstNode } from "./encrypted-refs.js";
import { overCiphertext } from "./encrypted-refs.js";
import type { VaultTable } from "./vault-tables.js";

/** Throws `VAULT_UNSUPPORTED_QUERY` when the raw query's text names an encrypted column of a table it names. */
export function refuseRawOverCiphertext(ast: AstNode, tables: ReadonlyMap<string, VaultTable>): void {
  const text = (ast["parts"] as unknown[]).filter((p): p is string => typeof p === "string").join(" ");
  for (const table of tables.values()) {
    if (!namesWord(text, table.table)) continue;
    for (const [column, field] of table.encrypted) {
      if (namesWord(text, column)) throw overCiphertext({ field }, "raw SQL naming an encrypted column");
    }
  }
}

function namesWord(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9_$])${escaped}($|[^A-Za-z0-9_$])`, "i").test(text);
}

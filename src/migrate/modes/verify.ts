/**
 * `verify`: every value is decrypted and every blind index recomputed; nothing is written. Values that
 * do not decrypt are failures; values still plaintext and indexes missing or stale are counted.
 */
import { timingSafeEqual } from "node:crypto";
import type { FieldCipher } from "../../crypto/cipher.js";
import { Unopened } from "../../crypto/cipher.js";
import type { ModelSchema } from "../../schema/model-schema.js";
import { RowWrites } from "../row-writes.js";
import { encryptedSelection, type MigrationStep } from "../step.js";
import { batchValues, openValues, unopenedAs } from "../stored-values.js";

export function verifyStep(model: ModelSchema, parts: { readonly cipher: FieldCipher }): MigrationStep {
  return {
    where: {},
    select: encryptedSelection(model),
    async process(rows) {
      const batch = batchValues(model, rows);
      const out = new RowWrites(rows, batch.failed);
      const opened = await openValues(parts.cipher, batch.values);
      for (const [i, v] of batch.values.entries()) {
        const result = opened[i];
        if (result instanceof Unopened) {
          const what = unopenedAs(result);
          if (what === "plaintext") out.count(v.at, "plaintext");
          else out.fail(v.at, { id: v.id, field: v.field.name, code: what });
          continue;
        }
        const index = v.field.index;
        if (index === undefined) continue;
        const stored = rows[v.at]?.[index.column];
        if (
          typeof stored !== "string" ||
          !sameText(stored, index.blind.compute(result as string, v.context))
        ) {
          out.count(v.at, "staleIndexes");
        }
      }
      return out.outcomes();
    },
  };
}

/** Constant-time equality of two strings (an index is a keyed hash of a secret). */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

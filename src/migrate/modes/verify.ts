/**
 * `verify`: every value is decrypted and every blind index recomputed; nothing is written. Values that
 * do not decrypt are failures; values still plaintext and indexes missing or stale are counted.
 */
import type { VaultCore } from "../../core/vault-core.js";
import type { ModelSchema } from "../../schema/model-schema.js";
import { sameText } from "../../crypto/same-text.js";
import { openingStep } from "../opening-step.js";
import type { MigrationStep } from "../step.js";

export function verifyStep(model: ModelSchema, parts: { readonly core: VaultCore }): MigrationStep {
  return openingStep(model, parts.core, "none", (out, v, opened, rows) => {
    if ("plaintext" in opened) return out.count(v.at, "plaintext");
    if ("failed" in opened) return out.fail(v.at, { id: v.id, field: v.field.name, code: opened.failed });
    const index = v.field.index;
    if (index === undefined) return;
    const stored = rows[v.at]?.[index.column];
    if (
      typeof stored !== "string" ||
      !sameText(stored, parts.core.blindIndex(index.blind, opened.text, v.context))
    ) {
      out.count(v.at, "staleIndexes");
    }
  });
}

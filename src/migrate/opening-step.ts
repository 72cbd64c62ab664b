/**
 * A step that opens every stored value of a page with one batch call and hands each, with what it
 * opened to, to the mode: the shape of `decrypt` and `verify`.
 */
import type { VaultCore } from "../core/vault-core.js";
import { isOpened } from "../core/opened.js";
import type { ModelSchema } from "../schema/model-schema.js";
import type { Row } from "../schema/options.js";
import type { MigrationFailureCode } from "./report.js";
import { RowWrites } from "./row-writes.js";
import { encryptedSelection, type MigrationStep } from "./step.js";
import { batchValues, openValues, unopenedAs, type StoredValue } from "./stored-values.js";

/** What a value opened to: its plaintext, or why it did not open. */
export type OpenedValue =
  { readonly text: string } | { readonly plaintext: true } | { readonly failed: MigrationFailureCode };

/**
 * @example openingStep(model, core, "plaintexts", (out, v, opened) => { if ("text" in opened) out.set(v.at, v.field.name, opened.text); })
 */
export function openingStep(
  model: ModelSchema,
  core: VaultCore,
  writes: "plaintexts" | "none",
  each: (out: RowWrites, value: StoredValue, opened: OpenedValue, rows: readonly Row[]) => void,
): MigrationStep {
  return {
    writes,
    where: {},
    select: encryptedSelection(model),
    async process(rows) {
      const batch = batchValues(model, rows);
      const out = new RowWrites(rows, batch.failed);
      const opened = await openValues(core, batch.values);
      for (const [i, v] of batch.values.entries()) {
        const result = opened[i];
        if (isOpened(result)) {
          each(out, v, { text: result }, rows);
          continue;
        }
        const what = unopenedAs(result);
        each(out, v, what === "plaintext" ? { plaintext: true } : { failed: what }, rows);
      }
      return out.outcomes();
    },
  };
}

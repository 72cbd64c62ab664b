/**
 * `index`: fills the blind-index columns that are empty, for indexes declared on a model that already
 * holds encrypted data. Reads only rows that lack an index; values that are plaintext are left for
 * `encrypt`, values that do not decrypt are reported.
 */
import type { VaultCore } from "../../core/vault-core.js";
import { isOpened } from "../../core/opened.js";
import type { ModelSchema } from "../../schema/model-schema.js";
import type { Row } from "../../schema/options.js";
import { rowId } from "../../schema/rows.js";
import { indexPlan, missingIndexes } from "../index-plan.js";
import { RowWrites } from "../row-writes.js";
import type { MigrationStep } from "../step.js";
import { failureCode, openValues, unopenedAs, type StoredValue } from "../stored-values.js";

export function indexStep(model: ModelSchema, parts: { readonly core: VaultCore }): MigrationStep {
  const plan = indexPlan(model);
  return {
    writes: "none",
    where: plan.where,
    select: plan.select,
    async process(rows: readonly Row[]) {
      const out = new RowWrites(rows);
      const values: StoredValue[] = [];
      for (const [at, row] of rows.entries()) {
        const missing = missingIndexes(plan, row);
        for (let i = 0; i < missing.plaintext.length; i++) out.skip(at);
        if (missing.sealed.length === 0) continue;
        const id = rowId(model, row);
        let context;
        try {
          context = model.contextOf(row, id);
        } catch (error) {
          const code = failureCode(error);
          for (const { field } of missing.sealed) out.fail(at, { id, field: field.name, code });
          continue;
        }
        for (const { field, envelope } of missing.sealed)
          values.push({ at, field, value: envelope, context, id });
      }
      const opened = await openValues(parts.core, values);
      for (const [i, v] of values.entries()) {
        const result = opened[i];
        if (!isOpened(result)) {
          // Parses like an envelope, but its key blob has no known format: plaintext after all.
          const what = unopenedAs(result);
          if (what === "plaintext") out.skip(v.at);
          else out.fail(v.at, { id: v.id, field: v.field.name, code: what });
          continue;
        }
        const index = v.field.index;
        // Precondition: the plan lists indexed fields only.
        if (index === undefined) continue;
        out.set(v.at, index.column, parts.core.blindIndex(index.blind, result, v.context));
        out.expect(v.at, v.field.name, v.value);
      }
      return out.outcomes();
    },
  };
}

/**
 * The last check before a batch is written (defence in depth, DESIGN.md §9): a row's write is sent only
 * when every value it sets is what its mode may write there. An encrypted field takes an envelope from
 * a seal (`encrypt`, `rekey`, `rotate`) or a plaintext string from an open (`decrypt`); a blind-index
 * column takes an index; nothing else is written. A row whose write breaks this is not written at all:
 * its value is reported as failed, so a mode that goes wrong (an outcome of another copy of
 * prisma-vault taken for a plaintext, say) can never overwrite what it could not open.
 */
import { isVaultError } from "../errors.js";
import { isEnvelope } from "../format/envelope.js";
import type { ModelSchema } from "../schema/model-schema.js";
import { rowId } from "../schema/rows.js";
import type { MigrationFailedValue, MigrationFailureCode } from "./report.js";
import type { EncryptedWrites, RowOutcome } from "./step.js";

/**
 * `outcomes` with every write that sets a value its mode may not write there taken out, and reported.
 *
 * @example const outcomes = admittedWrites(model, "plaintexts", await step.process(rows));
 */
export function admittedWrites(
  model: ModelSchema,
  writes: EncryptedWrites,
  outcomes: readonly RowOutcome[],
): RowOutcome[] {
  return outcomes.map((outcome) => {
    if (outcome.write === undefined) return outcome;
    const refused = Object.entries(outcome.write.data).flatMap(([field, value]) => {
      const code = refusal(model, writes, field, value);
      return code === undefined ? [] : [{ id: rowId(model, outcome.row), field, code }];
    });
    if (refused.length === 0) return outcome;
    const { row, skipped, failed, plaintext, staleIndexes } = outcome;
    const kept: RowOutcome = {
      row,
      skipped,
      failed: [...failed, ...refused] satisfies MigrationFailedValue[],
    };
    return {
      ...kept,
      ...(plaintext !== undefined && { plaintext }),
      ...(staleIndexes !== undefined && { staleIndexes }),
    };
  });
}

/** Why `value` may not be written to `field`, as a failure code; `undefined` when it may. */
function refusal(
  model: ModelSchema,
  writes: EncryptedWrites,
  field: string,
  value: unknown,
): MigrationFailureCode | undefined {
  if (model.indexColumns.has(field)) return typeof value === "string" ? undefined : codeOf(value);
  if (!model.encrypted.has(field) || writes === "none") return "VAULT_CONFIG";
  if (typeof value !== "string") return codeOf(value);
  if (writes === "envelopes" && !isEnvelope(value)) return "VAULT_ENVELOPE_INVALID";
  return undefined;
}

/** The code of the error a failed outcome carries (whichever copy made it), else `VAULT_CONFIG`. */
function codeOf(value: unknown): MigrationFailureCode {
  const error = (value as { error?: unknown } | null | undefined)?.error;
  return isVaultError(error) ? error.code : "VAULT_CONFIG";
}

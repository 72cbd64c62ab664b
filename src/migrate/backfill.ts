/**
 * The blind-index backfill of one model: page through the rows that lack an index, decrypt their
 * envelopes, compute the indexes and store them with conditional updates, a page per batch
 * transaction. Safe beside a live application and idempotent: a rerun finds only what is still
 * missing (values that are plaintext, did not decrypt, or changed under it).
 */
import type { FieldCipher } from "../crypto/cipher.js";
import { isVaultError } from "../errors.js";
import type { VaultHandle } from "../prisma/handle.js";
import { fieldRef } from "../schema/field-ref.js";
import type { ModelSchema } from "../schema/model-schema.js";
import type { Row } from "../schema/options.js";
import { rowId } from "../schema/rows.js";
import { countRows, readPages, writeBatch } from "./batches.js";
import type { ConditionalUpdate } from "./conditional-update.js";
import { indexPlan, indexUpdate, missingIndexes, type FilledIndex, type IndexPlan } from "./index-plan.js";
import type { MigrateSettings } from "./options.js";
import type { MigrationFailedValue, MigrationModelReport } from "./report.js";

/**
 * Fills the missing blind indexes of `model`. Values that do not decrypt are reported and skipped;
 * any other error (a key provider outage, a database error) stops the run, after the pages already
 * written, which a rerun does not redo.
 */
export async function backfillIndexes(
  handle: VaultHandle,
  model: ModelSchema,
  settings: Pick<MigrateSettings, "batchSize" | "dryRun" | "onProgress">,
): Promise<MigrationModelReport> {
  const started = performance.now();
  const plan = indexPlan(model);
  const total = await countRows(handle, model, plan.where);
  const counts = { scanned: 0, updated: 0, skipped: 0, conflicts: 0 };
  const failed: MigrationFailedValue[] = [];
  const progress = () =>
    settings.onProgress({ mode: "index", model: model.name, total, ...counts, failed: failed.length });
  progress();
  const query = { where: plan.where, select: plan.select, batchSize: settings.batchSize };
  for await (const page of readPages(handle, model, query)) {
    const rows = await Promise.all(page.map((row) => indexRow(handle.cipher, plan, row)));
    const updates = rows.flatMap((row) => (row.update ? [row.update] : []));
    const changed = settings.dryRun ? updates.map(() => 1) : await writeBatch(handle, model, updates);
    counts.scanned += page.length;
    counts.updated += changed.filter((count) => count > 0).length;
    counts.conflicts += changed.filter((count) => count === 0).length;
    for (const row of rows) {
      counts.skipped += row.skipped;
      failed.push(...row.failed);
    }
    progress();
  }
  return { model: model.name, ...counts, failed, durationMs: Math.round(performance.now() - started) };
}

interface RowOutcome {
  readonly update: ConditionalUpdate | undefined;
  readonly skipped: number;
  readonly failed: readonly MigrationFailedValue[];
}

async function indexRow(cipher: FieldCipher, plan: IndexPlan, row: Row): Promise<RowOutcome> {
  const { model } = plan;
  const missing = missingIndexes(plan, row);
  const filled: FilledIndex[] = [];
  const failed: MigrationFailedValue[] = [];
  let skipped = missing.plaintext.length;
  if (missing.sealed.length > 0) {
    const id = rowId(model, row);
    const context = model.contextOf(row, id);
    for (const { field, envelope } of missing.sealed) {
      try {
        const text = await cipher.decrypt(envelope, fieldRef(field, context, id));
        filled.push({ field, envelope, index: field.index.blind.compute(text, context) });
      } catch (error) {
        // Parses like an envelope, but its key blob has no known format: plaintext after all.
        if (isVaultError(error, "VAULT_ENVELOPE_INVALID")) {
          skipped++;
          continue;
        }
        // Only a value that does not decrypt, or whose key is not configured, is the row's problem;
        // an outage is everyone's.
        if (!isVaultError(error, "VAULT_DECRYPT_FAILED") && !isVaultError(error, "VAULT_KEY_UNAVAILABLE"))
          throw error;
        failed.push({ id, field: field.name, code: error.code });
      }
    }
  }
  return {
    update: filled.length > 0 ? indexUpdate(model, row, filled) : undefined,
    skipped,
    failed,
  };
}

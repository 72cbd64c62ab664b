/**
 * `rekey`: every key blob is re-wrapped under the provider's current master key, the ciphertext left
 * untouched (`provider.rekey`; for the local ring, the active key of `PRISMA_VAULT_KEYS`). One provider
 * call per distinct blob in the run; blobs the provider says are current (`isCurrent`) are skipped
 * without a call, so a rerun calls it 0 times. After it, the old master key can be removed.
 */
import type { VaultCore } from "../../core/vault-core.js";
import { isVaultError } from "../../errors.js";
import { blobId } from "../../format/blob-format.js";
import { encodeEnvelope, type Envelope } from "../../format/envelope.js";
import type { ModelSchema } from "../../schema/model-schema.js";
import { RowWrites } from "../row-writes.js";
import { encryptedSelection, type MigrationStep } from "../step.js";
import { batchValues, failureCode, type StoredValue } from "../stored-values.js";

/** Re-wrapped blobs remembered across batches (values share few blobs); past it, the memo restarts. */
const REMEMBERED_BLOBS = 10_000;

export interface RekeyParts {
  readonly core: VaultCore;
  /** Old blob (latin1) -> its re-wrapped blob, for the whole run. */
  readonly rewrapped: Map<string, Promise<Uint8Array>>;
}

export function rekeyStep(model: ModelSchema, parts: RekeyParts): MigrationStep {
  const core = parts.core;
  core.checkRekey();
  return {
    writes: "envelopes",
    where: {},
    select: encryptedSelection(model),
    async process(rows) {
      const batch = batchValues(model, rows);
      const out = new RowWrites(rows, batch.failed);
      const pending: { v: StoredValue; envelope: Envelope; blob: Promise<Uint8Array> }[] = [];
      for (const v of batch.values) {
        let envelope: Envelope;
        try {
          envelope = core.ownedEnvelope(v.value);
        } catch (error) {
          if (isVaultError(error, "VAULT_ENVELOPE_INVALID")) out.skip(v.at);
          else out.fail(v.at, { id: v.id, field: v.field.name, code: failureCode(error) });
          continue;
        }
        const blob = envelope.encryptedKeys;
        if (core.isCurrent(blob)) {
          out.skip(v.at);
          continue;
        }
        // Precondition: a blob that names a context names the row's. Re-wrapping another tenant's
        // copied value under this row's context would make it decrypt here.
        if (!core.admits(blob, v.context)) {
          out.fail(v.at, { id: v.id, field: v.field.name, code: "VAULT_DECRYPT_FAILED" });
          continue;
        }
        pending.push({ v, envelope, blob: rewrap(parts, blob, v) });
      }
      const settled = await Promise.allSettled(pending.map((p) => p.blob));
      for (const [i, { v, envelope }] of pending.entries()) {
        const result = settled[i] as PromiseSettledResult<Uint8Array>;
        if (result.status === "rejected") {
          out.fail(v.at, { id: v.id, field: v.field.name, code: failureCode(result.reason) });
          continue;
        }
        out.set(v.at, v.field.name, encodeEnvelope({ ...envelope, encryptedKeys: result.value }));
      }
      return out.outcomes();
    },
  };
}

/** The re-wrapped blob, asked of the provider once per distinct blob of the run. */
function rewrap(parts: RekeyParts, blob: Uint8Array, v: StoredValue): Promise<Uint8Array> {
  const id = blobId(blob);
  let rewrapped = parts.rewrapped.get(id);
  if (rewrapped === undefined) {
    if (parts.rewrapped.size >= REMEMBERED_BLOBS) parts.rewrapped.clear();
    rewrapped = parts.core.rekey(blob, v.context);
    // A failed call is not remembered: the next value with this blob asks again.
    rewrapped.catch(() => parts.rewrapped.delete(id));
    parts.rewrapped.set(id, rewrapped);
  }
  return rewrapped;
}

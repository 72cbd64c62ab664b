/**
 * `encrypt`: every plaintext value of an encrypted field becomes an envelope under its row's context,
 * with its blind index; envelopes are left alone, so a rerun writes nothing. One batch seal per page:
 * key-service calls are bounded by the distinct contexts, not the rows.
 */
import type { VaultCore } from "../../core/vault-core.js";
import { isBase64 } from "../../format/is-base64.js";
import { IV_BYTES, TAG_BYTES } from "../../format/envelope-sizes.js";
import { isVaultError } from "../../errors.js";
import { fieldRefs } from "../../schema/field-ref.js";
import type { ModelSchema } from "../../schema/model-schema.js";
import { batchValues, failureCode, type StoredValue } from "../stored-values.js";
import { encryptedSelection, type MigrationStep, type RowOutcome } from "../step.js";
import { RowWrites } from "../row-writes.js";

export function encryptStep(model: ModelSchema, parts: { readonly core: VaultCore }): MigrationStep {
  const { core } = parts;
  return {
    writes: "envelopes",
    where: {},
    select: encryptedSelection(model),
    async process(rows): Promise<RowOutcome[]> {
      const batch = batchValues(model, rows);
      const out = new RowWrites(rows, batch.failed);
      const plaintexts: StoredValue[] = [];
      for (const v of batch.values) {
        if (!mayBeEnvelope(v.value)) {
          plaintexts.push(v);
          continue;
        }
        try {
          core.ownedEnvelope(v.value);
          out.skip(v.at);
        } catch (error) {
          if (isVaultError(error, "VAULT_ENVELOPE_INVALID")) plaintexts.push(v);
          else out.fail(v.at, { id: v.id, field: v.field.name, code: failureCode(error) });
        }
      }
      const refFor = fieldRefs();
      const sealing = core.sealAll(
        plaintexts.map((v) => ({ text: v.value, ref: refFor(v.field, v.context, v.id) })),
      );
      const envelopes = sealing instanceof Promise ? await sealing : sealing;
      for (const [i, v] of plaintexts.entries()) {
        const envelope = envelopes[i] as string;
        if (!core.fits(v.field, envelope)) {
          out.fail(v.at, { id: v.id, field: v.field.name, code: "VAULT_CONFIG" });
          continue;
        }
        out.set(v.at, v.field.name, envelope);
        if (v.field.index)
          out.set(v.at, v.field.index.column, core.blindIndex(v.field.index.blind, v.value, v.context));
      }
      return out.outcomes();
    },
  };
}

/** The shortest envelope text: IV, tag and a one-byte length, as padded base64. */
const SHORTEST_ENVELOPE = 4 * Math.ceil((IV_BYTES + TAG_BYTES + 1) / 3);

/**
 * False for text the envelope decoder would refuse anyway (too short, not padded base64): most
 * plaintext is told apart here without building the decoder's error.
 */
function mayBeEnvelope(text: string): boolean {
  return text.length >= SHORTEST_ENVELOPE && text.length % 4 === 0 && isBase64(text);
}

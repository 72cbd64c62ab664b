/**
 * `rotate`: every value is re-sealed under a data key created by this run (a core of its own, whose
 * cache starts empty) and under its field's own associated data, `Model.field` as declared: a field
 * renamed with `aadAs` reads without it afterwards (its blind index moves to its own name's key too).
 * The plaintext is unchanged, and so is every other blind index. Starting anew re-seals everything again, by design; a resumed run does not redo what it
 * committed. Through a KeyRouter this is how values move from one provider to another.
 */
import type { CipherItem } from "../../core/cipher-item.js";
import type { VaultCore } from "../../core/vault-core.js";
import type { FieldRef } from "../../schema/field-ref.js";
import type { Opened } from "../../core/opened.js";
import { isOpened } from "../../core/opened.js";
import { isVaultError } from "../../errors.js";
import { fieldRefs } from "../../schema/field-ref.js";
import type { EncryptedField, ModelSchema } from "../../schema/model-schema.js";
import { RowWrites } from "../row-writes.js";
import { encryptedSelection, type MigrationStep } from "../step.js";
import { batchValues, openValues, unopenedAs, type StoredValue } from "../stored-values.js";

export interface RotateParts {
  /** Opens what is stored (the application's core and cache). */
  readonly core: VaultCore;
  /** Seals anew: a core whose cache holds only data keys created by this run. */
  readonly fresh: VaultCore;
}

export function rotateStep(model: ModelSchema, parts: RotateParts): MigrationStep {
  const own = new Map([...model.encrypted.values()].map((field) => [field, ownBinding(field)]));
  return {
    writes: "envelopes",
    where: {},
    select: encryptedSelection(model),
    async process(rows) {
      // Per batch: the associated data of each (field, context) is built once.
      const refFor = fieldRefs();
      const ownRef = (v: StoredValue) => refFor(own.get(v.field) ?? v.field, v.context, v.id);
      const batch = batchValues(model, rows);
      const out = new RowWrites(rows, batch.failed);
      const opened = await openRenamed(
        parts.core,
        batch.values,
        await openValues(parts.core, batch.values),
        ownRef,
      );
      const sealed: { v: StoredValue; text: string }[] = [];
      for (const [i, v] of batch.values.entries()) {
        const result = opened[i];
        if (isOpened(result)) {
          sealed.push({ v, text: result });
          continue;
        }
        const what = unopenedAs(result);
        if (what === "plaintext") out.skip(v.at);
        else out.fail(v.at, { id: v.id, field: v.field.name, code: what });
      }
      const items: CipherItem[] = sealed.map(({ v, text }) => ({ text, ref: ownRef(v) }));
      const sealing = parts.fresh.sealAll(items);
      const envelopes = sealing instanceof Promise ? await sealing : sealing;
      for (const [i, { v, text }] of sealed.entries()) {
        const envelope = envelopes[i] as string;
        if (!parts.fresh.fits(v.field, envelope)) {
          out.fail(v.at, { id: v.id, field: v.field.name, code: "VAULT_CONFIG" });
        } else {
          out.set(v.at, v.field.name, envelope);
          // A renamed field's index moves to its own name's key with its value.
          const index = v.field.index;
          if (index?.own) out.set(v.at, index.column, parts.fresh.blindIndex(index.own, text, v.context));
        }
      }
      return out.outcomes();
    },
  };
}

/**
 * Values of a field renamed with `aadAs` that do not open under the old name are tried under the
 * field's own: a resumed or repeated rotate finds some already re-sealed.
 */
async function openRenamed(
  core: VaultCore,
  values: readonly StoredValue[],
  opened: Opened[],
  ownRef: (v: StoredValue) => FieldRef,
): Promise<Opened[]> {
  const retry = values.flatMap((v, i) => (renamed(v.field) && failedToDecrypt(opened[i]) ? [i] : []));
  if (retry.length === 0) return opened;
  const items = retry.map((i) => values[i] as StoredValue);
  const batch = core.openAll(items.map((v) => ({ text: v.value, ref: ownRef(v) })));
  await batch.ready;
  for (const [j, i] of retry.entries()) {
    const again = batch.opened[j];
    if (isOpened(again)) opened[i] = again;
  }
  return opened;
}

function failedToDecrypt(outcome: Opened | undefined): boolean {
  return outcome !== undefined && !isOpened(outcome) && isVaultError(outcome.error, "VAULT_DECRYPT_FAILED");
}

function renamed(field: EncryptedField): boolean {
  return field.aad !== undefined && (field.aad.model !== field.model || field.aad.field !== field.name);
}

/** `field` bound to its own name: `aadAs` dropped. */
function ownBinding(field: EncryptedField): EncryptedField {
  return renamed(field) ? { ...field, aad: { model: field.model, field: field.name } } : field;
}

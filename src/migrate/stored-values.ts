/**
 * The encrypted fields' values of a batch of rows, each with its row's key context and primary key,
 * and how a migration classifies a value that did not open: plaintext, a value that failed (reported,
 * the run goes on), or an outage (thrown: it stops the run).
 */
import type { KeyContext } from "../context/key-context.js";
import type { CipherItem } from "../core/cipher-item.js";
import type { VaultCore } from "../core/vault-core.js";
import type { Opened } from "../core/opened.js";
import { unopened, type Unopened } from "../core/opened.js";
import { isVaultError } from "../errors.js";
import { fieldRefs } from "../schema/field-ref.js";
import type { EncryptedField, ModelSchema } from "../schema/model-schema.js";
import type { Row } from "../schema/options.js";
import { rowId } from "../schema/rows.js";
import type { MigrationFailedValue, MigrationFailureCode } from "./report.js";

/** One stored value of an encrypted field. */
export interface StoredValue {
  /** Index of its row in the batch. */
  readonly at: number;
  readonly field: EncryptedField;
  readonly value: string;
  readonly context: KeyContext;
  readonly id: unknown;
}

/** A batch's stored values, and the values of rows whose key context could not be derived. */
export interface BatchValues {
  readonly values: readonly StoredValue[];
  /** Per row: the values that failed because the row has no valid context. */
  readonly failed: readonly (readonly MigrationFailedValue[])[];
}

/**
 * The string values of `model`'s encrypted fields in `rows` (`null` and absent values are left out).
 * A row whose context is missing or invalid contributes failures instead, one per value.
 */
export function batchValues(model: ModelSchema, rows: readonly Row[]): BatchValues {
  const values: StoredValue[] = [];
  const failed: MigrationFailedValue[][] = rows.map(() => []);
  for (const [at, row] of rows.entries()) {
    const present = [...model.encrypted.values()].filter((field) => typeof row[field.name] === "string");
    if (present.length === 0) continue;
    const id = rowId(model, row);
    let context: KeyContext;
    try {
      context = model.contextOf(row, id);
    } catch (error) {
      const code = failureCode(error);
      failed[at] = present.map((field) => ({ id, field: field.name, code }));
      continue;
    }
    for (const field of present) values.push({ at, field, value: row[field.name] as string, context, id });
  }
  return { values, failed };
}

/** Opens every value with one batch call; each result is a plaintext or an {@link Unopened}. */
export async function openValues(core: VaultCore, values: readonly StoredValue[]): Promise<Opened[]> {
  const refFor = fieldRefs();
  const items: CipherItem[] = values.map((v) => ({ text: v.value, ref: refFor(v.field, v.context, v.id) }));
  const batch = core.openAll(items);
  await batch.ready;
  return batch.opened.map((opened) => opened ?? unopened(new Error("a value was left unopened")));
}

/**
 * What a value that did not open is: `"plaintext"` (it is no envelope), or the code of a failure of
 * the value itself. Anything else (the key service failing, a bug) is thrown: it stops the run.
 */
export function unopenedAs(outcome: Unopened | undefined): "plaintext" | MigrationFailureCode {
  // Precondition: every value of the batch has an outcome (openValues waits for them all).
  if (outcome === undefined) throw new Error("a value was left unopened");
  const error = outcome.error;
  if (isVaultError(error, "VAULT_ENVELOPE_INVALID")) return "plaintext";
  return failureCode(error);
}

/** The code of an error that concerns one value or row; other errors are thrown. */
export function failureCode(error: unknown): MigrationFailureCode {
  for (const code of VALUE_FAILURES) if (isVaultError(error, code)) return code;
  throw error;
}

/** Errors that concern a value or its row, not the run: reported, and the run goes on. */
const VALUE_FAILURES = [
  "VAULT_DECRYPT_FAILED",
  "VAULT_KEY_UNAVAILABLE",
  "VAULT_CONTEXT_MISSING",
  "VAULT_CONTEXT_INVALID",
] as const;

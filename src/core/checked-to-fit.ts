/** The precondition of every write of an envelope: it fits its column. */
import { VaultConfigError } from "../errors.js";
import type { EncryptedField } from "../schema/model-schema.js";
import type { VaultCore } from "./vault-core.js";

/**
 * `envelope`, checked to fit `field`'s column.
 * Precondition: the envelope fits its column; a database in non-strict mode would cut it silently.
 */
export function checkedToFit(core: VaultCore, field: EncryptedField, envelope: string, id: unknown): string {
  if (!core.fits(field, envelope)) {
    throw new VaultConfigError(
      `the envelope is ${envelope.length} characters and the column holds ${String(field.capacity)}; use a larger text column`,
      { model: field.model, field: field.name, id },
    );
  }
  return envelope;
}

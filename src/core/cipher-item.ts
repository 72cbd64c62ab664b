/** One value of a batch for {@link FieldCipher}: the text to seal or open, and where it lives. */
import type { FieldRef } from "../schema/field-ref.js";

/** One value of a batch: a plaintext to seal or an envelope to open, and where it lives. */
export interface CipherItem {
  /** The plaintext (to seal) or the envelope (to open). */
  readonly text: string;
  /** Where the value lives: its key context and associated data. */
  readonly ref: FieldRef;
}

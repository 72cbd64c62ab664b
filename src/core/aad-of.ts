/** The associated data of a value: its {@link FieldRef}'s, or the default one of its model, field and context. */
import { associatedData } from "../context/key-context.js";
import type { FieldRef } from "../schema/field-ref.js";

/** The associated data of a batch's values as bytes, encoded once per distinct string. */
export class AadBytes {
  readonly #bytes = new Map<string, Uint8Array>();

  of(ref: FieldRef): Uint8Array {
    const text = aadOf(ref);
    let bytes = this.#bytes.get(text);
    if (bytes === undefined) {
      bytes = Buffer.from(text, "utf8");
      this.#bytes.set(text, bytes);
    }
    return bytes;
  }
}

export function aadOf(ref: FieldRef): string {
  return ref.aad ?? associatedData(ref.model, ref.field, ref.context);
}

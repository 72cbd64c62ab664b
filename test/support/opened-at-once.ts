/**
 * What `FieldCipher.openAll` knows of one envelope without waiting: its plaintext, or a throw of why
 * it did not open; `undefined` when its data key must first be fetched.
 */
import { isOpened } from "../../src/core/opened.js";
import { type FieldCipher } from "../../src/core/cipher.js";
import { type FieldRef } from "../../src/schema/field-ref.js";

export function openedAtOnce(cipher: FieldCipher, text: string, ref: FieldRef): string | undefined {
  const { opened, ready } = cipher.openAll([{ text, ref }]);
  if (ready !== undefined) return undefined;
  const outcome = opened[0];
  if (isOpened(outcome)) return outcome;
  throw outcome?.error;
}

/**
 * {@link FieldRef}: where a value lives. And the FieldRef of an encrypted field's value in a row: which model and field, under which key
 * context, with which associated data, and the row's id for errors. Pure.
 */
import { associatedData, canonicalize, validContext, type KeyContext } from "../context/key-context.js";
import type { EncryptedField } from "./model-schema.js";

/** Where a value lives: it decides the key (context) and the associated data. */
export interface FieldRef {
  /** The Prisma model name: part of the associated data, and named in errors. */
  readonly model: string;
  /** The field name: part of the associated data, and named in errors. */
  readonly field: string;
  /** The key context: picks the data key (one per tenant) and is part of the associated data. */
  readonly context: KeyContext;
  /** The row's primary key, for error messages only. */
  readonly id?: unknown;
  /** Overrides the associated data; `""` means none. Default: `associatedData(model, field, context)`. */
  readonly aad?: string;
}

/** The FieldRef of a value of `field` in a row with `context`. */
export function fieldRef(field: EncryptedField, context: KeyContext, id?: unknown): FieldRef {
  const aad = field.aad === undefined ? "" : associatedData(field.aad.model, field.aad.field, context);
  return refOf(field, context, aad, id);
}

/**
 * {@link fieldRef} for a batch: the associated data of each (field, context) pair is built once and
 * shared, as the rows of a result share few tenants (and the cipher then encodes each string once).
 */
export function fieldRefs(): (field: EncryptedField, context: KeyContext, id?: unknown) => FieldRef {
  const built = new Map<EncryptedField, Map<string, string>>();
  return (field, context, id) => {
    if (field.aad === undefined) return refOf(field, context, "", id);
    const canonical = canonicalize(validContext(context));
    let byContext = built.get(field);
    if (byContext === undefined) built.set(field, (byContext = new Map<string, string>()));
    let aad = byContext.get(canonical);
    if (aad === undefined) {
      aad = associatedData(field.aad.model, field.aad.field, context);
      byContext.set(canonical, aad);
    }
    return refOf(field, context, aad, id);
  };
}

function refOf(field: EncryptedField, context: KeyContext, aad: string, id: unknown): FieldRef {
  return id === undefined
    ? { model: field.model, field: field.name, context, aad }
    : { model: field.model, field: field.name, context, aad, id };
}

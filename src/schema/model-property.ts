/**
 * The property name Prisma gives a model on its client (`User` -> `user`): a fact of the data model that
 * the shells (their delegates, the generator's `vaultOmit`) and the object store all need.
 */

/** The model property name Prisma uses for a model (`User` -> `user`). */
export function modelProperty(model: string): string {
  return model.charAt(0).toLowerCase() + model.slice(1);
}

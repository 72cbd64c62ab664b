/**
 * vault() must be the last query extension. Prisma runs query extensions in the order they were
 * applied, the first outermost: one applied after vault() runs between it and the database, sees
 * envelopes, and whatever it adds to a write's data reaches the database unencrypted. The extended
 * client's `$extends` is replaced by a guard that refuses such an extension when it is applied.
 */
import { VaultConfigError } from "../errors.js";
import type { VaultSchema } from "../schema/model-schema.js";
import { inertModels } from "../schema/relations.js";
import { isObject } from "../client/prisma-object.js";
import { modelProperty } from "../schema/model-property.js";

type Extends = (this: unknown, extension: unknown) => unknown;

/**
 * The `$extends` of the client vault() returns: Prisma's own, after refusing an extension whose
 * `query` component reaches a model with encrypted fields. Extensions given as functions (what
 * `Prisma.defineExtension` returns) call `client.$extends` with their object, so they pass here too.
 */
export function lastQueryExtensionGuard(client: unknown, schema: VaultSchema): Extends {
  const original = (client as { $extends: Extends }).$extends;
  const guarded = guardedKeys(schema);
  return function $extends(this: unknown, extension: unknown): unknown {
    const query = isObject(extension) ? extension["query"] : undefined;
    if (isObject(query)) {
      const key = Object.keys(query).find((name) => guarded.has(name));
      if (key !== undefined) {
        throw new VaultConfigError(
          `a query extension on "${key}" is applied after vault(): it would see envelopes and could write plaintext; ` +
            "apply it before vault() (vault() must be the last query extension)",
        );
      }
    }
    return original.call(this, extension);
  };
}

/** The `query` keys that reach encrypted data: every model, every operation, and models that lead to one. */
function guardedKeys(schema: VaultSchema): Set<string> {
  const inert = inertModels(schema);
  const models = [...schema.models.keys()].filter((name) => !inert.has(name));
  return new Set(["$allModels", "$allOperations", ...models, ...models.map(modelProperty)]);
}

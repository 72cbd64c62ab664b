/** The relation graph of a schema, as the traversals need it. */
import type { VaultSchema } from "./model-schema.js";

/** Models whose relation graph holds no encrypted field. */
export function inertModels(schema: VaultSchema): Set<string> {
  const live = new Set([...schema.models.values()].filter((m) => m.encrypted.size > 0).map((m) => m.name));
  let grew = true;
  while (grew) {
    grew = false;
    for (const model of schema.models.values()) {
      if (live.has(model.name)) continue;
      if ([...model.relations.values()].some((r) => live.has(r.target))) {
        live.add(model.name);
        grew = true;
      }
    }
  }
  return new Set([...schema.models.keys()].filter((name) => !live.has(name)));
}

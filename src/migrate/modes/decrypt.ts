/**
 * `decrypt`: every envelope becomes its plaintext again, byte for byte (leaving prisma-vault, or a
 * field). Plaintext values are left alone, so a rerun writes nothing; blind indexes are left as they
 * are. Key-service calls are bounded by the distinct key blobs.
 */
import type { VaultCore } from "../../core/vault-core.js";
import type { ModelSchema } from "../../schema/model-schema.js";
import { openingStep } from "../opening-step.js";
import type { MigrationStep } from "../step.js";

export function decryptStep(model: ModelSchema, parts: { readonly core: VaultCore }): MigrationStep {
  return openingStep(model, parts.core, "plaintexts", (out, v, opened) => {
    if ("text" in opened) out.set(v.at, v.field.name, opened.text);
    else if ("plaintext" in opened) out.skip(v.at);
    else out.fail(v.at, { id: v.id, field: v.field.name, code: opened.failed });
  });
}

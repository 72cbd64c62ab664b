/**
 * `decrypt`: every envelope becomes its plaintext again, byte for byte (leaving prisma-vault, or a
 * field). Plaintext values are left alone, so a rerun writes nothing; blind indexes are left as they
 * are. Key-service calls are bounded by the distinct key blobs.
 */
import type { FieldCipher } from "../../crypto/cipher.js";
import { Unopened } from "../../crypto/cipher.js";
import type { ModelSchema } from "../../schema/model-schema.js";
import { RowWrites } from "../row-writes.js";
import { encryptedSelection, type MigrationStep } from "../step.js";
import { batchValues, openValues, unopenedAs } from "../stored-values.js";

export function decryptStep(model: ModelSchema, parts: { readonly cipher: FieldCipher }): MigrationStep {
  return {
    where: {},
    select: encryptedSelection(model),
    async process(rows) {
      const batch = batchValues(model, rows);
      const out = new RowWrites(rows, batch.failed);
      const opened = await openValues(parts.cipher, batch.values);
      for (const [i, v] of batch.values.entries()) {
        const result = opened[i];
        if (!(result instanceof Unopened)) {
          out.set(v.at, v.field.name, result);
          continue;
        }
        const what = unopenedAs(result);
        if (what === "plaintext") out.skip(v.at);
        else out.fail(v.at, { id: v.id, field: v.field.name, code: what });
      }
      return out.outcomes();
    },
  };
}

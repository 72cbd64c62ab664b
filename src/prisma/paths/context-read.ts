/**
 * The reads an update makes before it is sent: the context fields its data does not give, and the
 * stored row of an update that may move it to another context. They return what they found; the
 * update path decides what to seal and how to pin the write.
 */
import { contextMissing, unsupportedQuery } from "../../error-messages.js";
import { VaultContextMissingError, VaultUnsupportedQueryError } from "../../errors.js";
import type { EncryptedField, ModelSchema, VaultSchema } from "../../schema/model-schema.js";
import type { Row } from "../../schema/options.js";
import type { PrismaObject } from "../../client/prisma-object.js";
import { rowsAlong, selectAlong } from "../locator-reads.js";
import { movingRowSelect } from "../moving-row.js";
import type { ContextNeed } from "../plan/write.js";
import { delegate, type AnyClient } from "../../client/delegate.js";

/**
 * Reads the context fields `needs` names from the row `where` finds on `top` and the rows along each
 * need's locator: `{}` when nothing is needed, `undefined` when the row (or a located one) does not exist.
 */
export async function readNeeds(
  schema: VaultSchema,
  reader: AnyClient,
  top: ModelSchema,
  where: PrismaObject,
  needs: readonly ContextNeed[],
): Promise<Row | undefined> {
  if (needs.length === 0) return {};
  const byLocator = new Map<string, ContextNeed[]>();
  for (const need of needs) {
    const key = JSON.stringify(need.locator);
    byLocator.set(key, [...(byLocator.get(key) ?? []), need]);
  }
  const out: Record<string, unknown> = {};
  for (const group of byLocator.values()) {
    const locator = (group[0] as ContextNeed).locator;
    const columns = group.map((need) => need.column);
    const row = await delegate(reader, top.name)["findUnique"]?.({
      where,
      select: selectAlong(schema, top, locator, columns),
    });
    const rows = rowsAlong(row, locator);
    if (rows.length === 0) return undefined;
    for (const need of group) {
      const values = new Set(rows.map((r) => r[need.column]));
      if (values.size > 1) {
        throw new VaultUnsupportedQueryError(unsupportedQuery.nestedWriteSpansContexts, {
          model: top.name,
          field: need.field,
        });
      }
      out[need.field] = rows[0]?.[need.column];
    }
  }
  return out;
}

/** The row an update reads before it may move the row to another context (`null`: none matches). */
export async function readMovingRow(
  reader: AnyClient,
  model: ModelSchema,
  where: PrismaObject,
  stale: readonly EncryptedField[],
): Promise<PrismaObject | null> {
  const select = movingRowSelect(model, stale);
  return ((await delegate(reader, model.name)["findUnique"]?.({ where, select })) ??
    null) as PrismaObject | null;
}

/** An update whose context had to be read found no row. */
export function notFound(model: ModelSchema): VaultContextMissingError {
  return new VaultContextMissingError(contextMissing.noRowMatches, { model: model.name });
}

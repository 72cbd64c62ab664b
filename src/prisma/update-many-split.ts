/**
 * Pure: how an `updateMany` is sent when its rows sit in several key contexts. Values are sealed per
 * context, so the update goes out as one part per context the rows read hold, and as one part per row
 * whose context changes while stored values must follow it (re-sealed for that row alone).
 */
import { canonicalize, type KeyContext } from "../context/key-context.js";
import { unsupportedQuery } from "../error-messages.js";
import { VaultUnsupportedQueryError } from "../errors.js";
import type { EncryptedField, ModelSchema } from "../schema/model-schema.js";
import type { Row } from "../schema/options.js";
import type { PrismaObject } from "../client/prisma-object.js";
import { andWhere } from "./update-guards.js";
import { rowGuard } from "./moving-row.js";
import { pkEquals, rowId } from "../schema/rows.js";

/** One update to send: the rows its `where` matches share a context, and its values are sealed for `context`. */
export interface UpdateManyPart {
  /** The base `where`, pinned to the part's stored context (and, for a moving row, its key and values). */
  readonly where: PrismaObject;
  /** The context the rows have after the update: the new values are sealed under it. */
  readonly context: KeyContext;
  /** The context the rows have now. */
  readonly previous: KeyContext;
  /** The update changes the rows' context. */
  readonly changes: boolean;
  /** The one row of a part whose stored values move to `context` (re-sealed), else `undefined`. */
  readonly moving: PrismaObject | undefined;
  /** The moving row's primary key (for error messages), else `undefined`. */
  readonly id: unknown;
  /** The rows read that the part updates. */
  readonly rows: readonly PrismaObject[];
}

/** What the caller allows: a `limit` cannot be split, and a batch `$transaction` takes one write. */
export interface SplitLimits {
  /** The update has a `limit`. */
  readonly limited: boolean;
  /** The update is part of a batch `$transaction([...])`. */
  readonly inBatch: boolean;
}

/**
 * The parts to send for an `updateMany` on `model` whose `where` matched `rows` (read with their
 * context, primary key and `stale` values), setting the context fields in `known`. Rows that keep
 * their context come first. `rows` and `where` are not changed.
 *
 * @example
 * splitUpdateMany(user, [{ id: 1, organizationId: "o1" }, { id: 2, organizationId: "o2" }], {}, [], {}, limits)
 * // two parts, where { AND: [{ organizationId: "o1" }] } and { AND: [{ organizationId: "o2" }] }
 */
export function splitUpdateMany(
  model: ModelSchema,
  rows: readonly PrismaObject[],
  known: Row,
  stale: readonly EncryptedField[],
  where: PrismaObject,
  limits: SplitLimits,
): UpdateManyPart[] {
  const parts = new Map<string, UpdateManyPart & { readonly rows: PrismaObject[] }>();
  for (const [index, row] of rows.entries()) {
    const id = rowId(model, row);
    const previous = model.contextOf(row, id);
    const context = model.contextOf({ ...row, ...known }, id);
    const from = canonicalize(previous);
    const changes = from !== canonicalize(context);
    const moves = stale.length > 0 && changes;
    // Precondition: a row whose values move to another context is updated alone, by primary key.
    if (moves && model.primaryKey.length === 0) {
      throw new VaultUnsupportedQueryError(unsupportedQuery.movingRowsWithoutPrimaryKey, {
        model: model.name,
      });
    }
    const key = moves ? `row:${index}` : `ctx:${from}`;
    // A moving row is also pinned to the stored values it re-seals, so a concurrent write is not undone.
    const pinned = moves
      ? { ...pkEquals(model, row), ...rowGuard(model, row, stale) }
      : rowGuard(model, row, []);
    const part = parts.get(key) ?? {
      where: andWhere(where, pinned),
      rows: [],
      context,
      previous,
      changes,
      moving: moves ? row : undefined,
      id: moves ? id : undefined,
    };
    part.rows.push(row);
    parts.set(key, part);
  }
  if (parts.size > 1 && limits.limited) {
    throw new VaultUnsupportedQueryError(unsupportedQuery.updateManyLimitOverContexts, { model: model.name });
  }
  if (parts.size > 1 && limits.inBatch) {
    throw new VaultUnsupportedQueryError(unsupportedQuery.updateManyBatchOverContexts, { model: model.name });
  }
  // Rows that keep their context go first: a part that moves rows into a context whose own part had
  // not run yet would be matched by it again (counted and returned twice).
  return [...parts.values()].sort((a, b) => Number(a.changes) - Number(b.changes));
}

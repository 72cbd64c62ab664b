/**
 * The update path (`update`, `upsert`). When the arguments give every row's context, values are sealed
 * and sent at once. Otherwise the contexts are read first, in a transaction: the missing context fields,
 * or, when the update sets a context field, the stored row, whose values not written by the update are
 * re-sealed under its new context. The reads' findings are added to the arguments once, at the end.
 */
import { canonicalize, type KeyContext } from "../../context/key-context.js";
import { unsupportedQuery } from "../../error-messages.js";
import { VaultUnsupportedQueryError } from "../../errors.js";
import type { EncryptedField } from "../../schema/model-schema.js";
import type { PrismaObject } from "../../client/prisma-object.js";
import { argsWithFindings, type ReadFindings } from "../args-with-findings.js";
import { rowGuard, staleFields, writesEveryEncryptedField } from "../moving-row.js";
import { sealValues } from "../values.js";
import { planWrite, type WriteUnit } from "../plan/write.js";
import type { AnyClient } from "../../client/delegate.js";
import type { PathContext } from "./context.js";
import { notFound, readMovingRow, readNeeds } from "./context-read.js";
import { sealUnderKnownContexts } from "./create.js";
import { readResult } from "./read.js";
import { resealed } from "./reseal.js";
import { inTransaction } from "./transaction.js";
import { rowId } from "../../schema/rows.js";

/** A unit's context, and for the top-level row what its write must carry. */
interface UnitFindings extends ReadFindings {
  readonly context: KeyContext;
}

export async function update(path: PathContext, args: unknown): Promise<unknown> {
  const plan = planWrite(path.schema, path.model, path.operation, args);
  const topUnit = plan.units.find((unit) => unit.kind === "update" && unit.locator?.length === 0);
  const needsRead = plan.units.some((unit) => unit.needs.length > 0) || (topUnit?.setsContext ?? false);
  refuseNestedMoves(plan.units, topUnit);
  if (!needsRead) {
    await sealUnderKnownContexts(path.core, plan.units);
    return readResult(path, plan.args, path.query, path.commits);
  }
  // The top-level row's data: `data`, or an upsert's `update` branch.
  const dataKey = path.operation === "upsert" ? "update" : "data";
  return inTransaction(path, async ({ reader, exec, commits }) => {
    const where = plan.args["where"] as PrismaObject;
    const contexts = new Map<WriteUnit, KeyContext>();
    let top: ReadFindings = {};
    for (const unit of plan.units) {
      const found = await readUnit(path, reader, where, unit, unit === topUnit, contexts);
      contexts.set(unit, found.context);
      if (unit === topUnit) top = found;
      await sealValues(path.core, unit.values, found.context, unit.id);
    }
    return readResult(path, argsWithFindings(plan.args, dataKey, top), exec, commits);
  });
}

/**
 * Precondition: a nested update that changes its row's context writes every encrypted field; nothing
 * re-seals the stored values it leaves behind.
 */
function refuseNestedMoves(units: readonly WriteUnit[], topUnit: WriteUnit | undefined): void {
  for (const unit of units) {
    if (unit.setsContext && unit !== topUnit && unit.kind === "update" && !writesEveryEncryptedField(unit)) {
      throw new VaultUnsupportedQueryError(unsupportedQuery.nestedUpdateMoves, { model: unit.model.name });
    }
  }
}

/** Reads what `unit` needs and returns the context to seal it under (and the top row's guard and re-sealed values). */
async function readUnit(
  path: PathContext,
  reader: AnyClient,
  where: PrismaObject,
  unit: WriteUnit,
  isTop: boolean,
  contexts: ReadonlyMap<WriteUnit, KeyContext>,
): Promise<UnitFindings> {
  // The update branch of an upsert whose row does not exist will not run: seal it like the row it creates.
  const fallback = unit.fallback && contexts.get(unit.fallback);
  if (isTop && unit.setsContext) {
    // A top-level update that sets a context field may move the row: read what must follow it.
    const stale = staleFields(path.top, unit);
    const stored = await readMovingRow(reader, path.top, where, stale);
    if (stored) {
      const context = unit.model.contextOf({ ...stored, ...unit.known });
      return { context, ...(await moveRow(path, stored, stale, context)) };
    }
    if (!fallback) throw notFound(unit.model);
    return { context: fallback };
  }
  const resolved = await readNeeds(path.schema, reader, path.top, where, unit.needs);
  if (resolved === undefined) {
    if (!fallback) throw notFound(unit.model);
    return { context: fallback };
  }
  const context = unit.model.contextOf({ ...resolved, ...unit.known });
  // Pin the update to the context it was sealed for: in a batch the read ran before the batch,
  // and a row moved earlier in it must fail rather than take values sealed for its old tenant.
  const pinned = isTop && unit.needs.length > 0 && path.operation === "update";
  return pinned ? { context, guard: resolved } : { context };
}

/**
 * The update sets a context field of `row`: if its context changes, its `stale` values are re-sealed
 * under `next`. Either way an update is pinned to the context it read.
 */
async function moveRow(
  path: PathContext,
  row: PrismaObject,
  stale: readonly EncryptedField[],
  next: KeyContext,
): Promise<ReadFindings> {
  const id = rowId(path.top, row);
  const previous = path.top.contextOf(row, id);
  const moves = canonicalize(previous) !== canonicalize(next);
  const values = moves ? await resealed(path.core, stale, row, previous, next, id) : undefined;
  // Fail closed if the row changed after it was read (a batch transaction reads outside the batch):
  // also when it stays put, as a row moved away earlier in the batch would come back with values
  // sealed for the context it left.
  const guard = path.operation === "update" ? rowGuard(path.top, row, moves ? stale : []) : undefined;
  return { guard, resealed: values };
}

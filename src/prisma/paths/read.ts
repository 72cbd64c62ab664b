/**
 * The read path, and the last step of every write that returns rows: send the query with the context
 * fields it needs added to the selection, then decrypt the result in place and strip what was added.
 */
import { markCommitted } from "../../mark-committed.js";
import type { PrismaObject } from "../../client/prisma-object.js";
import { globalOmit } from "../../client/internals.js";
import { planSelection, shapeAt } from "../plan/selection.js";
import { openResult } from "../values.js";
import type { PathContext, Query } from "./context.js";

/**
 * A `find*` or `delete`: a delete has committed once it returns (outside an interactive transaction),
 * so a result that does not decrypt is then reported with `committed: true`.
 */
export function read(path: PathContext, args: PrismaObject | undefined): Promise<unknown> {
  return readResult(path, args, path.query, path.operation === "delete" && path.commits);
}

/**
 * Sends `args` through `query` with context fields added to the selection, then decrypts and strips the
 * result. `committed`: the query is a write that has committed once it returns, so a result that does
 * not decrypt is reported with `committed: true`.
 */
export async function readResult(
  path: PathContext,
  args: PrismaObject | undefined,
  query: Query,
  committed: boolean,
): Promise<unknown> {
  const planned = planSelection(path.schema, path.model, args, globalOmit(path.client));
  const result = await query(planned.args);
  const shape = shapeAt(planned.shape, path.dataPath);
  if (!shape) return result;
  try {
    await openResult(path.core, shape, result, path.policy, path.audit);
  } catch (error) {
    throw committed ? markCommitted(error) : error;
  }
  return result;
}

/**
 * The `updateMany` / `updateManyAndReturn` path. Its rows may sit in several key contexts: they are
 * read first (in a transaction), and the update is sent as one part per context, or per row when the
 * row moves to another context and its stored values must follow it (see update-many-split.ts).
 * When `where` pins the context by equality and nothing moves, the update is sealed and sent at once.
 */
import type { PrismaObject } from "../../client/prisma-object.js";
import { argsWithFindings } from "../args-with-findings.js";
import { movingRowSelect, staleFields } from "../moving-row.js";
import { splitUpdateMany } from "../update-many-split.js";
import { sealValues } from "../values.js";
import { planWrite, type WriteUnit } from "../plan/write.js";
import { delegate } from "../../client/delegate.js";
import type { PathContext } from "./context.js";
import { readResult } from "./read.js";
import { resealed } from "./reseal.js";
import { inTransaction } from "./transaction.js";

export async function updateMany(path: PathContext, args: PrismaObject): Promise<unknown> {
  const { schema, core, model, operation, top } = path;
  const plan = planWrite(schema, model, operation, args);
  const unit = plan.units[0];
  const returning = operation === "updateManyAndReturn";
  // Nothing to seal, but the plan may still clear index columns beside null values.
  if (!unit) return returning ? readResult(path, plan.args, path.query, path.commits) : path.query(plan.args);
  // `where` pins every context field and `data` moves no row: every row it reaches is in one context.
  if (unit.needs.length === 0 && !unit.setsContext) {
    await sealValues(core, unit.values, top.contextOf(unit.known, unit.id), unit.id);
    return returning ? readResult(path, plan.args, path.query, path.commits) : path.query(plan.args);
  }
  return inTransaction(path, async ({ reader, exec, commits }) => {
    const where = (plan.args["where"] as PrismaObject | undefined) ?? {};
    const stale = unit.setsContext ? staleFields(top, unit) : [];
    const select = movingRowSelect(top, stale);
    const rows = (await delegate(reader, model)["findMany"]?.({ where, select })) as PrismaObject[];
    const parts = splitUpdateMany(top, rows, unit.known, stale, where, {
      limited: args["limit"] !== undefined,
      inBatch: path.batch,
    });
    let count = 0;
    const returned: unknown[] = [];
    for (const part of parts) {
      const planned = planWrite(schema, model, operation, {
        ...plan.args,
        where: part.where,
        data: args["data"],
      });
      await sealValues(core, (planned.units[0] as WriteUnit).values, part.context, part.id);
      const moved =
        part.moving && (await resealed(core, stale, part.moving, part.previous, part.context, part.id));
      const sent = argsWithFindings(planned.args, "data", { resealed: moved });
      const result = returning ? await readResult(path, sent, exec, commits) : await exec(sent);
      if (Array.isArray(result)) returned.push(...(result as unknown[]));
      else count += (result as { count: number }).count;
    }
    return returning ? returned : { count };
  });
}

/**
 * The create path (`create`, `createMany`, `createManyAndReturn`): every row's context is in its data
 * (or its parent's), so values are sealed without reading anything first.
 */
import type { VaultCore } from "../../core/vault-core.js";
import { sealValues } from "../values.js";
import { planWrite, type WriteUnit } from "../plan/write.js";
import type { PathContext } from "./context.js";
import { readResult } from "./read.js";

export async function create(path: PathContext, args: unknown): Promise<unknown> {
  const plan = planWrite(path.schema, path.model, path.operation, args);
  await sealUnderKnownContexts(path.core, plan.units);
  return path.operation === "createMany"
    ? path.query(plan.args)
    : readResult(path, plan.args, path.query, path.commits);
}

/** Seals each unit's values under the context its arguments give: the write needs no read. */
export async function sealUnderKnownContexts(core: VaultCore, units: readonly WriteUnit[]): Promise<void> {
  await Promise.all(
    units.map((unit) => sealValues(core, unit.values, unit.model.contextOf(unit.known, unit.id), unit.id)),
  );
}

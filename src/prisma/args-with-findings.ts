/**
 * Pure: the arguments a write is sent with, built once from its plan and what the reads before it
 * found. The plan stays as planned (its values sealed in place); the reads' findings are added here.
 */
import type { PrismaObject } from "../client/prisma-object.js";
import { andWhere } from "./update-guards.js";

/** What the reads before a write add to its arguments. */
export interface ReadFindings {
  /** Conditions AND-ed to the write's `where`: the context (and values) it was sealed for. */
  readonly guard?: PrismaObject | undefined;
  /** Stored values re-sealed under the row's new context, with their blind indexes: added to the data. */
  readonly resealed?: PrismaObject | undefined;
}

/**
 * `args` with `findings` added: the guard to `where`, the re-sealed values to the object at `dataKey`
 * (`data`, or `update` for an upsert). New objects where something is added; `args` is not changed.
 *
 * @example argsWithFindings({ where: { id: 1 }, data: { organizationId: "o2" } }, "data", { guard: { organizationId: "o1" } })
 * // { where: { id: 1, AND: [{ organizationId: "o1" }] }, data: { organizationId: "o2" } }
 */
export function argsWithFindings(args: PrismaObject, dataKey: string, findings: ReadFindings): PrismaObject {
  const { guard, resealed } = findings;
  if (guard === undefined && (resealed === undefined || Object.keys(resealed).length === 0)) return args;
  const out: PrismaObject = { ...args };
  if (guard !== undefined) out["where"] = andWhere(args["where"] as PrismaObject, guard);
  if (resealed !== undefined && Object.keys(resealed).length > 0)
    out[dataKey] = { ...(args[dataKey] as PrismaObject), ...resealed };
  return out;
}

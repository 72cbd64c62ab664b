/**
 * A Prisma argument or result object read without its generated types: what the planners, the
 * extension's paths and the client plumbing walk.
 */

/**
 * A Prisma argument or result object (`{ where: …, data: … }`, a row), read without its generated types.
 *
 * @example const where = args["where"] as PrismaObject | undefined;
 */
export type PrismaObject = Record<string, unknown>;

/**
 * A non-array object (plain, null-prototype or a class instance), so its keys may be read.
 *
 * @example if (isObject(args["where"])) visit(args["where"]);
 */
export function isObject(value: unknown): value is PrismaObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

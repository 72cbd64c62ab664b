/**
 * Cursor pages of `listObjects`, as pure values: the query for a page, then the page and its cursors
 * from the rows it returned. Objects are ordered by id, which sorts by creation time (ids.ts). A page
 * is read one row long, so the row past its end says whether there is more that way; the other way
 * (only when the request came with a cursor) takes one more query, {@link PageOf.neighbour}. Both
 * queries carry the plan's filters, so a cursor is set only where a page exists under them.
 *
 * `search` is Prisma's `contains`, a SQL `LIKE`, which each database reads its own way (`provider`,
 * as Prisma names it): on PostgreSQL `mode: "insensitive"` (`ILIKE`) with `%`, `_` and `\` escaped by
 * a backslash; on MySQL/MariaDB escaped the same way, under the column's collation; on SQLite (and any
 * other) the text as it is, since its `LIKE` has no escape character, and where that reads `%` or `_`
 * as a wildcard the rows are {@link searchRefinement refined} by the store.
 */
import type { ListPlan } from "./input.js";
import type { ObjectDigest } from "./shapes.js";

/** `findMany` arguments for the live objects of a page (the store adds `deletedAt: null`). */
export interface PageQuery {
  readonly where: PageWhere;
  readonly orderBy: { readonly id: "asc" | "desc" };
  readonly take: number;
}

export interface PageWhere {
  readonly id?: { readonly lt: string } | { readonly gt: string };
  readonly name?: { readonly contains: string; readonly mode?: "insensitive" };
  readonly updatedAt?: { readonly gt: Date };
}

/** Rows a refined query reads at a time: the filter it cannot say in SQL drops some of them. */
export const REFINED_BATCH = 100;

/**
 * The query for `plan`'s page on `provider`'s database. Going `before` a cursor reads backwards from
 * it and {@link pageOf} turns the rows round.
 *
 * @example pageQuery({ limit: 10, order: "desc", cursor: { side: "after", id: "secret_…" } })
 * // { where: { id: { lt: "secret_…" } }, orderBy: { id: "desc" }, take: 11 }
 */
export function pageQuery(plan: ListPlan, provider?: string): PageQuery {
  const backwards = plan.cursor?.side === "before";
  const direction = backwards ? reverse(plan.order) : plan.order;
  const id = plan.cursor === undefined ? {} : { id: beyond(direction, plan.cursor.id) };
  return { where: { ...filters(plan, provider), ...id }, orderBy: { id: direction }, take: plan.limit + 1 };
}

/**
 * What the store must still check of each row `plan`'s queries return on `provider`'s database:
 * `undefined` when the query says it all, else a test of the name. Only a search with `%` or `_` on a
 * database whose `LIKE` cannot escape them (SQLite) needs one; the query then matches a superset
 * (each wildcard matches itself too), and the test keeps the names that contain the text, ASCII
 * letters in either case as SQLite's `LIKE` compares them.
 *
 * @example searchRefinement(readList({ search: "50%" }), "sqlite")?.("Promo 50% off") // true
 */
export function searchRefinement(plan: ListPlan, provider?: string): ((name: string) => boolean) | undefined {
  if (plan.search === undefined || escapes(provider) || !/[%_]/.test(plan.search)) return undefined;
  const wanted = asciiLower(plan.search);
  return (name) => asciiLower(name).includes(wanted);
}

/**
 * `query` as a refined read asks it, {@link REFINED_BATCH} rows long: from its start, or past the row
 * `lastId` it read last.
 *
 * @example continuedQuery(query, "secret_…").where.id // { lt: "secret_…" } when newest first
 */
export function continuedQuery(query: PageQuery, lastId: string | undefined): PageQuery {
  return {
    where: lastId === undefined ? query.where : { ...query.where, id: beyond(query.orderBy.id, lastId) },
    orderBy: query.orderBy,
    take: Math.max(query.take, REFINED_BATCH),
  };
}

/** A page and its cursors, and what is still to be asked: whether anything lies past `neighbour`. */
export interface PageOf {
  readonly data: ObjectDigest[];
  readonly before: string | undefined;
  readonly after: string | undefined;
  /**
   * When set, the cursor on `side` is `cursor` (the page's edge there) if a live object lies beyond
   * this query's `where`, else absent.
   */
  readonly neighbour:
    { readonly side: "before" | "after"; readonly cursor: string; readonly query: PageQuery } | undefined;
}

/**
 * The page `rows` (as {@link pageQuery} read them, refined) make for `plan` on `provider`'s database.
 *
 * @example pageOf(plan, rows) // { data, after: "secret_…", before: undefined, neighbour: undefined }
 */
export function pageOf(plan: ListPlan, rows: readonly ObjectDigest[], provider?: string): PageOf {
  const more = rows.length > plan.limit;
  const backwards = plan.cursor?.side === "before";
  const read = rows.slice(0, plan.limit);
  const data = backwards ? read.reverse() : read;
  const first = data[0];
  const last = data[data.length - 1];
  if (first === undefined || last === undefined)
    return { data, before: undefined, after: undefined, neighbour: undefined };
  // The side the request travelled: known from the extra row.
  const ahead = more ? (backwards ? first.id : last.id) : undefined;
  // The side it came from: only a request with a cursor has anything there.
  const behindSide: "before" | "after" = backwards ? "after" : "before";
  const edge = backwards ? last : first;
  const direction = behindSide === "after" ? plan.order : reverse(plan.order);
  const neighbour =
    plan.cursor === undefined
      ? undefined
      : {
          side: behindSide,
          cursor: edge.id,
          query: {
            where: { ...filters(plan, provider), id: beyond(direction, edge.id) },
            orderBy: { id: direction },
            take: 1,
          },
        };
  return {
    data,
    before: backwards ? ahead : undefined,
    after: backwards ? undefined : ahead,
    neighbour,
  };
}

/** The `where` of `plan`'s filters, without the cursor. */
function filters(plan: ListPlan, provider: string | undefined): PageWhere {
  const search = plan.search;
  return {
    ...(search !== undefined && {
      name: escapes(provider)
        ? {
            contains: search.replace(/[\\%_]/g, "\\$&"),
            ...(insensitive(provider) && { mode: "insensitive" as const }),
          }
        : { contains: search },
    }),
    ...(plan.updatedAfter !== undefined && { updatedAt: { gt: plan.updatedAfter } }),
  };
}

/** Whether `provider`'s `LIKE` takes a backslash as its escape character without an ESCAPE clause. */
function escapes(provider: string | undefined): boolean {
  return provider === "postgresql" || provider === "cockroachdb" || provider === "mysql";
}

/** Whether Prisma takes `mode: "insensitive"` on `provider` (PostgreSQL and CockroachDB only). */
function insensitive(provider: string | undefined): boolean {
  return provider === "postgresql" || provider === "cockroachdb";
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

function beyond(direction: "asc" | "desc", id: string): { lt: string } | { gt: string } {
  return direction === "desc" ? { lt: id } : { gt: id };
}

function reverse(order: "asc" | "desc"): "asc" | "desc" {
  return order === "asc" ? "desc" : "asc";
}

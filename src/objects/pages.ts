/**
 * Cursor pages of `listObjects`, as pure values: the query for a page, then the page and its cursors
 * from the rows it returned. Objects are ordered by id, which sorts by creation time (ids.ts). A page
 * is read one row long, so the row past its end says whether there is more that way; the other way
 * (only when the request came with a cursor) takes one more query, {@link PageOf.neighbour}.
 */
import type { ListPlan } from "./input.js";
import type { ObjectDigest } from "./shapes.js";

/** `findMany` arguments for the live objects of a page (the store adds `deletedAt: null`). */
export interface PageQuery {
  readonly where: { readonly id?: { readonly lt: string } | { readonly gt: string } };
  readonly orderBy: { readonly id: "asc" | "desc" };
  readonly take: number;
}

/**
 * The query for `plan`'s page. Going `before` a cursor reads backwards from it and {@link pageOf}
 * turns the rows round.
 *
 * @example pageQuery({ limit: 10, order: "desc", cursor: { side: "after", id: "secret_…" } })
 * // { where: { id: { lt: "secret_…" } }, orderBy: { id: "desc" }, take: 11 }
 */
export function pageQuery(plan: ListPlan): PageQuery {
  const backwards = plan.cursor?.side === "before";
  const direction = backwards ? reverse(plan.order) : plan.order;
  const where = plan.cursor === undefined ? {} : { id: beyond(direction, plan.cursor.id) };
  return { where, orderBy: { id: direction }, take: plan.limit + 1 };
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
 * The page `rows` (as {@link pageQuery} read them) make for `plan`.
 *
 * @example pageOf(plan, rows) // { data, after: "secret_…", before: undefined, neighbour: undefined }
 */
export function pageOf(plan: ListPlan, rows: readonly ObjectDigest[]): PageOf {
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
          query: { where: { id: beyond(direction, edge.id) }, orderBy: { id: direction }, take: 1 },
        };
  return {
    data,
    before: backwards ? ahead : undefined,
    after: backwards ? undefined : ahead,
    neighbour,
  };
}

function beyond(direction: "asc" | "desc", id: string): { lt: string } | { gt: string } {
  return direction === "desc" ? { lt: id } : { gt: id };
}

function reverse(order: "asc" | "desc"): "asc" | "desc" {
  return order === "asc" ? "desc" : "asc";
}

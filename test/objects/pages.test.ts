import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readList } from "../../src/objects/input.js";
import {
  continuedQuery,
  pageOf,
  pageQuery,
  searchRefinement,
  type PageQuery,
} from "../../src/objects/pages.js";
import type { ObjectDigest } from "../../src/objects/shapes.js";

type Provider = "sqlite" | "postgresql" | "mysql";

/**
 * What `provider`'s database answers for `query` over `rows` (live objects): the model the store runs
 * against. `contains` is SQL's LIKE '%…%': a backslash escapes on PostgreSQL and MySQL, nothing does on
 * SQLite; ASCII case is ignored on SQLite and MySQL (a `_ci` collation), and on PostgreSQL with
 * `mode: "insensitive"` only, which Prisma takes nowhere else.
 */
function answer(
  rows: readonly ObjectDigest[],
  query: PageQuery,
  provider: Provider = "sqlite",
): ObjectDigest[] {
  const { id: bound, name, updatedAt } = query.where;
  if (name?.mode !== undefined && provider !== "postgresql") throw new Error("Unknown argument `mode`");
  const like =
    name &&
    likeContains(
      name.contains,
      provider !== "sqlite",
      provider !== "postgresql" || name.mode === "insensitive",
    );
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
  if (query.orderBy.id === "desc") sorted.reverse();
  return sorted
    .filter((row) => bound === undefined || ("lt" in bound ? row.id < bound.lt : row.id > bound.gt))
    .filter((row) => like === undefined || like.test(row.name))
    .filter((row) => updatedAt === undefined || row.updatedAt > updatedAt.gt)
    .slice(0, query.take);
}

function likeContains(pattern: string, escapes: boolean, fold: boolean): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (escapes && char === "\\" && i + 1 < pattern.length) source += literal(pattern[++i] as string);
    else if (char === "%") source += "[^]*";
    else if (char === "_") source += "[^]";
    else source += literal(char);
  }
  return new RegExp(source, fold ? "i" : "");
}

function literal(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Ids as objects named after themselves, updated at time 0. */
const digests = (ids: readonly string[]) => ids.map((id) => ({ id, name: id, updatedAt: new Date(0) }));

/** listObjects over the model, as the store does it (the refined reads and the neighbour query included). */
function list(
  rows: readonly ObjectDigest[] | readonly string[],
  options: object,
  provider: Provider = "sqlite",
) {
  const objects = rows.map((row) => (typeof row === "string" ? digests([row])[0]! : row));
  const plan = readList(options);
  const keep = searchRefinement(plan, provider);
  const read = (query: PageQuery) => {
    if (keep === undefined) return answer(objects, query, provider);
    const found: ObjectDigest[] = [];
    for (let next: PageQuery | undefined = continuedQuery(query, undefined); next !== undefined;) {
      const batch = answer(objects, next, provider);
      found.push(...batch.filter((row) => keep(row.name)));
      const last = batch[batch.length - 1];
      next =
        found.length < query.take && batch.length === next.take && last
          ? continuedQuery(next, last.id)
          : undefined;
    }
    return found.slice(0, query.take);
  };
  const page = pageOf(plan, read(pageQuery(plan, provider)), provider);
  let { before, after } = page;
  if (page.neighbour && read(page.neighbour.query).length > 0) {
    if (page.neighbour.side === "before") before = page.neighbour.cursor;
    else after = page.neighbour.cursor;
  }
  return { ids: page.data.map((o) => o.id), before, after };
}

const idSets = fc.uniqueArray(fc.stringMatching(/^secret_[0-9A-F]{4}$/), { maxLength: 60 });

describe("listObjects pages", () => {
  it("walking after from the first page, then before from the last, visits every id once, in order, both orders", () => {
    fc.assert(
      fc.property(
        idSets,
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom("asc", "desc"),
        (ids, limit, order) => {
          const expected = [...ids].sort();
          if (order === "desc") expected.reverse();
          const forward: string[] = [];
          let page = list(digests(ids), { limit, order });
          expect(page.before).toBeUndefined();
          const pages = [page];
          forward.push(...page.ids);
          while (page.after !== undefined) {
            page = list(ids, { limit, order, after: page.after });
            expect(page.before).toBe(page.ids[0]);
            forward.push(...page.ids);
            pages.push(page);
          }
          expect(forward).toEqual(expected);
          expect(pages).toHaveLength(Math.max(1, Math.ceil(ids.length / limit)));
          const backward = [...page.ids];
          while (page.before !== undefined) {
            page = list(ids, { limit, order, before: page.before });
            expect(page.after).toBe(page.ids[page.ids.length - 1]);
            backward.unshift(...page.ids);
          }
          expect(backward).toEqual(expected);
        },
      ),
    );
  });

  it("a cursor that names no object (deleted since) still pages from where it sorts", () => {
    const ids = ["secret_0001", "secret_0002", "secret_0004", "secret_0005"];
    expect(list(ids, { limit: 2, order: "asc", after: "secret_0003" })).toEqual({
      ids: ["secret_0004", "secret_0005"],
      before: "secret_0004",
      after: undefined,
    });
    expect(list(ids, { limit: 2, order: "asc", before: "secret_0003" })).toEqual({
      ids: ["secret_0001", "secret_0002"],
      before: undefined,
      after: "secret_0002",
    });
  });

  it("an empty store, or a page past the end, has no cursors", () => {
    expect(list([], {})).toEqual({ ids: [], before: undefined, after: undefined });
    expect(list(["secret_0001"], { order: "asc", after: "secret_0001" })).toEqual({
      ids: [],
      before: undefined,
      after: undefined,
    });
  });

  it("reads one row past the page, newest first by default, ten to a page", () => {
    expect(pageQuery(readList(undefined))).toEqual({ where: {}, orderBy: { id: "desc" }, take: 11 });
    expect(pageQuery(readList({ limit: 3, before: "secret_9" }))).toEqual({
      where: { id: { gt: "secret_9" } },
      orderBy: { id: "asc" },
      take: 4,
    });
  });
});

describe("listObjects pages under search and updatedAfter", () => {
  // Names over a small alphabet with LIKE's wildcards and escape in it, so that searches hit often.
  const named = fc.uniqueArray(
    fc.record({
      id: fc.stringMatching(/^secret_[0-9A-F]{3}$/),
      name: fc.stringMatching(/^[aB%_\\x]{0,4}$/),
      updatedAt: fc.integer({ min: 0, max: 4 }).map((s) => new Date(s * 1000)),
    }),
    { selector: (row) => row.id, maxLength: 50 },
  );

  const cutoffs = fc.option(
    fc.integer({ min: 0, max: 4 }).map((s) => new Date(s * 1000)),
    { nil: undefined },
  );
  const providers = fc.constantFrom<Provider>("sqlite", "postgresql", "mysql");
  const limits = fc.integer({ min: 1, max: 5 });
  const orders = fc.constantFrom("asc", "desc");
  /** The ids of `rows` under the filters (a search ignoring case), in `order`: what the pages must visit. */
  const idsUnder = (
    rows: readonly { id: string; name: string; updatedAt: Date }[],
    search: string | undefined,
    updatedAfter: Date | undefined,
    order: "asc" | "desc",
  ) => {
    const ids = rows
      .filter((row) => search === undefined || row.name.toLowerCase().includes(search.toLowerCase()))
      .filter((row) => updatedAfter === undefined || row.updatedAt > updatedAfter)
      .map((row) => row.id)
      .sort();
    return order === "desc" ? ids.reverse() : ids;
  };
  const filtersOf = (search: string | undefined, updatedAfter: Date | undefined) => ({
    ...(search !== undefined && { search }),
    ...(updatedAfter !== undefined && { updatedAfter }),
  });

  it("walking after then before visits exactly the objects under the filters, once each, on each database", () => {
    fc.assert(
      fc.property(
        named,
        fc.option(fc.stringMatching(/^[aAbB%_\\x]{1,3}$/), { nil: undefined }),
        cutoffs,
        providers,
        limits,
        orders,
        (rows, search, updatedAfter, provider, limit, order) => {
          const filters = filtersOf(search, updatedAfter);
          const expected = idsUnder(rows, search, updatedAfter, order);
          let page = list(rows, { limit, order, ...filters }, provider);
          expect(page.before).toBeUndefined();
          const forward = [...page.ids];
          while (page.after !== undefined) {
            page = list(rows, { limit, order, ...filters, after: page.after }, provider);
            // A cursor promises a page under the same filters.
            expect(page.ids.length).toBeGreaterThan(0);
            expect(page.before).toBe(page.ids[0]);
            forward.push(...page.ids);
          }
          expect(forward).toEqual(expected);
          const backward = [...page.ids];
          while (page.before !== undefined) {
            page = list(rows, { limit, order, ...filters, before: page.before }, provider);
            expect(page.ids.length).toBeGreaterThan(0);
            expect(page.after).toBe(page.ids[page.ids.length - 1]);
            backward.unshift(...page.ids);
          }
          expect(backward).toEqual(expected);
        },
      ),
    );
  });

  it("from any cursor: the page is the next objects under the filters that way, with before/after only where more of them lie", () => {
    fc.assert(
      fc.property(
        named,
        fc.option(fc.stringMatching(/^[aAbB%_\\x]{1,2}$/), { nil: undefined }),
        cutoffs,
        providers,
        limits,
        orders,
        fc.constantFrom("before", "after"),
        fc.stringMatching(/^secret_[0-9A-F]{3}$/),
        (rows, search, updatedAfter, provider, limit, order, side, cursor) => {
          const filters = filtersOf(search, updatedAfter);
          const expected = idsUnder(rows, search, updatedAfter, order);
          const beyond = (id: string) => (order === "asc" ? id > cursor : id < cursor);
          const wanted =
            side === "after"
              ? expected.filter(beyond).slice(0, limit)
              : expected.filter((id) => id !== cursor && !beyond(id)).slice(-limit);
          const page = list(rows, { limit, order, ...filters, [side]: cursor }, provider);
          expect(page.ids).toEqual(wanted);
          const first = expected.indexOf(wanted[0] as string);
          const last = expected.indexOf(wanted[wanted.length - 1] as string);
          expect(page.before).toBe(wanted.length > 0 && first > 0 ? wanted[0] : undefined);
          expect(page.after).toBe(
            wanted.length > 0 && last < expected.length - 1 ? wanted[wanted.length - 1] : undefined,
          );
        },
      ),
    );
  });

  it("% _ and \\ are escaped on PostgreSQL (case ignored) and MySQL; SQLite's LIKE cannot escape, so the store refines its rows", () => {
    const plan = readList({ search: "50%_\\", updatedAfter: new Date(5) });
    expect(pageQuery(plan, "postgresql").where).toEqual({
      name: { contains: "50\\%\\_\\\\", mode: "insensitive" },
      updatedAt: { gt: new Date(5) },
    });
    expect(pageQuery(plan, "mysql").where).toEqual({
      name: { contains: "50\\%\\_\\\\" },
      updatedAt: { gt: new Date(5) },
    });
    expect(pageQuery(plan, "sqlite").where).toEqual({
      name: { contains: "50%_\\" },
      updatedAt: { gt: new Date(5) },
    });
    expect(searchRefinement(plan, "postgresql")).toBeUndefined();
    expect(searchRefinement(plan, "mysql")).toBeUndefined();
    const keep = searchRefinement(plan, "sqlite");
    expect(keep?.("Promo 50%_\\ off")).toBe(true);
    expect(keep?.("PROMO 50%_\\")).toBe(true);
    expect(keep?.("Promo 50x_\\ off")).toBe(false);
    // Without a wildcard SQLite's LIKE says it all.
    expect(searchRefinement(readList({ search: "stripe" }), "sqlite")).toBeUndefined();
    expect(searchRefinement(readList({}), "sqlite")).toBeUndefined();
  });

  it("the neighbour query carries the filters: a cursor is set only where a page exists under them", () => {
    const plan = readList({
      search: "stripe",
      updatedAfter: new Date(5),
      after: "secret_0005",
      order: "asc",
    });
    const page = pageOf(plan, digests(["secret_0006"]), "postgresql");
    expect(page.neighbour?.query).toEqual({
      where: {
        name: { contains: "stripe", mode: "insensitive" },
        updatedAt: { gt: new Date(5) },
        id: { lt: "secret_0006" },
      },
      orderBy: { id: "desc" },
      take: 1,
    });
  });

  it("a refined read continues past the last row it read, at least 100 rows at a time", () => {
    const query = pageQuery(readList({ limit: 3, search: "a_b" }), "sqlite");
    expect(continuedQuery(query, undefined)).toEqual({ ...query, take: 100 });
    expect(continuedQuery(query, "secret_0009")).toEqual({
      where: { name: { contains: "a_b" }, id: { lt: "secret_0009" } },
      orderBy: { id: "desc" },
      take: 100,
    });
  });
});

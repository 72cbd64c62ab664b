import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readList } from "../../src/objects/input.js";
import { pageOf, pageQuery, type PageQuery } from "../../src/objects/pages.js";
import type { ObjectDigest } from "../../src/objects/shapes.js";

/** What a database answers for `query` over `ids` (live objects): the model the store runs against. */
function answer(ids: readonly string[], query: PageQuery): ObjectDigest[] {
  const bound = query.where.id;
  const sorted = [...ids].sort();
  if (query.orderBy.id === "desc") sorted.reverse();
  return sorted
    .filter((id) => bound === undefined || ("lt" in bound ? id < bound.lt : id > bound.gt))
    .slice(0, query.take)
    .map((id) => ({ id, name: id, updatedAt: new Date(0) }));
}

/** listObjects over the model, as the store does it (the neighbour query included). */
function list(ids: readonly string[], options: object) {
  const plan = readList(options);
  const page = pageOf(plan, answer(ids, pageQuery(plan)));
  let { before, after } = page;
  if (page.neighbour && answer(ids, page.neighbour.query).length > 0) {
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
          let page = list(ids, { limit, order });
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

/**
 * `listObjects`: a page of live objects under the plan of input.ts and pages.ts (cursor, order,
 * `search`, `updatedAfter`), whether a page lies before and after it, and `autoPagination()`. I/O,
 * through the object store's client.
 */
import { withAutoPagination } from "./auto-pagination.js";
import { readList, type ListObjectsOptions } from "./input.js";
import { objectRows, type ObjectClient, type RunQuery } from "./object-client.js";
import { continuedQuery, pageOf, pageQuery, searchRefinement, type PageQuery } from "./pages.js";
import { databaseProvider } from "./provider.js";
import type { ObjectDigest, ObjectList } from "./shapes.js";

/**
 * @example await listObjects(client, run, { limit: 20, search: "stripe-key:" })
 */
export async function listObjects(
  client: ObjectClient,
  run: RunQuery,
  options?: ListObjectsOptions,
): Promise<ObjectList> {
  const plan = readList(options);
  // The search is written for the database (pages.ts); nothing else in a page depends on it.
  const provider = plan.search === undefined ? undefined : databaseProvider(client);
  const keep = searchRefinement(plan, provider);
  // Up to `query.take` live objects of `query`; with `keep`, read on past the rows it drops.
  const read = async (query: PageQuery): Promise<ObjectDigest[]> => {
    const found: ObjectDigest[] = [];
    let next: PageQuery | undefined = keep === undefined ? query : continuedQuery(query, undefined);
    while (next !== undefined) {
      const asked: PageQuery = next;
      const rows = (await run(() =>
        objectRows(client)["findMany"]!({
          ...asked,
          where: { ...asked.where, deletedAt: null },
          select: { id: true, name: true, updatedAt: true },
        }),
      )) as ObjectDigest[];
      found.push(...(keep === undefined ? rows : rows.filter((row) => keep(row.name))));
      const last = rows[rows.length - 1];
      next =
        keep !== undefined && found.length < query.take && rows.length === asked.take && last !== undefined
          ? continuedQuery(asked, last.id)
          : undefined;
    }
    return found.slice(0, query.take);
  };
  const page = pageOf(plan, await read(pageQuery(plan, provider)), provider);
  let { before, after } = page;
  if (page.neighbour !== undefined) {
    const { side, cursor, query: next } = page.neighbour;
    if ((await read(next)).length > 0) {
      if (side === "before") before = cursor;
      else after = cursor;
    }
  }
  const first = {
    object: "list" as const,
    data: page.data.map((row) => ({ id: row.id, name: row.name, updatedAt: row.updatedAt })),
    listMetadata: { ...(before !== undefined && { before }), ...(after !== undefined && { after }) },
  };
  return withAutoPagination(first, options, (more) => listObjects(client, run, more));
}

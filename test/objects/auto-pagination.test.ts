import { describe, expect, it } from "vitest";
import { withAutoPagination } from "../../src/objects/auto-pagination.js";
import type { ListObjectsOptions } from "../../src/objects/input.js";
import type { ObjectList } from "../../src/objects/shapes.js";

/** Pages of `count` objects, `limit` to a page, through `after` alone; records what each call asked. */
function pager(count: number) {
  const ids = Array.from({ length: count }, (_, i) => `secret_${String(i).padStart(4, "0")}`);
  const calls: ListObjectsOptions[] = [];
  const list = (options: ListObjectsOptions = {}): Promise<ObjectList> => {
    calls.push(options);
    const start = options.after === undefined ? 0 : ids.indexOf(options.after) + 1;
    const data = ids
      .slice(start, start + (options.limit ?? 10))
      .map((id) => ({ id, name: id, updatedAt: new Date(0) }));
    const last = data[data.length - 1];
    const more = last !== undefined && ids.indexOf(last.id) < ids.length - 1;
    const page = { object: "list" as const, data, listMetadata: more ? { after: last.id } : {} };
    return Promise.resolve(withAutoPagination(page, options, list));
  };
  return { ids, calls, list };
}

describe("listObjects(…).autoPagination()", () => {
  it("without a limit: the first page, then every page through after, 100 at a time, with the call's filters and without its before", async () => {
    const { ids, calls, list } = pager(250);
    const options = { order: "asc" as const, search: "secret", before: "secret_9999" };
    const first = await list(options);
    calls.length = 0;
    expect(await first.autoPagination()).toEqual(ids.map((id) => ({ id, name: id, updatedAt: new Date(0) })));
    expect(calls).toEqual([
      { order: "asc", search: "secret", before: undefined, limit: 100, after: "secret_0009" },
      { order: "asc", search: "secret", before: undefined, limit: 100, after: "secret_0109" },
      { order: "asc", search: "secret", before: undefined, limit: 100, after: "secret_0209" },
    ]);
  });

  it("with a limit, or without more pages: the first page alone, and no call", async () => {
    const { calls, list } = pager(250);
    const limited = await list({ limit: 7 });
    const alone = await (await pager(3).list()).autoPagination();
    calls.length = 0;
    expect(await limited.autoPagination()).toEqual(limited.data);
    expect(alone).toHaveLength(3);
    expect(calls).toEqual([]);
  });

  it("is not enumerable: the page's JSON and equality are object, data and listMetadata", async () => {
    const page = await pager(3).list();
    expect(Object.keys(page)).toEqual(["object", "data", "listMetadata"]);
    expect(JSON.parse(JSON.stringify(page))).toEqual({
      object: "list",
      data: page.data.map((o) => ({ ...o, updatedAt: o.updatedAt.toISOString() })),
      listMetadata: {},
    });
    expect(typeof page.autoPagination).toBe("function");
  });
});

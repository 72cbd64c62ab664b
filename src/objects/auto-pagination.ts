/**
 * `listObjects(…).autoPagination()`, by the rules of `@workos-inc/node` 12's `AutoPaginatable`: when the
 * first call gave no `limit`, its page and every page after it, read through `after` 100 at a time with
 * the same filters and order (a `before` is dropped); when it gave one, that page alone. Without the
 * SDK's 350 ms pause between pages, which spares WorkOS's rate limit and has no use on one's own database.
 */
import { MAX_LIST_LIMIT, type ListObjectsOptions } from "./input.js";
import type { ObjectDigest, ObjectList } from "./shapes.js";

/**
 * `page` with its `autoPagination()`, which reads further pages through `list`. The method is not
 * enumerable: the page's JSON and equality are its `object`, `data` and `listMetadata`.
 *
 * @example
 * const all = await withAutoPagination(first, options, (next) => store.listObjects(next)).autoPagination();
 */
export function withAutoPagination(
  page: Omit<ObjectList, "autoPagination">,
  options: ListObjectsOptions | undefined,
  list: (options: ListObjectsOptions) => Promise<ObjectList>,
): ObjectList {
  const autoPagination = async (): Promise<ObjectDigest[]> => {
    const all = [...page.data];
    if (options?.limit !== undefined) return all;
    for (let after = page.listMetadata.after; after !== undefined;) {
      const next = await list({ ...options, before: undefined, limit: MAX_LIST_LIMIT, after });
      all.push(...next.data);
      after = next.listMetadata.after;
    }
    return all;
  };
  return Object.defineProperty({ ...page }, "autoPagination", { value: autoPagination }) as ObjectList;
}

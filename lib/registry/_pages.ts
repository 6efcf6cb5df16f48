/**
 * Lists that a registry answers in pages (`Link: <...>; rel="next"`): the
 * referrers API and the tag list. Private helper of the registry layer.
 *
 * @module
 */

import { redactUrl, RegistryError } from "../errors.ts";

/** One page of a list: its items, the path of the next page, its URL. */
export interface Page<T> {
  /** The page's items. */
  found: T[];
  /** The next page's path and query; undefined on the last page. */
  next: string | undefined;
  /** The URL the page was read from, for messages. */
  url: string;
}

/**
 * Reads every page from `first` on; undefined when `fetchPage` gives
 * undefined (the list does not exist there). More than `maxPages` pages is
 * a "server" error naming the list.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { collectPages } from "./_pages.ts";
 * const pages: Record<string, { found: number[]; next: string | undefined; url: string }> = {
 *   "/a": { found: [1, 2], next: "/a?last=2", url: "https://r.io/a" },
 *   "/a?last=2": { found: [3], next: undefined, url: "https://r.io/a?last=2" },
 * };
 * const all = await collectPages("/a", (path) => Promise.resolve(pages[path]), {
 *   what: "list",
 *   maxPages: 10,
 * });
 * assert.deepEqual(all, [1, 2, 3]);
 * ```
 */
export async function collectPages<T>(
  first: string,
  fetchPage: (path: string, page: number) => Promise<Page<T> | undefined>,
  options: { what: string; maxPages: number },
): Promise<T[] | undefined> {
  const all: T[] = [];
  let path = first;
  for (let page = 1;; page++) {
    const answer = await fetchPage(path, page);
    if (answer === undefined) return undefined;
    all.push(...answer.found);
    if (answer.next === undefined) return all;
    if (page >= options.maxPages) {
      throw new RegistryError(
        "server",
        `GET "${
          redactUrl(answer.url)
        }": the ${options.what} has more than ${options.maxPages} pages`,
        { method: "GET", url: answer.url },
      );
    }
    path = answer.next;
  }
}

/**
 * The path and query of the `rel="next"` target of a `Link` header, resolved
 * against `url`; undefined without one.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { nextPage } from "./_pages.ts";
 * const link = '</v2/a/referrers/x?last=1>; rel="next"';
 * assert.equal(nextPage(link, "https://r.io/v2/a/referrers/x"), "/v2/a/referrers/x?last=1");
 * assert.equal(nextPage(null, "https://r.io/v2/a/referrers/x"), undefined);
 * ```
 */
export function nextPage(link: string | null, url: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(",")) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match || !/;\s*rel="?next"?(\s*;|\s*$)/i.test(match[2]!)) continue;
    const target = new URL(match[1]!, url);
    return `${target.pathname}${target.search}`;
  }
  return undefined;
}

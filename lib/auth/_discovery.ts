/**
 * The first request to a host learns how it authenticates (the 401 and its
 * challenge); requests that start meanwhile wait for that answer instead of
 * each collecting a 401 of their own. Private helper of auth.ts.
 *
 * @module
 */

import type { Fetch } from "../transport/fetch.ts";
import { abortable } from "../transport/abortable.ts";
import { urlParts } from "../transport/url_parts.ts";

/**
 * Wraps `fetch` (the auth layer) so that, per host, requests wait for the
 * first one to be answered; a request that already carries credentials
 * does not wait.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { withDiscovery } from "./_discovery.ts";
 * const order: string[] = [];
 * let answer = () => {};
 * const first = new Promise<void>((resolve) => (answer = resolve));
 * const fetch = withDiscovery(async (request) => {
 *   order.push(`sent ${new URL(request.url).pathname}`);
 *   if (request.url.endsWith("/a")) await first;
 *   return new Response("ok");
 * });
 * const a = fetch(new Request("https://r.io/a"));
 * const b = fetch(new Request("https://r.io/b"));
 * await Promise.resolve();
 * assert.deepEqual(order, ["sent /a"]);
 * answer();
 * await Promise.all([a, b]);
 * assert.deepEqual(order, ["sent /a", "sent /b"]);
 * ```
 */
export function withDiscovery(fetch: Fetch): Fetch {
  const discovered = new Set<string>();
  const discovering = new Map<string, Promise<void>>();
  return async (request: Request): Promise<Response> => {
    const host = urlParts(request.url).host;
    if (discovered.has(host) || request.headers.has("authorization")) {
      return await fetch(request);
    }
    const pending = discovering.get(host);
    if (pending !== undefined) {
      await abortable(pending, request.signal);
      return await fetch(request);
    }
    const work = fetch(request);
    discovering.set(
      host,
      work.then(() => {}, () => {}).finally(() => {
        discovered.add(host);
        discovering.delete(host);
      }),
    );
    return await work;
  };
}

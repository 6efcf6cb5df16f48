/**
 * The host and path of a serialized URL without `new URL()`: the transport
 * and auth layers read them for every request.
 *
 * @module
 */

/**
 * The `host` and `pathname` of a serialized URL (a `Request`'s `url`), as
 * `new URL(url)` gives them, read without parsing for http(s).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { urlParts } from "./url_parts.ts";
 * assert.deepEqual(urlParts("https://reg.io:5000/v2/a/manifests/1?x=1"), {
 *   host: "reg.io:5000",
 *   pathname: "/v2/a/manifests/1",
 * });
 * ```
 */
export function urlParts(url: string): { host: string; pathname: string } {
  const start = url.startsWith("https://")
    ? 8
    : url.startsWith("http://")
    ? 7
    : -1;
  const slash = start < 0 ? -1 : url.indexOf("/", start);
  const host = slash < 0 ? "" : url.slice(start, slash);
  if (host === "" || /[@?#\\]/.test(host)) {
    const parsed = new URL(url);
    return { host: parsed.host, pathname: parsed.pathname };
  }
  let end = url.length;
  const query = url.indexOf("?", slash);
  if (query >= 0) end = query;
  const fragment = url.indexOf("#", slash);
  if (fragment >= 0 && fragment < end) end = fragment;
  return { host, pathname: url.slice(slash, end) };
}

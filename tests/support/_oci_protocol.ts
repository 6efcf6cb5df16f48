/**
 * Routing and response helpers of the in-memory OCI distribution server.
 *
 * @module
 */

/** A request path of the distribution API, taken apart. */
export type OciRoute =
  | { kind: "base" }
  | { kind: "manifest"; name: string; reference: string }
  | { kind: "blob"; name: string; digest: string }
  | { kind: "upload"; name: string; id: string }
  | { kind: "tags"; name: string }
  | { kind: "referrers"; name: string; digest: string };

const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*";
const NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;

/**
 * Splits a `/v2/...` path into its route, or `undefined` for other paths.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRoute } from "./_oci_protocol.ts";
 * const route = parseRoute("/v2/a/b/manifests/latest");
 * assert(route?.kind === "manifest" && route.name === "a/b");
 * ```
 */
export function parseRoute(pathname: string): OciRoute | undefined {
  if (pathname === "/v2/" || pathname === "/v2") return { kind: "base" };
  let match = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(pathname);
  if (match) return { kind: "upload", name: match[1]!, id: match[2]! };
  match = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(pathname);
  if (match) {
    return {
      kind: "manifest",
      name: match[1]!,
      reference: decodeURIComponent(match[2]!),
    };
  }
  match = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(pathname);
  if (match) {
    return {
      kind: "blob",
      name: match[1]!,
      digest: decodeURIComponent(match[2]!),
    };
  }
  match = /^\/v2\/(.+)\/tags\/list$/.exec(pathname);
  if (match) return { kind: "tags", name: match[1]! };
  match = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(pathname);
  if (match) {
    return {
      kind: "referrers",
      name: match[1]!,
      digest: decodeURIComponent(match[2]!),
    };
  }
  return undefined;
}

/**
 * Tells whether `name` is a repository name in the distribution grammar.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRepositoryName } from "./_oci_protocol.ts";
 * assert(isRepositoryName("library/alpine"));
 * assert(!isRepositoryName("Upper/case"));
 * ```
 */
export function isRepositoryName(name: string): boolean {
  return name.length <= 255 && NAME.test(name);
}

/**
 * Tells whether `reference` is a valid tag.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTag } from "./_oci_protocol.ts";
 * assert(isTag("v1.0") && !isTag(".hidden"));
 * ```
 */
export function isTag(reference: string): boolean {
  return TAG.test(reference);
}

/**
 * Builds a response carrying the distribution API version header.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { apiResponse } from "./_oci_protocol.ts";
 * const res = apiResponse(200, "{}", { "Content-Type": "application/json" });
 * assert(res.headers.get("Docker-Distribution-API-Version") === "registry/2.0");
 * await res.body?.cancel();
 * ```
 */
export function apiResponse(
  status: number,
  body: BodyInit | null,
  headers: Record<string, string> = {},
): Response {
  const all = new Headers(headers);
  all.set("Docker-Distribution-API-Version", "registry/2.0");
  return new Response(body, { status, headers: all });
}

/**
 * Builds an error answer in the distribution JSON form.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorResponse } from "./_oci_protocol.ts";
 * const res = errorResponse(404, "BLOB_UNKNOWN", "blob unknown to registry", "sha256:x");
 * const body = await res.json();
 * assert(body.errors[0].code === "BLOB_UNKNOWN");
 * ```
 */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  detail?: unknown,
): Response {
  const body = JSON.stringify({
    errors: [{ code, message, detail: detail ?? null }],
  });
  return apiResponse(status, body, {
    "Content-Type": "application/json; charset=utf-8",
  });
}

/**
 * The 404 `NAME_UNKNOWN` answer for a repository the registry does not hold.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { nameUnknown } from "./_oci_protocol.ts";
 * const res = nameUnknown("lib/app");
 * assert.equal(res.status, 404);
 * assert.deepEqual((await res.json()).errors[0].detail, { name: "lib/app" });
 * ```
 */
export function nameUnknown(name: string): Response {
  return errorResponse(
    404,
    "NAME_UNKNOWN",
    "repository name not known to registry",
    { name },
  );
}

/**
 * Joins byte chunks into one array.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { concatBytes } from "./_oci_protocol.ts";
 * assert(concatBytes([new Uint8Array([1]), new Uint8Array([2])]).length === 2);
 * ```
 */
export function concatBytes(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * The `mediaType` field of a JSON manifest body, if it has one.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { mediaTypeOf } from "./_oci_protocol.ts";
 * assert(mediaTypeOf(new TextEncoder().encode('{"mediaType":"x"}')) === "x");
 * ```
 */
export function mediaTypeOf(body: Uint8Array): string | undefined {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body));
    return typeof parsed?.mediaType === "string" ? parsed.mediaType : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The 405 answer for a method a route does not take.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { unsupported } from "./_oci_protocol.ts";
 * assert(unsupported("POST").status === 405);
 * ```
 */
export function unsupported(method: string): Response {
  return errorResponse(405, "UNSUPPORTED", "The operation is unsupported.", {
    method,
  });
}

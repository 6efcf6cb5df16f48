/**
 * The engine of `hangar mirror-validate`: tells, image by image and platform
 * by platform, whether images mirrored into a private registry are exactly
 * what the source registry serves.
 *
 * Parse a list with {@linkcode readImageList} (or one line with
 * {@linkcode parseListLine}), build clients with {@linkcode createClientFactory},
 * and iterate {@linkcode validateList} for a stream of typed results.
 *
 * @example Validate a list
 * ```ts
 * import assert from "node:assert/strict";
 * import { createClientFactory, readImageList, validateList } from "./mod.ts";
 *
 * // A registry that lacks every image; pass no `fetch` to talk to real ones.
 * const fetch = (request: Request) => {
 *   const headers = { "docker-distribution-api-version": "registry/2.0" };
 *   if (new URL(request.url).pathname === "/v2/") {
 *     return Promise.resolve(new Response("{}", { headers }));
 *   }
 *   const body = '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}';
 *   return Promise.resolve(new Response(body, { status: 404, headers }));
 * };
 * const list = new Blob(["src.example/app dst.example/app 1\n"]).stream();
 * const clients = createClientFactory({
 *   fetch,
 *   credentials: { env: {}, home: "/nonexistent" },
 * });
 * const results = [];
 * for await (const result of validateList(readImageList(list), { clients, jobs: 10 })) {
 *   results.push(result);
 * }
 * clients.close();
 * assert.equal(results.length, 1);
 * assert.ok(results[0]!.kind === "image");
 * assert.deepEqual(results[0]!.outcome?.verdict, {
 *   status: "failed",
 *   kind: "missing",
 *   reason: "source manifest does not exist",
 * });
 * ```
 *
 * @example Parse one line
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseListLine } from "./mod.ts";
 * const item = parseListLine("nginx:1.27", 1, { destination: "private.io" });
 * assert(item?.kind === "image" && item.destination.repository === "library/nginx");
 * ```
 *
 * @module
 */

// The public surface, on purpose: the pure types, the list, the verdict
// rules and engine (lib/compare.ts), the registry client (lib/registry.ts)
// and the report with its reporter interface and the hangar log reporter.
// CLI-only helpers (lib/cli/, lib/run/) are not exported.
export {
  errorFromResponse,
  FAILURE_KINDS,
  type FailureKind,
  kindForStatus,
  redactUrl,
  RegistryError,
  type RegistryErrorOptions,
} from "./lib/errors.ts";
export * from "./lib/types/digest.ts";
export * from "./lib/types/reference.ts";
export * from "./lib/types/platform.ts";
export * from "./lib/types/manifest.ts";
export * from "./lib/types/duration.ts";
export {
  type ImageEntry,
  type InvalidLine,
  type ListItem,
  type ListOptions,
  parseListLine,
  readImageList,
} from "./lib/list/image_list.ts";
export * from "./lib/compare.ts";
export * from "./lib/registry.ts";
export * from "./lib/report/report.ts";
export * from "./lib/report/reporter.ts";
export * from "./lib/report/hangar_log.ts";

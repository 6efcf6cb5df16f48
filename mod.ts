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
 * ```ts ignore
 * import { createClientFactory, readImageList, validateList } from "@hangar/mirror-validate";
 *
 * const list = (await Deno.open("list.txt")).readable;
 * const results = validateList(readImageList(list, { destination: "registry.local:5000" }), {
 *   clients: createClientFactory({ tlsVerify: false }),
 *   jobs: 10,
 * });
 * for await (const result of results) {
 *   if (result.kind === "image") console.log(result.id, result.outcome?.verdict.status);
 * }
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

export * from "./lib/errors.ts";
export * from "./lib/digest.ts";
export * from "./lib/reference.ts";
export * from "./lib/platform.ts";
export * from "./lib/manifest.ts";
export * from "./lib/image_list.ts";
export * from "./lib/compare.ts";
export * from "./lib/duration.ts";
export * from "./lib/validate_image.ts";
export * from "./lib/validate.ts";
export * from "./lib/report.ts";
export * from "./lib/clients.ts";
export * from "./lib/fetch.ts";
export * from "./lib/credentials.ts";
export * from "./lib/token_cache.ts";
export * from "./lib/registry_client.ts";
export * from "./lib/certs.ts";
export * from "./lib/login.ts";

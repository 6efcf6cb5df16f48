/**
 * The two-registry fixture of the CLI and engine tests: `src.test` and
 * `dst.test`, two in-memory {@linkcode OciRegistry}s behind one fetch that
 * routes by host, and a way to seed the same image into both (an exact
 * mirror).
 *
 * @module
 */

import type { Handler } from "./fault_registry.ts";
import { OciRegistry } from "./oci_server.ts";
import { type ImageSpec, type SeededImage, seedImage } from "./seed.ts";

/** The source registry's host. */
export const SRC_HOST = "src.test";
/** The destination registry's host. */
export const DST_HOST = "dst.test";

/**
 * A fetch that sends each request to the handler named by its URL's host;
 * any other host is refused as a closed port would be (a `TypeError`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { routeHosts } from "./two_registries.ts";
 * const fetch = routeHosts({
 *   "a.test": () => Promise.resolve(new Response("a")),
 * });
 * assert.equal(await (await fetch(new Request("http://a.test/"))).text(), "a");
 * await assert.rejects(fetch(new Request("http://b.test/")), {
 *   name: "TypeError",
 *   message: "connection refused: b.test",
 * });
 * ```
 */
export function routeHosts(handlers: Record<string, Handler>): Handler {
  return (request) => {
    const host = new URL(request.url).host;
    const handler = Object.hasOwn(handlers, host) ? handlers[host] : undefined;
    if (handler) return handler(request);
    return Promise.reject(new TypeError(`connection refused: ${host}`));
  };
}

/** Two in-memory registries behind one fetch. */
export interface TwoRegistries {
  /** `src.test`. */
  src: OciRegistry;
  /** `dst.test`. */
  dst: OciRegistry;
  /** Routes `src.test` and `dst.test` (see {@linkcode routeHosts}). */
  fetch: Handler;
}

/**
 * Makes `src.test` and `dst.test`, both empty.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { twoRegistries } from "./two_registries.ts";
 * const { dst, fetch } = twoRegistries();
 * const res = await fetch(new Request("http://dst.test/v2/"));
 * await res.body?.cancel();
 * assert.equal(res.status, 200);
 * assert.equal(dst.requests, 1);
 * ```
 */
export function twoRegistries(): TwoRegistries {
  const src = new OciRegistry({ name: "src" });
  const dst = new OciRegistry({ name: "dst" });
  const fetch = routeHosts({
    [SRC_HOST]: src.handler,
    [DST_HOST]: dst.handler,
  });
  return { src, dst, fetch };
}

/** Options of {@linkcode seedBoth}. */
export interface SeedBothOptions {
  /**
   * The repository of the copy in the destination.
   * @default the source's repository
   */
  destinationRepository?: string;
}

/**
 * Seeds `spec` as `ref` into the source and the same bytes into the
 * destination (an exact mirror); returns what the source holds.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { seedBoth, twoRegistries } from "./two_registries.ts";
 * const registries = twoRegistries();
 * const seeded = await seedBoth(registries, { repository: "lib/app", tag: "1" }, {
 *   kind: "image",
 *   format: "oci",
 *   platform: { architecture: "amd64", os: "linux" },
 * }, { destinationRepository: "mirror/app" });
 * const res = await registries.fetch(
 *   new Request("http://dst.test/v2/mirror/app/manifests/1", { method: "HEAD" }),
 * );
 * assert.equal(res.headers.get("Docker-Content-Digest"), seeded.digest);
 * ```
 */
export async function seedBoth(
  registries: { src: OciRegistry; dst: OciRegistry },
  ref: { repository: string; tag: string },
  spec: ImageSpec,
  options: SeedBothOptions = {},
): Promise<SeededImage> {
  const seeded = await seedImage(`http://${SRC_HOST}`, ref, spec, {
    fetch: registries.src.handler,
  });
  const repository = options.destinationRepository ?? ref.repository;
  await seedImage(`http://${DST_HOST}`, { ...ref, repository }, spec, {
    fetch: registries.dst.handler,
  });
  return seeded;
}

/**
 * An in-memory registry holding one single-platform (linux/amd64) OCI image
 * at `repository:tag`: the fixture of tests that need one image to pass.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { registryWithImage } from "./two_registries.ts";
 * const registry = await registryWithImage("lib/app", "1");
 * const answer = await registry.handler(new Request("http://r.test/v2/lib/app/manifests/1", { method: "HEAD" }));
 * assert.equal(answer.status, 200);
 * ```
 */
export async function registryWithImage(
  repository: string,
  tag: string,
): Promise<OciRegistry> {
  const registry = new OciRegistry();
  await seedImage("http://x.test", { repository, tag }, {
    kind: "image",
    format: "oci",
    platform: { architecture: "amd64", os: "linux" },
  }, { fetch: (r) => registry.handler(r) });
  return registry;
}

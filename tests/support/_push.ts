/**
 * Plain HTTP pushes of blobs and manifests, as the distribution API defines
 * them; works against the in-memory server and a real registry alike.
 *
 * @module
 */

import { sha256Digest } from "../../lib/types/digest.ts";
import { errorFromResponse, RegistryError } from "../../lib/errors.ts";

/** How pushes reach the registry. */
export interface PushOptions {
  /**
   * Sends a request; e.g. `(r) => registry.handler(r)` or a fetch bound to a
   * `Deno.HttpClient`.
   * @default globalThis.fetch
   */
  fetch?: (request: Request) => Promise<Response>;
  /**
   * Headers added to every request, e.g. `Authorization`.
   * @default {}
   */
  headers?: HeadersInit;
}

/**
 * Sends one request and throws a {@linkcode RegistryError} unless the status
 * is one of `expected`. The answer's body is consumed unless it is returned.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { send } from "./_push.ts";
 * const fetch = () => Promise.resolve(new Response("{}", { status: 200 }));
 * const res = await send("GET", "http://r/v2/", { fetch }, { expected: [200] });
 * assert(res.status === 200);
 * await res.body?.cancel();
 * ```
 */
export async function send(
  method: string,
  url: string,
  options: PushOptions,
  init: {
    expected: number[];
    body?: Uint8Array;
    headers?: Record<string, string>;
  },
): Promise<Response> {
  const headers = new Headers(options.headers);
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    headers.set(name, value);
  }
  const body = init.body === undefined ? undefined : new Uint8Array(init.body);
  const doFetch = options.fetch ?? ((request: Request) => fetch(request));
  const response = await doFetch(new Request(url, { method, headers, body }));
  if (!init.expected.includes(response.status)) {
    const text = await response.text();
    throw errorFromResponse(method, url, response.status, text);
  }
  return response;
}

/**
 * Pushes a blob unless the repository already has it: HEAD, then POST and a
 * monolithic PUT to the upload location.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { pushBlob } from "./_push.ts";
 * import { OciRegistry } from "./oci_server.ts";
 * const registry = new OciRegistry();
 * const digest = await pushBlob("http://r", "a/b", new Uint8Array([1, 2]), {
 *   fetch: (r) => registry.handler(r),
 * });
 * assert(registry.hasBlob(digest));
 * ```
 */
export async function pushBlob(
  baseUrl: string,
  repository: string,
  bytes: Uint8Array,
  options: PushOptions = {},
): Promise<string> {
  const digest = await sha256Digest(bytes);
  const head = await send(
    "HEAD",
    `${baseUrl}/v2/${repository}/blobs/${digest}`,
    options,
    {
      expected: [200, 404],
    },
  );
  await head.body?.cancel();
  if (head.status === 200) return digest;
  const post = await send(
    "POST",
    `${baseUrl}/v2/${repository}/blobs/uploads/`,
    options,
    {
      expected: [202],
    },
  );
  await post.body?.cancel();
  const location = post.headers.get("Location");
  if (location === null) {
    throw new RegistryError(
      "server",
      `POST "${baseUrl}/v2/${repository}/blobs/uploads/": no Location header`,
    );
  }
  const target = new URL(location, `${baseUrl}/`).toString();
  const url = `${target}${target.includes("?") ? "&" : "?"}digest=${
    encodeURIComponent(digest)
  }`;
  const put = await send("PUT", url, options, {
    expected: [201],
    body: bytes,
    headers: { "Content-Type": "application/octet-stream" },
  });
  await put.body?.cancel();
  return digest;
}

/**
 * PUTs manifest bytes under a tag or digest and returns their digest. Throws
 * when the registry announces another digest.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { putManifestBytes } from "./_push.ts";
 * import { OciRegistry } from "./oci_server.ts";
 * const registry = new OciRegistry();
 * const body = new TextEncoder().encode("{}");
 * const digest = await putManifestBytes("http://r", { repository: "a", reference: "v1" }, body,
 *   "application/vnd.oci.image.manifest.v1+json", { fetch: (r) => registry.handler(r) });
 * assert(digest.startsWith("sha256:"));
 * ```
 */
export async function putManifestBytes(
  baseUrl: string,
  ref: { repository: string; reference: string },
  body: Uint8Array,
  mediaType: string,
  options: PushOptions = {},
): Promise<string> {
  const digest = await sha256Digest(body);
  const url = `${baseUrl}/v2/${ref.repository}/manifests/${ref.reference}`;
  const response = await send("PUT", url, options, {
    expected: [201],
    body,
    headers: { "Content-Type": mediaType },
  });
  await response.body?.cancel();
  const announced = response.headers.get("Docker-Content-Digest");
  if (announced !== null && announced !== digest) {
    throw new RegistryError(
      "digest-mismatch",
      `PUT "${url}": registry announced digest "${announced}" for content "${digest}"`,
    );
  }
  return digest;
}

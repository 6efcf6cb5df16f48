/**
 * Whether a repository holds a blob: `HEAD /v2/<name>/blobs/<digest>`, no body
 * read, a redirect to storage taken as the answer. Private helper of client.ts.
 *
 * @module
 */
import { isDigest } from "../types/digest.ts";
import { redactUrl, RegistryError } from "../errors.ts";
import type { Fetch } from "../transport/fetch.ts";

/** One request of a client, sent through its transport stack (auth, retries, deadlines). */
export interface ClientCall<T> {
  /** HTTP method. */
  method: string;
  /** Path below the registry's base URL, e.g. `/v2/a/blobs/sha256:...`. */
  path: string;
  /** Request headers. @default {{}} */
  headers?: Record<string, string>;
  /** The caller's signal. @default {undefined} */
  signal?: AbortSignal;
  /** Reads the answer (2xx, or a status `acceptStatus` takes). */
  read: (response: Response, url: string) => Promise<T>;
  /** Non-2xx statuses that `read` handles itself. @default {none} */
  acceptStatus?: (status: number) => boolean;
  /** What the request is for, in timeout messages. @default {"waiting for an answer"} */
  activity?: string;
  /** Wraps the client's whole transport stack for this request. @default {none} */
  wrap?: (fetch: Fetch) => Fetch;
}

/** Sends a {@linkcode ClientCall} the way a `RegistryClient` sends its own requests. */
export type ClientSend = <T>(call: ClientCall<T>) => Promise<T>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Tells whether `repository` holds the blob `digest`: 200 → true, 404 (any
 * error code) → false, a redirect (to storage) → true without following it;
 * any other failure is the usual RegistryError. A `Docker-Content-Digest`
 * naming another digest is a "digest-mismatch".
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { headBlob } from "./_blob_head.ts";
 * const digest = `sha256:${"a".repeat(64)}`;
 * const send = <T>(call: { read: (r: Response, url: string) => Promise<T> }) =>
 *   call.read(new Response(null, { status: 404 }), "https://r.io/v2/a/blobs/x");
 * assert.equal(await headBlob(send, { repository: "a", digest }), false);
 * ```
 */
export async function headBlob(
  send: ClientSend,
  options: { repository: string; digest: string; signal?: AbortSignal },
): Promise<boolean> {
  const { repository, digest, signal } = options;
  if (!isDigest(digest)) {
    throw new TypeError(`Cannot check blob "${digest}": not a digest`);
  }
  return await send({
    method: "HEAD",
    path: `/v2/${repository}/blobs/${digest}`,
    ...(signal ? { signal } : {}),
    acceptStatus: (status) => status === 404,
    activity: "checking the blob",
    wrap: redirectsAsAnswers,
    read: async (response, url) => {
      await response.body?.cancel();
      if (response.status === 404) return false;
      const announced = response.headers.get("docker-content-digest")?.trim();
      if (announced && isDigest(announced) && announced !== digest) {
        throw new RegistryError(
          "digest-mismatch",
          `HEAD "${
            redactUrl(url)
          }": registry announced digest "${announced}" for "${digest}"`,
          { status: response.status, method: "HEAD", url },
        );
      }
      return true;
    },
  });
}

/**
 * Wraps a fetch so that a redirect comes back as a body-less 200 carrying the
 * redirect's headers (and URL): the blob is where the registry points, and
 * storage URLs often refuse HEAD anyway.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { redirectsAsAnswers } from "./_blob_head.ts";
 * const fetch = redirectsAsAnswers(() =>
 *   Promise.resolve(new Response(null, { status: 307, headers: { location: "https://s3/x" } }))
 * );
 * const response = await fetch(new Request("https://r.io/v2/a/blobs/x", { method: "HEAD" }));
 * assert.equal(response.status, 200);
 * assert.equal(response.headers.get("location"), "https://s3/x");
 * ```
 */
export function redirectsAsAnswers(fetch: Fetch): Fetch {
  return async (request) => {
    const response = await fetch(request);
    if (!REDIRECTS.has(response.status)) return response;
    await response.body?.cancel();
    const answer = new Response(null, {
      status: 200,
      headers: response.headers,
    });
    Object.defineProperty(answer, "url", { value: response.url });
    return answer;
  };
}

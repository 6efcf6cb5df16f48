/**
 * Reading response bodies with a size cap, and logging requests. Private helpers
 * of registry_client.ts.
 *
 * @module
 */
import { redactUrl } from "./errors.ts";
import type { Fetch } from "./fetch.ts";
import { classifyNetError } from "./_net_errors.ts";

/** The body was larger than the cap. */
export class BodyTooLargeError extends RangeError {
  constructor(limit: number) {
    super(`Body is larger than ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * Reads at most `maxBytes` of a body; stops reading and cancels the stream as
 * soon as the cap is passed, throwing {@linkcode BodyTooLargeError}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCapped } from "./_http_body.ts";
 * const bytes = await readCapped(new Response("abc"), 10);
 * assert(bytes.length === 3);
 * ```
 */
export async function readCapped(
  response: Response,
  maxBytes: number,
): Promise<Uint8Array> {
  const length = Number(response.headers.get("content-length") ?? NaN);
  if (Number.isFinite(length) && length > maxBytes) {
    await response.body?.cancel();
    throw new BodyTooLargeError(maxBytes);
  }
  if (response.body === null) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Wraps a fetch so that every request gives one debug line:
 * `HEAD https://host/v2/x/manifests/1 -> 200 (12 ms)`. URLs are redacted and no
 * header is ever logged.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { withRequestLog } from "./_http_body.ts";
 * const lines: string[] = [];
 * const fetch = withRequestLog(() => Promise.resolve(new Response("x")), (l) => lines.push(l), () => 0);
 * await (await fetch(new Request("https://r.io/v2/"))).text();
 * assert(lines[0] === "GET https://r.io/v2/ -> 200 (0 ms)");
 * ```
 */
export function withRequestLog(
  fetch: Fetch,
  debug: (line: string) => void,
  now: () => number = performance.now.bind(performance),
): Fetch {
  return async function loggedFetch(request: Request): Promise<Response> {
    const start = now();
    const label = `${request.method} ${redactUrl(request.url)}`;
    try {
      const response = await fetch(request);
      debug(`${label} -> ${response.status} (${Math.round(now() - start)} ms)`);
      return response;
    } catch (error) {
      debug(
        `${label} -> failed: ${classifyNetError(error)} (${
          Math.round(now() - start)
        } ms)`,
      );
      throw error;
    }
  };
}

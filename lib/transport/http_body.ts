/**
 * Reading response bodies with a size cap and a deadline, and logging requests.
 * Used by the transport, auth and registry layers.
 *
 * @module
 */
import { redactUrl } from "../errors.ts";
import type { Fetch } from "./fetch.ts";
import { MAX_MANIFEST_BYTES } from "../types/manifest.ts";
import { classifyNetError } from "./net_errors.ts";
import { startDeadline } from "./deadlines.ts";

/** The body was larger than the cap. */
export class BodyTooLargeError extends RangeError {
  constructor(limit: number) {
    super(`Body is larger than ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/** Options of {@linkcode readCapped}. */
export interface ReadCappedOptions {
  /**
   * Limit for reading the whole body, in ms; past it the stream is cancelled
   * and a "TimeoutError" DOMException thrown. 0 = none.
   * @default {0}
   */
  timeoutMs?: number;
}

/**
 * Reads at most `maxBytes` of a body; stops reading and cancels the stream as
 * soon as the cap is passed, throwing {@linkcode BodyTooLargeError}, or when
 * `timeoutMs` passed first.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCapped } from "./http_body.ts";
 * const bytes = await readCapped(new Response("abc"), 10);
 * assert(bytes.length === 3);
 * const stalled = new Response(new ReadableStream({ pull: () => new Promise(() => {}) }));
 * const error = await readCapped(stalled, 10, { timeoutMs: 1 }).catch((e) => e);
 * assert.equal(error.name, "TimeoutError");
 * ```
 */
export async function readCapped(
  response: Response,
  maxBytes: number,
  options: ReadCappedOptions = {},
): Promise<Uint8Array> {
  const length = Number(response.headers.get("content-length") ?? NaN);
  if (Number.isFinite(length) && length > maxBytes) {
    await response.body?.cancel();
    throw new BodyTooLargeError(maxBytes);
  }
  if (response.body === null) return new Uint8Array();
  const reader = bodyReader(response.body, length);
  const timeoutMs = options.timeoutMs ?? 0;
  let timedOut: DOMException | undefined;
  const stop = timeoutMs > 0
    ? startDeadline(timeoutMs, () => {
      timedOut = new DOMException(
        `The body did not arrive within ${timeoutMs} ms`,
        "TimeoutError",
      );
      reader.cancel(timedOut).catch(() => {});
    })
    : undefined;
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (timedOut !== undefined) throw timedOut;
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new BodyTooLargeError(maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    throw timedOut ?? error;
  } finally {
    stop?.();
  }
  // One chunk (a body read into a buffer of its announced length) is kept as
  // it is; several are joined once.
  if (chunks.length === 1) return chunks[0]!;
  return await new Blob(chunks as Uint8Array<ArrayBuffer>[]).bytes();
}

/** What {@linkcode readCapped} needs of a stream reader. */
interface BodyReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(reason?: unknown): Promise<void>;
}

/**
 * A reader of `body` that reads a byte stream (fetch's bodies are) into
 * buffers of the announced `length`: the default reader hands over each small
 * body in a 64 KiB buffer, which a run of 100,000 lines pays for in memory.
 */
function bodyReader(
  body: ReadableStream<Uint8Array>,
  length: number,
): BodyReader {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    return body.getReader();
  }
  const known = Number.isFinite(length) && length >= 0;
  let left = known ? length + 1 : 0;
  return {
    async read() {
      const size = known ? Math.max(1, left) : 16 * 1024;
      const result = await byob.read(new Uint8Array(size));
      if (!result.done) left -= result.value.byteLength;
      return result;
    },
    cancel: (reason) => byob.cancel(reason),
  };
}

/**
 * Reads the body of an error answer (a non-2xx status, a token endpoint's
 * refusal) as text, under the size cap of manifests and `timeoutMs`; a body
 * over the cap reads as `""`. A stalled body throws a "TimeoutError".
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readErrorText } from "./http_body.ts";
 * assert.equal(await readErrorText(new Response("oops", { status: 500 }), 1000), "oops");
 * ```
 */
export async function readErrorText(
  response: Response,
  timeoutMs: number,
): Promise<string> {
  try {
    const bytes = await readCapped(response, MAX_MANIFEST_BYTES, {
      timeoutMs,
    });
    return new TextDecoder().decode(bytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return "";
    throw error;
  }
}

/**
 * Wraps a fetch so that every request gives one debug line:
 * `HEAD https://host/v2/x/manifests/1 -> 200 (12 ms)`. URLs are redacted and no
 * header is ever logged.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { withRequestLog } from "./http_body.ts";
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

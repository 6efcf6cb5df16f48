/**
 * One logical registry request: redirects followed (at most 5, credentials
 * dropped when the host changes), non-2xx answers turned into RegistryErrors,
 * and reading (error bodies too) limited to `timeoutMs` after the headers
 * arrived. Errors name the URL actually used. Private helper of
 * client.ts.
 *
 * @module
 */
import { errorFromResponse, redactUrl, RegistryError } from "../errors.ts";
import type { Fetch } from "../transport/fetch.ts";
import { readErrorText } from "../transport/http_body.ts";
import { toRegistryError } from "../transport/net_errors.ts";
import { startDeadline } from "../transport/deadlines.ts";
import { abortableSleep, attemptableRequest } from "../transport/retry.ts";

/** What to send. */
export interface RequestSpec {
  /** HTTP method. */
  method: string;
  /** Absolute URL. */
  url: string;
  /** Request headers. */
  headers: Record<string, string>;
  /** Limit for reading the answer, in ms. */
  timeoutMs: number;
  /** The caller's signal. */
  signal?: AbortSignal;
  /** Non-2xx statuses that `read` handles itself. */
  acceptStatus?: (status: number) => boolean;
  /** Delay before sending again after reading attempt `attempt` failed with `error`; undefined = give up. */
  retryRead?: (attempt: number, error: unknown) => number | undefined;
  /** Waits between attempts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Debug log. */
  debug?: (line: string) => void;
  /** What the request is for, in timeout messages ("reading the manifest"). */
  activity?: string;
  /** Where a request for a URL actually goes (http after a scheme fallback). */
  route?: (url: string) => string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * Sends `spec` through `fetch` and hands the answer to `read`. When reading the
 * answer fails below HTTP (a reset or a stall in the middle of the body), the
 * whole request is sent again as `retryRead` says. When the caller's signal
 * aborts with a "TimeoutError" (the limit of one image), the error names the
 * request in flight: `timed out after 30s while reading the manifest: GET "<url>"`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sendRequest } from "./_request.ts";
 * const text = await sendRequest(
 *   () => Promise.resolve(new Response("hi")),
 *   { method: "GET", url: "https://reg.io/v2/", headers: {}, timeoutMs: 1000 },
 *   (response) => response.text(),
 * );
 * assert(text === "hi");
 * ```
 */
export async function sendRequest<T>(
  fetch: Fetch,
  spec: RequestSpec,
  read: (response: Response, url: string) => Promise<T>,
): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await sendOnce(fetch, spec, read);
    } catch (error) {
      if (!(error instanceof ReadFailure)) throw error;
      const delay = spec.signal?.aborted
        ? undefined
        : spec.retryRead?.(attempt, error.cause);
      if (delay === undefined) throw error.mapped;
      spec.debug?.(
        `${spec.method} ${
          redactUrl(spec.url)
        }: reading the answer failed, retry ${attempt} in ${delay} ms`,
      );
      await (spec.sleep ?? abortableSleep)(delay, spec.signal);
    }
  }
}

/** A transport failure while the body was read, and its RegistryError. */
class ReadFailure extends Error {
  readonly mapped: unknown;
  constructor(cause: unknown, mapped: unknown) {
    super("Reading the answer failed", { cause });
    this.mapped = mapped;
  }
}

async function sendOnce<T>(
  fetch: Fetch,
  spec: RequestSpec,
  read: (response: Response, url: string) => Promise<T>,
): Promise<T> {
  // Stopped by the caller's signal or the reading limit: a listener, not
  // AbortSignal.any (a dependent signal costs a WeakRef and a finalizer).
  const controller = new AbortController();
  const caller = spec.signal;
  const onAbort = () => controller.abort(caller?.reason);
  if (caller?.aborted) onAbort();
  else caller?.addEventListener("abort", onAbort, { once: true });
  let cancelTimer: (() => void) | undefined;
  let url = spec.url;
  let request: Request | undefined;
  let reading = false;
  try {
    // A plain record: Request checks it once, cheaper than a Headers copy.
    const requestHeaders = { ...spec.headers };
    let response: Response;
    for (let hop = 0;; hop++) {
      // Sent where the scheme layer would send it, so that the retry layer
      // sends this request as its first attempt instead of a copy.
      request = attemptableRequest(spec.route?.(url) ?? url, {
        method: spec.method,
        headers: requestHeaders,
        redirect: "manual",
      }, controller.signal);
      response = await fetch(request);
      // the URL actually used: http after a scheme fallback
      url = response.url || url;
      if (!REDIRECTS.has(response.status)) break;
      await response.body?.cancel();
      const location = response.headers.get("location");
      if (!location || hop >= MAX_REDIRECTS) {
        throw new RegistryError(
          "server",
          `${spec.method} "${redactUrl(url)}": ${
            location ? "too many redirects" : "redirect without a location"
          }`,
          {
            status: response.status,
            method: spec.method,
            url,
          },
        );
      }
      const next = new URL(location, url);
      if (next.host !== new URL(url).host) {
        for (const name of Object.keys(requestHeaders)) {
          if (name.toLowerCase() === "authorization") {
            delete requestHeaders[name];
          }
        }
      }
      url = next.href;
    }
    cancelTimer = startDeadline(
      spec.timeoutMs,
      () =>
        controller.abort(
          new DOMException("The request timed out", "TimeoutError"),
        ),
    );
    reading = true;
    if (!response.ok && !spec.acceptStatus?.(response.status)) {
      // error bodies are read under the same deadline and cap as manifests
      const text = spec.method === "HEAD"
        ? ""
        : await readErrorText(response, spec.timeoutMs);
      await response.body?.cancel().catch(() => {});
      throw errorFromResponse(spec.method, url, response.status, text);
    }
    return await read(response, url);
  } catch (error) {
    if (request === undefined) throw error;
    const sent = spec.route?.(url) ?? url;
    const stopped = imageTimeout(spec, sent, error);
    if (stopped !== undefined) throw stopped;
    const mapped = toRegistryError(
      error,
      sent === request.url ? request : new Request(sent, request),
    );
    if (reading && !(error instanceof RegistryError)) {
      throw new ReadFailure(error, mapped);
    }
    throw mapped;
  } finally {
    cancelTimer?.();
    caller?.removeEventListener("abort", onAbort);
  }
}

/**
 * The error of a request cut short by the caller's "TimeoutError" (the limit
 * of one image), naming what was in flight; undefined for any other failure.
 */
function imageTimeout(
  spec: RequestSpec,
  url: string,
  error: unknown,
): RegistryError | undefined {
  const reason = spec.signal?.reason;
  if (
    !spec.signal?.aborted || !(reason instanceof DOMException) ||
    reason.name !== "TimeoutError"
  ) return undefined;
  // a lower layer (the auth service) already named what it waited for
  if (
    error instanceof RegistryError && error.kind === "timeout" &&
    error.message.startsWith(reason.message)
  ) return error;
  return new RegistryError(
    "timeout",
    `${reason.message} while ${
      spec.activity ?? "waiting for an answer"
    }: ${spec.method} "${redactUrl(url)}"`,
    { method: spec.method, url, cause: error },
  );
}

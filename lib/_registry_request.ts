/**
 * One logical registry request: redirects followed (at most 5, credentials
 * dropped when the host changes), non-2xx answers turned into RegistryErrors,
 * and reading limited to `timeoutMs` after the headers arrived. Private helper
 * of registry_client.ts.
 *
 * @module
 */
import { errorFromResponse, redactUrl, RegistryError } from "./errors.ts";
import { withAuth } from "./auth.ts";
import type { Fetch } from "./fetch.ts";
import type { RegistryClientOptions } from "./registry_client.ts";
import { abortableSleep, withRetry } from "./retry.ts";
import { RateLimitPacer, withRateLimit } from "./_rate_limit.ts";
import { withSchemeFallback } from "./scheme.ts";
import { withRequestLog } from "./_http_body.ts";
import { toRegistryError } from "./_net_errors.ts";
import { startDeadline } from "./_deadlines.ts";

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
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * Sends `spec` through `fetch` and hands the answer to `read`. When reading the
 * answer fails below HTTP (a reset or a stall in the middle of the body), the
 * whole request is sent again as `retryRead` says.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sendRequest } from "./_registry_request.ts";
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
  const controller = new AbortController();
  const signal = spec.signal
    ? AbortSignal.any([spec.signal, controller.signal])
    : controller.signal;
  let cancelTimer: (() => void) | undefined;
  let url = spec.url;
  let request: Request | undefined;
  let reading = false;
  try {
    // A plain record: Request checks it once, cheaper than a Headers copy.
    const requestHeaders = { ...spec.headers };
    let response: Response;
    for (let hop = 0;; hop++) {
      request = new Request(url, {
        method: spec.method,
        headers: requestHeaders,
        signal,
        redirect: "manual",
      });
      response = await fetch(request);
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
    if (!response.ok && !spec.acceptStatus?.(response.status)) {
      const text = spec.method === "HEAD"
        ? ""
        : await response.text().catch(() => "");
      await response.body?.cancel().catch(() => {});
      throw errorFromResponse(spec.method, url, response.status, text);
    }
    cancelTimer = startDeadline(
      spec.timeoutMs,
      () =>
        controller.abort(
          new DOMException("The request timed out", "TimeoutError"),
        ),
    );
    reading = true;
    return await read(response, url);
  } catch (error) {
    if (request === undefined) throw error;
    const mapped = toRegistryError(error, request);
    if (reading && !(error instanceof RegistryError)) {
      throw new ReadFailure(error, mapped);
    }
    throw mapped;
  } finally {
    cancelTimer?.();
  }
}

/**
 * Stacks the transport layers on a base fetch: request log -> rate limit pacing
 * -> scheme fallback -> retry (with a per-attempt timeout) -> auth.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildStack } from "./_registry_request.ts";
 * const fetch = buildStack(() => Promise.resolve(new Response("ok")), "reg.io", {});
 * assert((await fetch(new Request("https://reg.io/v2/"))).status === 200);
 * ```
 */
export function buildStack(
  base: Fetch,
  registry: string,
  options: RegistryClientOptions,
): Fetch {
  const debug = options.debug ? { debug: options.debug } : {};
  const logged = options.debug ? withRequestLog(base, options.debug) : base;
  const pacer = new RateLimitPacer(registry, {
    ...options.rateLimit,
    ...(options.warn ? { warn: options.warn } : {}),
  });
  const scheme = withSchemeFallback(withRateLimit(logged, pacer), {
    insecure: options.tlsVerify === false,
  });
  const retried = withRetry(scheme, {
    ...options.retry,
    attemptTimeoutMs: options.requestTimeoutMs ?? 60_000,
    route: scheme.route,
    ...debug,
  });
  return withAuth(retried, {
    registry,
    ...(options.credential ? { credential: options.credential } : {}),
    ...(options.tokenCache ? { cache: options.tokenCache } : {}),
    ...(options.authHint ? { hint: options.authHint } : {}),
    ...debug,
  });
}

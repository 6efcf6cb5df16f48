/**
 * A fetch layer that retries idempotent requests as the retry policy
 * (retry_policy.ts) says, and the abortable sleep between attempts.
 *
 * @module
 */
import type { Fetch } from "./fetch.ts";
import { startDeadline } from "./deadlines.ts";
import { classifyNetError } from "./net_errors.ts";
import { urlParts } from "./url_parts.ts";
import { requestAt } from "./_request_copy.ts";
import { type FirstAttempt, firstAttempts, follow } from "./_first_attempt.ts";

export { attemptableCopy, attemptableRequest } from "./_first_attempt.ts";
import { retryDelay, type RetryPolicyOptions } from "./retry_policy.ts";
import type { StalledHosts } from "./stalled_hosts.ts";

/** Options of {@linkcode withRetry}. */
export interface RetryOptions extends RetryPolicyOptions {
  /**
   * Waits `ms`, rejecting with the signal's reason when it is aborted.
   * @default {a setTimeout-based sleep}
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Limit in ms for one attempt to connect and get its response headers; an
   * attempt that exceeds it fails with a "TimeoutError" and is retried. 0 = none.
   * @default {0}
   */
  attemptTimeoutMs?: number;
  /**
   * Counts attempts that time out per host; once a host stopped answering,
   * requests to it fail at once with its error instead of waiting again.
   * @default {undefined}
   */
  stalledHosts?: StalledHosts;
  /**
   * Debug log; one line per retry, without secrets.
   * @default {undefined}
   */
  debug?: (line: string) => void;
  /**
   * Where an attempt for a URL is sent (the `route` of scheme.ts's fetch,
   * so that the layer below need not copy the attempt again); debug lines
   * name that URL, the one actually used.
   * @default {the request's URL}
   */
  route?: (url: string) => string;
}

const IDEMPOTENT = new Set(["GET", "HEAD"]);

/**
 * Retries GET and HEAD requests according to {@linkcode retryDelay}; other
 * methods pass through untouched. Stops as soon as the request's signal aborts,
 * and at once when `stalledHosts` says the host stopped answering.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { withRetry } from "./retry.ts";
 * let calls = 0;
 * const fetch = withRetry(() => {
 *   calls++;
 *   return Promise.resolve(new Response(null, { status: calls < 3 ? 503 : 200 }));
 * }, { sleep: () => Promise.resolve() });
 * const response = await fetch(new Request("https://reg.io/v2/"));
 * assert(response.status === 200 && calls === 3);
 * ```
 */
export function withRetry(fetch: Fetch, options: RetryOptions = {}): Fetch {
  const sleep = options.sleep ?? abortableSleep;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 0;
  const route = options.route;
  const stalled = options.stalledHosts;
  const limitMs = attemptTimeoutMs > 0 ? attemptTimeoutMs : undefined;
  return async function retryFetch(request: Request): Promise<Response> {
    if (!IDEMPOTENT.has(request.method)) return await fetch(request);
    const own = firstAttempts.get(request);
    // the caller's signal: the request's own also stops at an attempt's limit
    const signal = own?.caller ?? request.signal;
    const host = stalled === undefined ? "" : urlParts(request.url).host;
    for (let attempt = 1;; attempt++) {
      signal.throwIfAborted();
      const stopped = stalled?.check(host);
      if (stopped !== undefined) throw stopped;
      let delay: number | undefined;
      try {
        const response = await attemptFetch(fetch, request, {
          caller: signal,
          timeoutMs: attemptTimeoutMs,
          route,
          own: own !== undefined && !own.sent ? own : undefined,
        });
        stalled?.answered(host);
        // no status below 400 is retried: its headers need no reading
        if (response.status < 400) return response;
        delay = retryDelay(attempt, {
          status: response.status,
          retryAfter: response.headers.get("retry-after"),
        }, options);
        if (delay === undefined) return response;
        await response.body?.cancel();
        options.debug?.(
          `${request.method} ${
            safeUrl(route?.(request.url) ?? request.url)
          } -> ${response.status}, retry ${attempt} in ${delay} ms`,
        );
      } catch (error) {
        if (signal.aborted) {
          stalled?.failed(host);
          throw error;
        }
        if (classifyNetError(error) === "timeout") {
          const gaveUp = stalled?.timedOut(host, limitMs);
          if (gaveUp !== undefined) throw gaveUp;
        } else stalled?.failed(host);
        delay = retryDelay(attempt, { error }, options);
        if (delay === undefined) throw error;
        options.debug?.(
          `${request.method} ${
            safeUrl(route?.(request.url) ?? request.url)
          } failed, retry ${attempt} in ${delay} ms`,
        );
      }
      await sleep(delay, signal);
    }
  };
}

/** How one attempt is sent: `own` when the request may go as it is. */
interface Attempt {
  caller: AbortSignal;
  timeoutMs: number;
  route: ((url: string) => string) | undefined;
  own: FirstAttempt | undefined;
}

async function attemptFetch(
  fetch: Fetch,
  request: Request,
  { caller, timeoutMs, route, own }: Attempt,
): Promise<Response> {
  const url = route?.(request.url) ?? request.url;
  // The request as it came is its own first attempt: no copy and no signal
  // of its own; its controller takes the attempt's limit.
  const first = own !== undefined && url === request.url;
  if (first) own.sent = true;
  const plain = !first && timeoutMs <= 0 && caller === request.signal;
  const timer = first ? own.attempt : plain ? undefined : new AbortController();
  if (timer !== undefined && !first) follow(caller, timer);
  const cancel = timer === undefined || timeoutMs <= 0
    ? undefined
    : startDeadline(
      timeoutMs,
      () =>
        timer.abort(new DOMException("The request timed out", "TimeoutError")),
    );
  const init = timer === undefined ? {} : { signal: timer.signal };
  try {
    return await fetch(
      first
        ? request
        : url === request.url
        ? new Request(request, init)
        : requestAt(request, url, init),
    );
  } finally {
    cancel?.();
  }
}

/** The URL actually used (http after a scheme fallback), without query or user info. */
function safeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * Waits `ms`, rejecting with the signal's reason as soon as it is aborted.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortableSleep } from "./retry.ts";
 * await abortableSleep(0);
 * await abortableSleep(10_000, AbortSignal.abort(new Error("stop"))).catch((e) =>
 *   assert(e.message === "stop")
 * );
 * ```
 */
export function abortableSleep(
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const id = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    function onAbort(): void {
      clearTimeout(id);
      reject(signal?.reason);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Requests the retry layer (retry.ts) sends as their own first attempt
 * instead of a copy: each carries a controller of its own that follows the
 * caller's signal and that retry aborts at the attempt's limit. One
 * `Request` per attempt, and no dependent `AbortSignal.any` signal (a WeakRef
 * and a finalizer each in Deno). Private to the transport layer; retry.ts
 * exports `attemptableRequest` and `attemptableCopy`.
 *
 * @module
 */

/**
 * Aborts `controller` with `signal`'s reason once `signal` aborts: what
 * `AbortSignal.any` does for one source, without a dependent signal (a
 * WeakRef and a FinalizationRegistry entry in Deno). The listener lives as
 * long as `signal`: give it a signal of one request, not of a whole run.
 */
export function follow(signal: AbortSignal, controller: AbortController): void {
  if (signal.aborted) return controller.abort(signal.reason);
  signal.addEventListener("abort", () => controller.abort(signal.reason), {
    once: true,
  });
}

/** What the retry layer needs to send a request as its own first attempt. */
export interface FirstAttempt {
  /** The caller's signal, which every attempt follows. */
  caller: AbortSignal;
  /** Aborts the request's own signal: the first attempt's limit. */
  attempt: AbortController;
  /** Whether the request went out already. */
  sent: boolean;
}

/** Requests made by {@linkcode attemptableRequest}, by request. */
export const firstAttempts: WeakMap<Request, FirstAttempt> = new WeakMap();

/**
 * A GET or HEAD request that {@linkcode withRetry} sends as its first
 * attempt as it is, instead of a copy with a signal of its own: the
 * request's signal follows `caller` (a signal of this one request, such as
 * a per-request controller's), and the retry layer stops only this attempt
 * at its limit. Later attempts are copies that follow `caller`. Anything
 * else treats it as a plain request whose signal aborts with `caller`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { attemptableRequest, withRetry } from "./retry.ts";
 * const sent: Request[] = [];
 * const fetch = withRetry((request) => {
 *   sent.push(request);
 *   return Promise.resolve(new Response("ok"));
 * }, { attemptTimeoutMs: 1000 });
 * const caller = new AbortController();
 * const request = attemptableRequest(
 *   "https://reg.io/v2/",
 *   { method: "GET" },
 *   caller.signal,
 * );
 * await fetch(request);
 * assert.equal(sent[0], request);
 * caller.abort(new Error("stop"));
 * assert.equal(request.signal.reason.message, "stop");
 * ```
 */
export function attemptableRequest(
  url: string,
  init: Omit<RequestInit, "signal">,
  caller: AbortSignal,
): Request {
  const attempt = new AbortController();
  follow(caller, attempt);
  const request = new Request(url, { ...init, signal: attempt.signal });
  firstAttempts.set(request, { caller, attempt, sent: false });
  return request;
}

/**
 * A copy of `request` with other headers (and a body), that the retry layer
 * sends as its first attempt. When `request` came from
 * {@linkcode attemptableRequest} and was never sent, the copy takes its
 * place: it shares its signal and its caller (no new controller, no new
 * listener) and `request` is not to be sent any more. Otherwise the copy
 * follows the caller's signal, as a new attemptable request would.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { attemptableCopy, attemptableRequest } from "./retry.ts";
 * const caller = new AbortController();
 * const request = attemptableRequest("https://reg.io/v2/", { method: "HEAD" }, caller.signal);
 * const copy = attemptableCopy(request, { headers: { "x-test": "1" } });
 * assert.equal(copy.method, "HEAD");
 * assert.equal(copy.headers.get("x-test"), "1");
 * caller.abort(new Error("stop"));
 * assert.equal(copy.signal.reason.message, "stop");
 * ```
 */
export function attemptableCopy(
  request: Request,
  init: { headers: Record<string, string>; body?: ArrayBuffer },
): Request {
  const own = firstAttempts.get(request);
  const copyInit = {
    method: request.method,
    headers: init.headers,
    ...(init.body !== undefined ? { body: init.body } : {}),
    redirect: request.redirect,
  };
  if (own === undefined || own.sent) {
    return attemptableRequest(
      request.url,
      copyInit,
      own?.caller ?? request.signal,
    );
  }
  own.sent = true;
  const copy = new Request(request.url, {
    ...copyInit,
    signal: own.attempt.signal,
  });
  firstAttempts.set(copy, {
    caller: own.caller,
    attempt: own.attempt,
    sent: false,
  });
  return copy;
}

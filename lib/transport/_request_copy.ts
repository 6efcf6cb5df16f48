// Copies of a request sent to another URL (http instead of https): the
// transport layers that re-address requests share this one way of doing it.
// And requests the retry layer may send as their own first attempt
// (retry.ts's attemptableRequest), with the signal plumbing they need.

/** Overrides of {@linkcode requestAt}. */
export interface RequestAtOptions {
  /** The signal of the copy. @default {request.signal} */
  signal?: AbortSignal;
  /** The body of the copy, already read. @default {none} */
  body?: ArrayBuffer;
}

/** A copy of `request` sent to `url`, with the same method, headers and redirect mode. */
export function requestAt(
  request: Request,
  url: string,
  options: RequestAtOptions = {},
): Request {
  // A record converts cheaper than a Headers object.
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => headers[name] = value);
  return new Request(url, {
    method: request.method,
    headers,
    ...(options.body === undefined ? {} : { body: options.body }),
    signal: options.signal ?? request.signal,
    redirect: request.redirect,
  });
}

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

/** Requests made by {@linkcode firstAttemptAt}, by request. */
export const firstAttempts: WeakMap<Request, FirstAttempt> = new WeakMap();

/** A request to `url` whose signal follows `caller` through a controller of its own. */
export function firstAttemptAt(
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

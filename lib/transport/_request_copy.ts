// Copies of a request sent to another URL (http instead of https): the
// transport layers that re-address requests share this one way of doing it.

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

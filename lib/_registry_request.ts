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
import { withRetry } from "./retry.ts";
import { withSchemeFallback } from "./scheme.ts";
import { withRequestLog } from "./_http_body.ts";
import { toRegistryError } from "./_net_errors.ts";

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
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * Sends `spec` through `fetch` and hands the answer to `read`.
 *
 * @example Usage
 * ```ts
 * import { sendRequest } from "./_registry_request.ts";
 * const text = await sendRequest(
 *   () => Promise.resolve(new Response("hi")),
 *   { method: "GET", url: "https://reg.io/v2/", headers: {}, timeoutMs: 1000 },
 *   (response) => response.text(),
 * );
 * console.assert(text === "hi");
 * ```
 */
export async function sendRequest<T>(
  fetch: Fetch,
  spec: RequestSpec,
  read: (response: Response, url: string) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const signal = spec.signal
    ? AbortSignal.any([spec.signal, controller.signal])
    : controller.signal;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let url = spec.url;
  let request: Request | undefined;
  try {
    const requestHeaders = new Headers(spec.headers);
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
        requestHeaders.delete("authorization");
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
    timer = setTimeout(
      () =>
        controller.abort(
          new DOMException("The request timed out", "TimeoutError"),
        ),
      spec.timeoutMs,
    );
    return await read(response, url);
  } catch (error) {
    throw request === undefined ? error : toRegistryError(error, request);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Stacks the transport layers on a base fetch: request log -> scheme fallback
 * -> retry (with a per-attempt timeout) -> auth.
 *
 * @example Usage
 * ```ts
 * import { buildStack } from "./_registry_request.ts";
 * const fetch = buildStack(() => Promise.resolve(new Response("ok")), "reg.io", {});
 * console.assert((await fetch(new Request("https://reg.io/v2/"))).status === 200);
 * ```
 */
export function buildStack(
  base: Fetch,
  registry: string,
  options: RegistryClientOptions,
): Fetch {
  const debug = options.debug ? { debug: options.debug } : {};
  const logged = options.debug ? withRequestLog(base, options.debug) : base;
  const retried = withRetry(
    withSchemeFallback(logged, { insecure: options.tlsVerify === false }),
    {
      ...options.retry,
      attemptTimeoutMs: options.requestTimeoutMs ?? 60_000,
      ...debug,
    },
  );
  return withAuth(retried, {
    registry,
    ...(options.credential ? { credential: options.credential } : {}),
    ...(options.tokenCache ? { cache: options.tokenCache } : {}),
    ...(options.authHint ? { hint: options.authHint } : {}),
    ...debug,
  });
}

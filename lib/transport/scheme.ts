/**
 * Maps transport failures to {@linkcode RegistryError}s and, for insecure
 * registries, falls back from https to plain http.
 *
 * @module
 */
import { RegistryError } from "../errors.ts";
import type { Fetch } from "./fetch.ts";
import { classifyNetError, errorText, toRegistryError } from "./net_errors.ts";
import { requestAt } from "./_request_copy.ts";
import { urlParts } from "./url_parts.ts";

/** Options of {@linkcode withSchemeFallback}. */
export interface SchemeFallbackOptions {
  /**
   * Retry an https request that fails below HTTP (TLS, connection) once as plain
   * http, and remember the host as http. This is what `--tls-verify=false` asks for.
   */
  insecure: boolean;
}

/**
 * A scheme-fallback fetch, with `route(url)`: where a request for `url` can go
 * at once, the http URL once its host is known to speak plain http (the URL
 * itself otherwise). Layers above that build a request anyway use it to save
 * this layer a second copy.
 */
export type SchemeFetch = Fetch & { route(url: string): string };

/**
 * Wraps a fetch so that connection failures become RegistryErrors (kinds "tls",
 * "network", "timeout") and, when insecure, https falls back to http.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { withSchemeFallback } from "./scheme.ts";
 * const seen: string[] = [];
 * const fetch = withSchemeFallback((request) => {
 *   seen.push(request.url);
 *   if (request.url.startsWith("https:")) {
 *     return Promise.reject(new TypeError("received corrupt message of type InvalidContentType"));
 *   }
 *   return Promise.resolve(new Response("ok"));
 * }, { insecure: true });
 * const response = await fetch(new Request("https://reg.io/v2/"));
 * assert(response.status === 200);
 * assert(seen.join(" ") === "https://reg.io/v2/ http://reg.io/v2/");
 * assert(fetch.route("https://reg.io/v2/a") === "http://reg.io/v2/a");
 * ```
 */
export function withSchemeFallback(
  fetch: Fetch,
  options: SchemeFallbackOptions,
): SchemeFetch {
  const decided = new Map<string, "https" | "http">();
  const probing = new Map<string, Promise<unknown>>();
  const insecure = options.insecure;
  async function send(request: Request): Promise<Response> {
    try {
      return withUrl(await fetch(request), request.url);
    } catch (error) {
      throw toRegistryError(error, request, { insecure });
    }
  }
  async function probe(request: Request, host: string): Promise<Response> {
    const spare = request.body === null ? request : request.clone();
    try {
      const response = withUrl(await fetch(request), request.url);
      decided.set(host, "https");
      return response;
    } catch (error) {
      // A RegistryError from the base fetch is a cause already diagnosed
      // (a refused client certificate): plain http would only hide it.
      if (error instanceof RegistryError) throw error;
      const failure = classifyNetError(error);
      const mapped = toRegistryError(error, request, { insecure });
      if (failure !== "tls" && failure !== "refused" && failure !== "reset") {
        throw mapped;
      }
      let response: Response;
      try {
        response = await send(await asHttp(spare));
      } catch (second) {
        // Plain http went through a proxy that refused or is down: that is
        // the cause to fix, not the https attempt before it.
        if (second instanceof RegistryError && second.kind === "proxy") {
          throw second;
        }
        if (!(mapped instanceof RegistryError)) throw mapped;
        throw new RegistryError(
          mapped.kind,
          `${mapped.message}; plain http failed too${
            sameFailure(mapped, second) ? "" : `: ${errorText(second)}`
          }`,
          { method: request.method, url: request.url, cause: error },
        );
      }
      decided.set(host, "http");
      return response;
    }
  }
  function route(url: string): string {
    if (!insecure || !url.startsWith("https://")) return url;
    return decided.get(urlParts(url).host) === "http" ? toHttp(url) : url;
  }
  async function schemeFetch(request: Request): Promise<Response> {
    if (!insecure || !request.url.startsWith("https:")) {
      return await send(request);
    }
    const host = urlParts(request.url).host;
    // One request finds out which scheme a host speaks; the others wait for
    // its answer instead of each paying a failed TLS handshake.
    const pending = probing.get(host);
    if (pending !== undefined && !decided.has(host)) {
      await pending.catch(() => {});
    }
    const scheme = decided.get(host);
    if (scheme === "http") return await send(await asHttp(request));
    if (scheme === "https") return await send(request);
    const attempt = probe(request, host);
    probing.set(host, attempt);
    try {
      return await attempt;
    } finally {
      if (probing.get(host) === attempt) probing.delete(host);
    }
  }
  return Object.assign(schemeFetch, { route });
}

/** The http twin of a serialized https URL ("https:" + the rest reads the same as http). */
function toHttp(url: string): string {
  return `http${url.slice("https".length)}`;
}

async function asHttp(request: Request): Promise<Request> {
  const body = request.body === null ? undefined : await request.arrayBuffer();
  return requestAt(request, toHttp(request.url), body ? { body } : {});
}

function sameFailure(first: RegistryError, second: unknown): boolean {
  return second instanceof RegistryError && second.kind === first.kind &&
    second.message.replaceAll("http://", "https://") === first.message;
}

function withUrl(response: Response, url: string): Response {
  if (!response.url) Object.defineProperty(response, "url", { value: url });
  return response;
}

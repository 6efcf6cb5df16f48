/**
 * Asks a token endpoint (the `realm` of a Bearer challenge) for a token, the way
 * docker does. Used by auth.ts and by login (registry/login.ts).
 *
 * @module
 */
import type { Credential } from "./credentials.ts";
import { errorFromResponse, redactUrl, RegistryError } from "../errors.ts";
import type { Fetch } from "../transport/fetch.ts";
import { MAX_MANIFEST_BYTES } from "../types/manifest.ts";
import type { FetchedToken } from "./token_cache.ts";
import { authLabel } from "./support.ts";
import { authService } from "./_auth_service.ts";
import { readCapped } from "../transport/http_body.ts";

/** What to ask the token endpoint for. */
export interface TokenRequest {
  /** The challenge's realm. */
  realm: string;
  /** The challenge's service. */
  service?: string;
  /** Scope, e.g. `repository:a/b:pull`. */
  scope?: string;
  /**
   * Several scopes in one request (the token spec's repeated `scope`
   * parameter); used instead of `scope` when given.
   */
  scopes?: readonly string[];
  /** Who asks; anonymous when undefined. */
  credential?: Credential;
  /** Registry name used in messages. */
  registry: string;
  /** Text appended to "unauthorized" errors when there is no credential. */
  hint: string;
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Limit for reading the answer once its headers arrived, in ms. @default {60000} */
  bodyTimeoutMs?: number;
}

/**
 * Fetches a token: anonymous GET, GET with Basic (https or loopback only), or an
 * OAuth2 `refresh_token` POST for identity tokens. The answer is read under
 * `bodyTimeoutMs` and the size cap of manifests; a token endpoint that cannot
 * be reached is named by its role ("The auth service of ... is unreachable").
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { requestToken } from "./token_request.ts";
 * const token = await requestToken(
 *   () => Promise.resolve(Response.json({ token: "t", expires_in: 300 })),
 *   { realm: "https://auth.io/token", service: "reg.io", registry: "reg.io", hint: "" },
 * );
 * assert(token.token === "t" && token.expiresInSeconds === 300);
 * ```
 */
export async function requestToken(
  fetch: Fetch,
  request: TokenRequest,
): Promise<FetchedToken> {
  const url = new URL(request.realm);
  const credential = request.credential;
  const headers = new Headers({ Accept: "application/json" });
  if (
    credential !== undefined && url.protocol !== "https:" &&
    !isLoopback(url.hostname)
  ) {
    throw new RegistryError(
      "unauthorized",
      `Refusing to send the credentials for "${request.registry}" to "${url.origin}": the token endpoint is not https`,
      { method: "GET", url: url.href },
    );
  }
  let init: RequestInit;
  if (credential !== undefined && "identityToken" in credential) {
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: credential.identityToken,
      client_id: "hangar",
      access_type: "offline",
    });
    if (request.service) form.set("service", request.service);
    const scopes = scopesOf(request);
    if (scopes.length > 0) form.set("scope", scopes.join(" "));
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    init = { method: "POST", headers, body: form.toString() };
  } else {
    const scopes = scopesOf(request);
    if (request.service || scopes.length > 0) {
      // built apart and set once: each change of url.searchParams
      // serializes the whole URL again
      const params = new URLSearchParams(url.search);
      if (request.service) params.set("service", request.service);
      for (const scope of scopes) params.append("scope", scope);
      url.search = params.toString();
    }
    if (credential !== undefined) {
      headers.set("Authorization", basicAuthorization(credential));
    }
    init = { method: "GET", headers };
  }
  if (request.signal) init.signal = request.signal;
  const method = init.method ?? "GET";
  let response: Response;
  let text: string;
  try {
    response = await fetch(new Request(url, init));
    const bytes = await readCapped(response, MAX_MANIFEST_BYTES, {
      timeoutMs: request.bodyTimeoutMs ?? 60_000,
    });
    text = new TextDecoder().decode(bytes);
  } catch (error) {
    throw unreachable(error, request, method, url.href);
  }
  const used = response.url || url.href;
  if (!response.ok) {
    const base = errorFromResponse(method, used, response.status, text);
    const kind = response.status >= 500
      ? "server"
      : response.status === 429
      ? "rate-limited"
      : "unauthorized";
    const advice = kind !== "unauthorized"
      ? ""
      : credential === undefined
      ? (request.hint ? `; ${request.hint}` : "")
      : `; the credentials for "${request.registry}" were rejected`;
    throw new RegistryError(
      kind,
      `Cannot get a token for "${request.registry}": ${
        authLabel(base.message)
      }${advice}`,
      {
        status: response.status,
        method,
        url: used,
      },
    );
  }
  let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    body = {};
  }
  const token = typeof body.token === "string" && body.token
    ? body.token
    : body.access_token;
  if (typeof token !== "string" || token === "") {
    throw new RegistryError(
      "unauthorized",
      `Cannot get a token for "${request.registry}": the token endpoint "${url.origin}${url.pathname}" answered without a token`,
      { status: response.status, method, url: url.href },
    );
  }
  const expires = typeof body.expires_in === "number" && body.expires_in > 0
    ? body.expires_in
    : undefined;
  return expires === undefined
    ? { token }
    : { token, expiresInSeconds: expires };
}

function scopesOf(request: TokenRequest): readonly string[] {
  return request.scopes ?? (request.scope ? [request.scope] : []);
}

/**
 * A failure to reach the token endpoint (or to read its answer in time),
 * named by the endpoint's role; other errors come back unchanged.
 */
function unreachable(
  error: unknown,
  request: TokenRequest,
  method: string,
  url: string,
): unknown {
  let cause = error;
  if ((error as { name?: unknown })?.name === "TimeoutError") {
    cause = new RegistryError(
      "timeout",
      `${method} "${redactUrl(url)}": request timed out`,
      { method, url, cause: error },
    );
  } else if ((error as { name?: unknown })?.name === "BodyTooLargeError") {
    cause = new RegistryError(
      "server",
      `${method} "${
        redactUrl(url)
      }": the answer is larger than ${MAX_MANIFEST_BYTES} bytes`,
      { method, url, cause: error },
    );
  }
  if (
    !(cause instanceof RegistryError) ||
    !["network", "timeout", "tls", "server"].includes(cause.kind)
  ) return error;
  const detail = /^[A-Z][a-z]/.test(cause.message)
    ? cause.message[0]!.toLowerCase() + cause.message.slice(1)
    : cause.message;
  const service = authService(request.registry, request.realm);
  return new RegistryError(
    cause.kind,
    `${service[0]!.toUpperCase()}${service.slice(1)} is unreachable: ${detail}`,
    { method, url: cause.url ?? url, cause },
  );
}

/**
 * The `Authorization` value for Basic auth.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { basicAuthorization } from "./token_request.ts";
 * assert(basicAuthorization({ username: "a", password: "b" }) === "Basic YTpi");
 * ```
 */
export function basicAuthorization(
  credential: { username: string; password: string },
): string {
  const bytes = new TextEncoder().encode(
    `${credential.username}:${credential.password}`,
  );
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * Whether a host name is the loopback interface.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopback } from "./token_request.ts";
 * assert(isLoopback("127.0.0.1") && !isLoopback("reg.io"));
 * ```
 */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" ||
    hostname === "::1" ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

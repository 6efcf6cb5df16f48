/**
 * The auth layer: answers registry 401 challenges (Bearer tokens, Basic) and,
 * once a host's challenge is known, sends credentials up front so that a warm
 * client costs one request per registry call.
 *
 * @module
 */
import { parseChallenges } from "./challenge.ts";
import type { Credential } from "./credentials.ts";
import type { Fetch } from "../transport/fetch.ts";
import { attemptableCopy } from "../transport/retry.ts";
import { TokenCache, type TokenKey } from "./token_cache.ts";
import { basicAuthorization, requestToken } from "./token_request.ts";
import { type BearerHost, bearerTokens } from "./_bearer.ts";
import { TokenPrefetch } from "./_prefetch.ts";
import { withDiscovery } from "./_discovery.ts";
import {
  checkRealm,
  endpointHost,
  finalError,
  identify,
  pullScope,
  repositoryOf,
} from "./support.ts";
import { urlParts } from "../transport/url_parts.ts";

/** Options of {@linkcode withAuth}. */
export interface AuthOptions {
  /**
   * Returns the credential of the registry; anonymous when it gives undefined.
   * Called at most once.
   * @default {anonymous}
   */
  credential?: () => Promise<Credential | undefined>;
  /**
   * Token cache, shared between clients.
   * @default {a new TokenCache}
   */
  cache?: TokenCache;
  /**
   * Debug log, one line per token fetch or challenge; never a secret.
   * @default {undefined}
   */
  debug?: (line: string) => void;
  /**
   * Registry name used in messages.
   * @default {the request's host}
   */
  registry?: string;
  /**
   * Advice appended to "unauthorized" errors when there is no credential.
   * @default {`log in with "hangar login <registry>"`}
   */
  hint?: string;
  /**
   * Limit for reading a token answer or a 401/403 body, in ms.
   * @default {60000}
   */
  bodyTimeoutMs?: number;
}

type HostAuth = BearerHost | { scheme: "basic" };

/**
 * Wraps a fetch with registry authentication. A final 401 throws a RegistryError
 * of kind "unauthorized", a 403 one of kind "denied". With `registry` set,
 * requests to any other host (redirects) pass through without credentials.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { withAuth } from "./auth.ts";
 * const fetch = withAuth((request) => {
 *   const url = new URL(request.url);
 *   if (url.pathname === "/token") return Promise.resolve(Response.json({ token: "t" }));
 *   if (request.headers.get("authorization") === "Bearer t") return Promise.resolve(new Response("ok"));
 *   return Promise.resolve(new Response(null, {
 *     status: 401,
 *     headers: { "www-authenticate": 'Bearer realm="https://reg.io/token",service="reg.io"' },
 *   }));
 * }, {});
 * const response = await fetch(new Request("https://reg.io/v2/a/manifests/1"));
 * assert(response.status === 200);
 * ```
 */
export function withAuth(
  fetch: Fetch,
  options: AuthOptions = {},
): Fetch & { prefetch(repositories: Iterable<string>): void } {
  const cache = options.cache ?? new TokenCache();
  const hosts = new Map<string, HostAuth>();
  const scopes = new Map<string, string>();
  const debug = options.debug ?? (() => {});
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 60_000;
  let identity: Promise<{ credential?: Credential; id: string }> | undefined;
  const who = () => (identity ??= identify(options.credential));
  // The Basic value, built once for the one credential of this layer.
  let basic: string | undefined;
  const basicFor = (
    credential: { username: string; password: string },
  ) => (basic ??= basicAuthorization(credential));

  const own = options.registry === undefined
    ? undefined
    : endpointHost(options.registry);
  const prefetch = new TokenPrefetch({
    cache,
    bearer: () => {
      const host = own === undefined ? undefined : hosts.get(own);
      return host?.scheme === "bearer" ? host : undefined;
    },
    noTokens: () => own === undefined || hosts.get(own)?.scheme === "basic",
    who,
    request: async (scopes) => {
      const bearer = hosts.get(own!) as BearerHost;
      const { credential } = await who();
      const registry = options.registry!;
      return await requestToken(fetch, {
        realm: bearer.realm,
        ...(bearer.service !== undefined ? { service: bearer.service } : {}),
        scopes,
        ...(credential !== undefined ? { credential } : {}),
        registry,
        hint: options.hint ?? `log in with "hangar login ${registry}"`,
        bodyTimeoutMs,
      });
    },
    debug,
  });
  const bearer = bearerTokens({
    fetch,
    cache,
    who,
    prefetch: own === undefined ? undefined : prefetch,
    registry: options.registry,
    hint: options.hint,
    bodyTimeoutMs,
    debug,
  });
  const authorized = async (request: Request): Promise<Response> => {
    if (request.headers.has("authorization")) return await fetch(request);
    const url = urlParts(request.url);
    // another host (a blob redirect to object storage) never gets credentials
    if (own !== undefined && url.host !== own) return await fetch(request);
    const registry = options.registry ?? url.host;
    const repo = repositoryOf(url.pathname);
    const scopeKey = `${url.host} ${repo ?? ""}`;
    const body = request.body === null
      ? undefined
      : await request.arrayBuffer();
    const send = (authorization: string | undefined) => {
      // Nothing to add and no body to replay: the request goes on as it is.
      if (authorization === undefined && body === undefined) {
        return fetch(request);
      }
      // A record converts cheaper than a Headers copy.
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => headers[name] = value);
      if (authorization !== undefined) headers.authorization = authorization;
      // The retry layer below sends this copy as its first attempt as it is.
      return fetch(
        attemptableCopy(request, {
          headers,
          ...(body !== undefined ? { body } : {}),
        }),
      );
    };
    const { credential } = await who();
    const known = hosts.get(url.host);
    let sent: { header: string; key?: TokenKey } | undefined;
    if (
      known?.scheme === "basic" && credential !== undefined &&
      "username" in credential
    ) {
      sent = { header: basicFor(credential) };
    } else if (known?.scheme === "bearer" && url.pathname.startsWith("/v2/")) {
      const scope = repo === undefined
        ? undefined
        : scopes.get(scopeKey) ?? pullScope(repo);
      sent = await bearer(known, scope, registry, request.signal);
    }
    let response = await send(sent?.header);
    if (response.status === 401) {
      const challenges = parseChallenges(
        response.headers.get("www-authenticate") ?? "",
      );
      const challenge = challenges.find((c) =>
        c.scheme === "bearer" && c.params.realm
      );
      let retry: string | undefined;
      if (challenge !== undefined) {
        const realm = checkRealm(
          challenge.params.realm!,
          response.url || request.url,
          registry,
        );
        const host: HostAuth = {
          scheme: "bearer",
          realm,
          ...optional("service", challenge.params.service),
        };
        hosts.set(url.host, host);
        prefetch.schedule();
        const scope = challenge.params.scope ??
          (repo === undefined ? undefined : pullScope(repo));
        if (challenge.params.scope !== undefined && repo !== undefined) {
          scopes.set(scopeKey, challenge.params.scope);
        }
        if (sent?.key) cache.invalidate(sent.key);
        retry = (await bearer(host, scope, registry, request.signal)).header;
      } else if (
        challenges.some((c) => c.scheme === "basic") &&
        credential !== undefined &&
        "username" in credential && !sent?.header.startsWith("Basic ")
      ) {
        debug(`auth: "${url.host}" asks for Basic credentials`);
        hosts.set(url.host, { scheme: "basic" });
        retry = basicFor(credential);
      }
      if (retry !== undefined) {
        await response.body?.cancel();
        response = await send(retry);
      }
    }
    if (response.status === 401 || response.status === 403) {
      throw await finalError(
        request,
        response,
        credential,
        registry,
        { hint: options.hint, bodyTimeoutMs },
      );
    }
    return response;
  };
  const authFetch = withDiscovery(authorized);
  return Object.assign(authFetch, {
    /** Notes repositories the run will read soon (their tokens are batched). */
    prefetch: (repositories: Iterable<string>) => prefetch.want(repositories),
  });
}

function optional<K extends string>(
  name: K,
  value: string | undefined,
): { [P in K]?: string } {
  return value === undefined ? {} : { [name]: value } as { [P in K]?: string };
}

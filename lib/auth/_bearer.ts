/**
 * The Bearer token of one request: a fresh cached token at once, else one
 * fetched from the registry's token service (its own registry's scopes
 * batched ahead by the prefetch). Private helper of auth.ts.
 *
 * @module
 */
import type { Credential } from "./credentials.ts";
import type { Fetch } from "../transport/fetch.ts";
import type { TokenCache, TokenKey } from "./token_cache.ts";
import { requestToken } from "./token_request.ts";
import { authServiceTimeout } from "./_auth_service.ts";
import type { TokenPrefetch } from "./_prefetch.ts";
import { abortable } from "../transport/abortable.ts";

/** A registry's Bearer challenge: where its tokens come from. */
export interface BearerHost {
  scheme: "bearer";
  realm: string;
  service?: string;
}

/** What {@linkcode bearerTokens} needs from the auth layer. */
export interface BearerContext {
  /** The fetch token requests go through. */
  fetch: Fetch;
  /** The token cache shared by the clients. */
  cache: TokenCache;
  /** Who asks (the credential, once looked up). */
  who: () => Promise<{ credential?: Credential; id: string }>;
  /** The prefetch of the layer's own registry, when it has one. */
  prefetch: TokenPrefetch | undefined;
  /** The layer's own registry name (auth.ts's `registry` option). */
  registry: string | undefined;
  /** Advice for unauthorized errors without a credential. */
  hint: string | undefined;
  /** Limit for reading a token answer, in ms. */
  bodyTimeoutMs: number;
  /** Debug log, one line per token fetched; never a secret. */
  debug: (line: string) => void;
}

/** The `Authorization` value of a request, and the cache key of its token. */
export interface BearerHeader {
  header: string;
  key: TokenKey;
}

/**
 * Makes the function that gives a request's Bearer header for `scope` of
 * `registry` on `host`; it waits on `signal` for a token being fetched.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { bearerTokens } from "./_bearer.ts";
 * import { TokenCache } from "./token_cache.ts";
 * const tokenFor = bearerTokens({
 *   fetch: () => Promise.resolve(Response.json({ token: "t" })),
 *   cache: new TokenCache(),
 *   who: () => Promise.resolve({ id: "anonymous" }),
 *   prefetch: undefined,
 *   registry: "reg.io",
 *   hint: undefined,
 *   bodyTimeoutMs: 1000,
 *   debug: () => {},
 * });
 * const host = { scheme: "bearer", realm: "https://reg.io/token" } as const;
 * const { header } = await tokenFor(
 *   host,
 *   "repository:a:pull",
 *   "reg.io",
 *   new AbortController().signal,
 * );
 * assert.equal(header, "Bearer t");
 * ```
 */
export function bearerTokens(
  context: BearerContext,
): (
  host: BearerHost,
  scope: string | undefined,
  registry: string,
  signal: AbortSignal,
) => Promise<BearerHeader> {
  const { cache, debug, bodyTimeoutMs } = context;
  return async (host, scope, registry, signal) => {
    const { credential, id } = await context.who();
    if (
      scope !== undefined && context.prefetch !== undefined &&
      registry === context.registry
    ) {
      await context.prefetch.demand(scope);
    }
    const key: TokenKey = {
      realm: host.realm,
      scopes: scope ? [scope] : [],
      identity: id,
    };
    if (host.service !== undefined) key.service = host.service;
    // A fresh token at hand: no waiting, no abort listener.
    const cached = cache.peek(key);
    if (cached !== undefined && !signal.aborted) {
      return { header: `Bearer ${cached}`, key };
    }
    const token = await abortable(
      cache.get(key, async () => {
        const fetched = await requestToken(context.fetch, {
          realm: host.realm,
          ...(host.service !== undefined ? { service: host.service } : {}),
          ...(scope !== undefined ? { scope } : {}),
          ...(credential !== undefined ? { credential } : {}),
          registry,
          hint: context.hint ?? `log in with "hangar login ${registry}"`,
          bodyTimeoutMs,
        });
        const mode = credential === undefined
          ? "anonymous"
          : "with credentials";
        debug(
          `auth: token for "${
            scope ?? ""
          }" from ${host.realm} (${mode}), expires in ${
            fetched.expiresInSeconds ?? 60
          } s`,
        );
        return fetched;
      }),
      signal,
    ).catch((error) => {
      throw authServiceTimeout(error, signal, registry, host.realm);
    });
    return { header: `Bearer ${token}`, key };
  };
}

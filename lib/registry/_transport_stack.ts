/**
 * The transport stack of one registry client: request log -> rate limit pacing
 * -> scheme fallback -> retry (with a connect/first-byte limit per attempt and
 * a fail-fast once a host stopped answering) -> auth. Private helper of
 * client.ts.
 *
 * @module
 */
import { withAuth } from "../auth/auth.ts";
import type { Fetch } from "../transport/fetch.ts";
import type { RegistryClientOptions } from "./_client_options.ts";
import { withRetry } from "../transport/retry.ts";
import { RateLimitPacer, withRateLimit } from "../transport/rate_limit.ts";
import { withSchemeFallback } from "../transport/scheme.ts";
import { withRequestLog } from "../transport/http_body.ts";
import { StalledHosts } from "../transport/stalled_hosts.ts";
import { endpointHost } from "../auth/support.ts";

/**
 * Stacks the transport layers on a base fetch: request log -> rate limit pacing
 * -> scheme fallback -> retry (with a per-attempt connect/first-byte timeout,
 * failing fast once a host stopped answering) -> auth. The result's `route`
 * says where a URL actually goes (http after a scheme fallback).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildStack } from "./_transport_stack.ts";
 * const fetch = buildStack(() => Promise.resolve(new Response("ok")), "reg.io", {});
 * assert((await fetch(new Request("https://reg.io/v2/"))).status === 200);
 * ```
 */
export function buildStack(
  base: Fetch,
  registry: string,
  options: RegistryClientOptions,
): Fetch & {
  route(url: string): string;
  prefetch(repositories: Iterable<string>): void;
} {
  const debug = options.debug ? { debug: options.debug } : {};
  const logged = options.debug ? withRequestLog(base, options.debug) : base;
  const pacer = new RateLimitPacer(registry, {
    ...options.rateLimit,
    ...(options.warn ? { warn: options.warn } : {}),
  });
  const scheme = withSchemeFallback(withRateLimit(logged, pacer), {
    insecure: options.tlsVerify === false,
  });
  const own = endpointHost(registry);
  const stalledHosts = new StalledHosts({
    label: (host) => host === own ? `Registry "${registry}"` : `Host "${host}"`,
    ...(options.stopAfterTimeouts !== undefined
      ? { threshold: options.stopAfterTimeouts }
      : {}),
  });
  const retried = withRetry(scheme, {
    ...options.retry,
    attemptTimeoutMs: connectTimeout(options),
    stalledHosts,
    route: scheme.route,
    ...debug,
  });
  const auth = withAuth(retried, {
    registry,
    ...(options.credential ? { credential: options.credential } : {}),
    ...(options.tokenCache ? { cache: options.tokenCache } : {}),
    ...(options.authHint ? { hint: options.authHint } : {}),
    bodyTimeoutMs: options.requestTimeoutMs ?? 60_000,
    ...debug,
  });
  return Object.assign(auth, { route: scheme.route });
}

/**
 * The limit for one attempt to connect and get its answer's headers:
 * `connectTimeoutMs`, else 15 s or `requestTimeoutMs` when that is shorter.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectTimeout } from "./_transport_stack.ts";
 * assert.equal(connectTimeout({}), 15_000);
 * assert.equal(connectTimeout({ requestTimeoutMs: 300 }), 300);
 * assert.equal(connectTimeout({ connectTimeoutMs: 20_000 }), 20_000);
 * ```
 */
export function connectTimeout(
  options: Pick<RegistryClientOptions, "connectTimeoutMs" | "requestTimeoutMs">,
): number {
  return options.connectTimeoutMs ??
    Math.min(DEFAULT_CONNECT_TIMEOUT_MS, options.requestTimeoutMs ?? Infinity);
}

const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

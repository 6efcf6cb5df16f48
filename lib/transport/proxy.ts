/**
 * Which proxy a request goes through, decided from the environment the way
 * curl, skopeo and podman read it: `https_proxy`/`HTTPS_PROXY` for https
 * URLs, `http_proxy`/`HTTP_PROXY` for http URLs, `no_proxy`/`NO_PROXY` for
 * the exceptions. Where both spellings are set the lower-case one wins, as in
 * curl. Pure: no I/O, the environment is passed in.
 *
 * @module
 */
import { noProxyMatches } from "./_no_proxy.ts";

/** Environment variables as a record (`Deno.env.toObject()` or a test's own). */
export type ProxyEnv = Record<string, string | undefined>;

/** The proxy variables, lower-case first: the ones read and the ones Deno reads. */
export const PROXY_VARIABLES: readonly string[] = [
  "https_proxy",
  "HTTPS_PROXY",
  "http_proxy",
  "HTTP_PROXY",
  "no_proxy",
  "NO_PROXY",
  "all_proxy",
  "ALL_PROXY",
];

/** The proxy a request goes through. */
export interface ProxyRoute {
  /** Display form, never with credentials: `http://127.0.0.1:3128`. */
  url: string;
  /** `HOST:PORT` of the proxy (the port always written). */
  host: string;
  /** Proxy credentials from the URL (decoded), sent as `Proxy-Authorization`. */
  credentials?: { username: string; password: string };
}

/**
 * The proxy for `url` under `env`, or `undefined` for a direct connection.
 * A proxy URL without a scheme is `http://`; the port defaults to the
 * scheme's (80, 443). Loopback hosts get no special treatment: only
 * `NO_PROXY` sends a host directly. Throws a TypeError for a proxy value
 * that is no http(s) URL (the message never shows credentials).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { proxyFor } from "./proxy.ts";
 * const env = { HTTPS_PROXY: "http://u:p%40ss@proxy:3128", NO_PROXY: ".corp" };
 * assert.deepEqual(proxyFor("https://reg.io/v2/", env), {
 *   url: "http://proxy:3128",
 *   host: "proxy:3128",
 *   credentials: { username: "u", password: "p@ss" },
 * });
 * assert.equal(proxyFor("https://reg.corp/v2/", env), undefined);
 * assert.equal(proxyFor("http://reg.io/v2/", env), undefined);
 * ```
 */
export function proxyFor(url: string, env: ProxyEnv): ProxyRoute | undefined {
  const target = new URL(url);
  const secure = target.protocol === "https:";
  if (!secure && target.protocol !== "http:") return undefined;
  const names = secure
    ? ["https_proxy", "HTTPS_PROXY"]
    : ["http_proxy", "HTTP_PROXY"];
  const name = names.find((n) => nonEmpty(env[n]));
  if (name === undefined) return undefined;
  const noProxy = env.no_proxy ?? env.NO_PROXY ?? "";
  const port = Number(target.port || (secure ? 443 : 80));
  if (noProxyMatches(noProxy, target.hostname, port)) return undefined;
  return parseProxyUrl(env[name]!.trim(), name);
}

/**
 * Whether a request to `url` goes through a proxy of `env`; a proxy value
 * that cannot be used counts as one (sending that request says what is
 * wrong with it).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { usesProxy } from "./proxy.ts";
 * assert.equal(usesProxy("https://reg.io/v2/", {}), false);
 * assert.equal(usesProxy("https://reg.io/v2/", { HTTPS_PROXY: "p:3128" }), true);
 * assert.equal(usesProxy("https://reg.io/v2/", { HTTPS_PROXY: "socks5://p" }), true);
 * ```
 */
export function usesProxy(url: string, env: ProxyEnv): boolean {
  try {
    return proxyFor(url, env) !== undefined;
  } catch {
    return true;
  }
}

/**
 * Parses one proxy value into a {@linkcode ProxyRoute}; `from` names the
 * variable in error messages.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseProxyUrl } from "./proxy.ts";
 * assert.deepEqual(parseProxyUrl("127.0.0.1:8888", "HTTPS_PROXY"), {
 *   url: "http://127.0.0.1:8888",
 *   host: "127.0.0.1:8888",
 * });
 * assert.throws(() => parseProxyUrl("socks5://a:b@p:1080", "HTTPS_PROXY"), {
 *   message: 'Cannot use proxy "socks5://p:1080" from HTTPS_PROXY: only http:// and https:// proxies are supported',
 * });
 * ```
 */
export function parseProxyUrl(value: string, from: string): ProxyRoute {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value)
    ? value
    : `http://${value}`;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new TypeError(
      `Cannot use proxy "${
        withoutUserInfo(text)
      }" from ${from}: it is not a URL`,
    );
  }
  const scheme = parsed.protocol.slice(0, -1);
  const port = parsed.port || (scheme === "https" ? "443" : "80");
  const host = `${parsed.hostname}:${port}`;
  const display = `${scheme}://${host}`;
  if (scheme !== "http" && scheme !== "https") {
    throw new TypeError(
      `Cannot use proxy "${display}" from ${from}: only http:// and https:// proxies are supported`,
    );
  }
  if (parsed.hostname === "") {
    throw new TypeError(`Cannot use proxy "${display}" from ${from}: no host`);
  }
  const route: ProxyRoute = { url: display, host };
  if (parsed.username !== "" || parsed.password !== "") {
    route.credentials = {
      username: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
    };
  }
  return route;
}

/**
 * The `Proxy-Authorization` value for a route with credentials.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { proxyAuthorization } from "./proxy.ts";
 * assert.equal(
 *   proxyAuthorization({ url: "http://p:80", host: "p:80", credentials: { username: "a", password: "b" } }),
 *   "Basic YTpi",
 * );
 * ```
 */
export function proxyAuthorization(route: ProxyRoute): string | undefined {
  const credentials = route.credentials;
  if (credentials === undefined) return undefined;
  const bytes = new TextEncoder().encode(
    `${credentials.username}:${credentials.password}`,
  );
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== "";
}

function withoutUserInfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
}

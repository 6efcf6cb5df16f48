/**
 * The errors a proxy that refuses turns into: kind "proxy", the proxy named by
 * `HOST:PORT`, never with its credentials. Private to the transport layer.
 *
 * @module
 */
import { RegistryError } from "../errors.ts";
import { errorText } from "./net_errors.ts";
import type { ProxyRoute } from "./proxy.ts";

/**
 * The error for a proxy that answered `status` (e.g. `407 Proxy
 * Authentication Required`) instead of connecting to `target`: kind "proxy"
 * for a 4xx, "network" for a proxy that could not reach the target (5xx).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { proxyAnswerError } from "./_proxy_errors.ts";
 * const error = proxyAnswerError({ url: "http://p:8", host: "p:8" }, "reg.io:443", 407, "Proxy Authentication Required");
 * assert.equal(error.kind, "proxy");
 * assert.equal(error.message, 'Proxy "p:8" refused the connection to "reg.io:443": 407 Proxy Authentication Required');
 * ```
 */
export function proxyAnswerError(
  route: ProxyRoute,
  target: string,
  status: number,
  statusText: string,
): RegistryError {
  const answer = `${status}${statusText ? ` ${statusText}` : ""}`;
  if (status >= 500) {
    return new RegistryError(
      "network",
      `Proxy "${route.host}" could not reach "${target}": ${answer}`,
      { status },
    );
  }
  return new RegistryError(
    "proxy",
    `Proxy "${route.host}" refused the connection to "${target}": ${answer}`,
    { status },
  );
}

/**
 * The error for a proxy that cannot be reached at all.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { proxyConnectError } from "./_proxy_errors.ts";
 * const cause = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
 * const error = proxyConnectError({ url: "http://p:8", host: "p:8" }, "reg.io:443", cause);
 * assert.equal(error.message, 'Cannot connect to proxy "p:8" for "reg.io:443": connection refused');
 * ```
 */
export function proxyConnectError(
  route: ProxyRoute,
  target: string,
  cause: unknown,
): RegistryError {
  const text = errorText(cause);
  const code = (cause as { code?: unknown })?.code;
  const detail = code === "ECONNREFUSED" || /connection refused/i.test(text)
    ? "connection refused"
    : text.replace(/^fetch failed: /, "")
      .replace(/error sending request [^)]*\): /, "")
      .replace(/client error \(\w+\): /, "");
  return new RegistryError(
    "proxy",
    `Cannot connect to proxy "${route.host}" for "${target}": ${detail}`,
    { cause },
  );
}

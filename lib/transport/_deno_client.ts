/**
 * Deno HTTP clients whose proxy is the one proxy.ts chose, and nothing else.
 *
 * Deno 2.9.6 reads the process's `HTTP(S)_PROXY`/`ALL_PROXY`/`NO_PROXY` when a
 * client is created and applies them to every client, even one given an
 * explicit `proxy` (its `NO_PROXY` then bypasses that proxy; `NO_PROXY=*` is
 * not understood). So the variables are taken out of the process environment
 * for the moment the client is created (synchronously) and put back at once.
 * Private to the transport layer.
 *
 * @module
 */
import { PROXY_VARIABLES, type ProxyEnv, type ProxyRoute } from "./proxy.ts";

/** TLS settings of a Deno client. */
export interface DenoClientTls {
  /** Extra CA certificates (PEM). */
  caCerts?: string[];
  /** Client certificate chain (PEM). */
  cert?: string;
  /** Private key (PEM) of `cert`. */
  key?: string;
}

/**
 * The proxy variables of this process (those readable; none without env
 * permission).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { processProxyEnv } from "./_deno_client.ts";
 * assert.equal(typeof processProxyEnv(), "object");
 * ```
 */
export function processProxyEnv(): ProxyEnv {
  const env: ProxyEnv = {};
  for (const name of PROXY_VARIABLES) {
    try {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    } catch {
      // No permission to read it: Deno cannot be told otherwise either.
    }
  }
  return env;
}

/**
 * A Deno client with the given TLS settings that goes through `route`, or
 * directly when it is undefined; `undefined` when Deno's default fetch
 * already does that (no TLS settings, no route, no proxy in the process).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDenoClient } from "./_deno_client.ts";
 * const client = createDenoClient({}, { url: "http://127.0.0.1:9", host: "127.0.0.1:9" });
 * assert(client !== undefined);
 * client.close();
 * ```
 */
export function createDenoClient(
  tls: DenoClientTls,
  route: ProxyRoute | undefined,
): Deno.HttpClient | undefined {
  const { caCerts, cert, key } = tls;
  const hasTls = (caCerts !== undefined && caCerts.length > 0) ||
    (cert !== undefined && key !== undefined);
  const saved = processProxyEnv();
  if (!hasTls && route === undefined && Object.keys(saved).length === 0) {
    return undefined;
  }
  const options: Deno.CreateHttpClientOptions = {
    ...(caCerts !== undefined && caCerts.length > 0 ? { caCerts } : {}),
    ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
  };
  if (route !== undefined) {
    options.proxy = {
      url: route.url,
      ...(route.credentials ? { basicAuth: route.credentials } : {}),
    };
  }
  const removed: string[] = [];
  try {
    for (const name of Object.keys(saved)) {
      try {
        Deno.env.delete(name);
        removed.push(name);
      } catch {
        // No permission to change it: the client may still see it.
      }
    }
    return Deno.createHttpClient(options);
  } finally {
    for (const name of removed) Deno.env.set(name, saved[name]!);
  }
}

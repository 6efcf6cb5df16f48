/**
 * The base of the transport stack: a `fetch` that verifies TLS (optionally with
 * extra CA certificates or a client certificate) or one that does not.
 *
 * Redirects are never followed here: the registry client follows them itself so
 * that credentials never travel to another host.
 *
 * The `node:https` fetch is made only when first needed, and the `node:`
 * modules of this layer load on first use: Deno's Node compatibility layer
 * costs 15-60 ms at start-up (tests/startup_graph_test.ts keeps `node:` out of
 * the static import graph of cli.ts).
 *
 * @module
 */
import { createUnverifiedFetch } from "./_unverified_fetch.ts";
import type { HostSniffs } from "./_tls_sniff.ts";
import { createDenoClient, processProxyEnv } from "./_deno_client.ts";
import { type ProxyEnv, proxyFor, type ProxyRoute } from "./proxy.ts";
import { RegistryError } from "../errors.ts";
import { classifyNetError, errorText } from "./net_errors.ts";
import { openTunnel } from "./_proxy_tunnel.ts";
import { proxyAnswerError, proxyConnectError } from "./_proxy_errors.ts";

/** The one function every transport layer takes and returns. */
export type Fetch = (request: Request) => Promise<Response>;

/** A {@linkcode Fetch} that holds connections or clients until it is closed. */
export type ClosableFetch = Fetch & {
  /** Releases the HTTP client or connection pool; safe to call twice. */
  close(): void;
  /**
   * Learns ahead, without sending a request, what the first request to the
   * host of `url` will need (under `tlsVerify: false`: whether the host
   * speaks TLS at all), so that the answer's round trip overlaps the run's
   * own start. Optional; never throws. The promise it may return settles
   * (never rejects) once what it sent is on its way, so that a caller can
   * let the event loop send it before a long stretch of its own work.
   */
  prepare?(url: string): Promise<void> | void;
};

/** Options of {@linkcode createFetch}. */
export interface CreateFetchOptions {
  /**
   * Verify the server certificate. `false` accepts any certificate: per
   * https host, Deno's fetch first; a host whose TLS it refuses (a certificate
   * it cannot verify) goes to an implementation on `node:https` with
   * `rejectUnauthorized: false`, as do all https requests with a client
   * certificate or through a proxy.
   * @default {true}
   */
  tlsVerify?: boolean;
  /**
   * Extra CA certificates (PEM) to trust.
   * @default {undefined}
   */
  caCerts?: string[];
  /**
   * Client certificate chain (PEM) for mutual TLS.
   * @default {undefined}
   */
  cert?: string;
  /**
   * Private key (PEM) of the client certificate.
   * @default {undefined}
   */
  key?: string;
  /**
   * Environment the proxy of each request is chosen from (`HTTPS_PROXY`,
   * `HTTP_PROXY`, `NO_PROXY` and their lower-case forms, see proxy.ts);
   * Deno's own reading of the process environment is switched off.
   * @default {the process's proxy variables}
   */
  proxyEnv?: ProxyEnv;
}

/**
 * Creates the base fetch of the transport stack.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFetch } from "./fetch.ts";
 * const fetch = createFetch({ tlsVerify: true });
 * assert(typeof fetch === "function");
 * fetch.close();
 * ```
 */
export function createFetch(options: CreateFetchOptions = {}): ClosableFetch {
  if (options.tlsVerify === false) return createNoVerifyFetch(options);
  const { caCerts, cert, key } = options;
  const tls = {
    ...(caCerts ? { caCerts } : {}),
    ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
  };
  const proxyEnv = options.proxyEnv ?? processProxyEnv();
  let clients: Map<string, Deno.HttpClient | undefined> | undefined = new Map();
  function clientFor(route: ProxyRoute | undefined) {
    const key = route === undefined
      ? ""
      : `${route.url} ${route.credentials?.username ?? ""}`;
    if (clients === undefined) throw new TypeError("The fetch is closed");
    if (!clients.has(key)) clients.set(key, createDenoClient(tls, route));
    return clients.get(key);
  }
  // Certificates that cannot be used fail here, when the fetch is made, as
  // they did before clients were made per route.
  if (tls.caCerts?.length || tls.cert !== undefined) clientFor(undefined);
  async function verifiedFetch(request: Request): Promise<Response> {
    let route: ProxyRoute | undefined;
    try {
      route = proxyFor(request.url, proxyEnv);
    } catch (error) {
      throw new RegistryError("proxy", (error as Error).message);
    }
    const client = clientFor(route);
    // Without options fetch() copies the request as it is, headers unchecked.
    if (client === undefined && request.redirect === "manual") {
      return await fetch(request);
    }
    const init: RequestInit & { client?: Deno.HttpClient } = {
      redirect: "manual",
    };
    if (client) init.client = client;
    if (route === undefined) return await fetch(request, init);
    let response: Response;
    try {
      response = await fetch(request, init);
    } catch (error) {
      throw await proxyFailure(error, route, new URL(request.url)) ?? error;
    }
    if (response.status === 407 && request.url.startsWith("http:")) {
      await response.body?.cancel();
      throw proxyAnswerError(
        route,
        new URL(request.url).host,
        407,
        response.statusText,
      );
    }
    return response;
  }
  return Object.assign(verifiedFetch, {
    close(): void {
      for (const client of clients?.values() ?? []) client?.close();
      clients = undefined;
    },
  });
}

/**
 * The fetch of `createFetch({ tlsVerify: false })` (CA certificates unused),
 * sharing `sniffs` when given (the registry fetch starts some ahead).
 * Internal to the transport layer; lib/registry.ts does not export it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNoVerifyFetch } from "./fetch.ts";
 * import { HostSniffs } from "./_tls_sniff.ts";
 * const sniffs = new HostSniffs();
 * const fetch = createNoVerifyFetch({ proxyEnv: {} }, sniffs);
 * assert(typeof fetch.prepare === "function");
 * fetch.close(); // closes the sniffs too
 * assert.equal(sniffs.of("127.0.0.1:1"), undefined);
 * ```
 */
export function createNoVerifyFetch(
  options: Omit<CreateFetchOptions, "tlsVerify">,
  sniffs?: HostSniffs,
): ClosableFetch {
  const proxyEnv = options.proxyEnv ?? processProxyEnv();
  const { cert, key } = options;
  return createUnverifiedFetch({
    plain: createFetch({ proxyEnv }),
    proxyEnv,
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(sniffs !== undefined ? { sniffs } : {}),
  });
}

/**
 * What a failed request through `route` says about the proxy: Deno reports
 * a refused `CONNECT` as "unsuccessful tunnel" only, so one `CONNECT` of our
 * own learns the proxy's answer; a proxy that cannot be reached is said so.
 */
async function proxyFailure(
  error: unknown,
  route: ProxyRoute,
  url: URL,
): Promise<RegistryError | undefined> {
  const text = errorText(error);
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const target = url.port ? url.host : `${url.host}:${port}`;
  if (/unsuccessful tunnel/i.test(text)) {
    try {
      const socket = await openTunnel(
        route,
        url.hostname.replace(/^\[|\]$/g, ""),
        port,
      );
      socket.destroy();
    } catch (answer) {
      if (answer instanceof RegistryError) return answer;
    }
    return proxyConnectError(route, target, error);
  }
  const failure = classifyNetError(error);
  if (
    /tcp connect error/i.test(text) ||
    (failure === "dns" && !/tls|certificate/i.test(text))
  ) {
    return proxyConnectError(route, target, error);
  }
  return undefined;
}

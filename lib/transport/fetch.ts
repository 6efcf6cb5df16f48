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
import { createInsecureFetch } from "./_insecure_fetch.ts";
import { createDenoClient, processProxyEnv } from "./_deno_client.ts";
import { type ProxyEnv, proxyFor, type ProxyRoute } from "./proxy.ts";
import { RegistryError } from "../errors.ts";
import { classifyNetError, errorText } from "./net_errors.ts";
import { openTunnel } from "./_proxy_tunnel.ts";
import { proxyAnswerError, proxyConnectError } from "./_proxy_errors.ts";
import { urlParts } from "./url_parts.ts";
import { type PeerSpeaks, sniffTls } from "./_tls_sniff.ts";

/** The one function every transport layer takes and returns. */
export type Fetch = (request: Request) => Promise<Response>;

/** A {@linkcode Fetch} that holds connections or clients until it is closed. */
export type ClosableFetch = Fetch & {
  /** Releases the HTTP client or connection pool; safe to call twice. */
  close(): void;
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
  if (options.tlsVerify === false) return createUnverifiedFetch(options);
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

/** A TLS failure that means the peer does not speak TLS (plain http). */
const NOT_TLS = /corrupt message|wrong version number|InvalidContentType/i;

/**
 * `tlsVerify: false`. Plain http, and https to a host whose certificate Deno
 * verifies, go through Deno's fetch (cheaper per request, and no Node layer to
 * load). An https host is tried there first; when the attempt fails for any
 * reason but a refused connection or a peer that does not speak TLS (which the
 * scheme layer turns into plain http), the host goes to the `node:https`
 * fetch without verification for this and later requests, so that its
 * errors read as before. A host that answered through Deno's fetch keeps it
 * (its network failures then read as with verification on) unless its TLS is
 * refused later. A client certificate or a proxy for https keeps the
 * `node:https` fetch throughout.
 *
 * A host named with a port other than 443 (where plain-http registries
 * live) is first asked with a bare TLS ClientHello (_tls_sniff.ts); one that
 * answers in plain http fails at once as not speaking TLS, without Deno's
 * TLS set-up (about 40 ms of the main thread, once per process) or a
 * handshake. Any other answer goes on as above.
 */
function createUnverifiedFetch(options: CreateFetchOptions): ClosableFetch {
  const proxyEnv = options.proxyEnv ?? processProxyEnv();
  const plain = createFetch({ proxyEnv });
  const { cert, key } = options;
  const clientCertificate = cert !== undefined || key !== undefined;
  const hosts = new Map<string, "deno" | "node">();
  const sniffs = new Map<string, Promise<PeerSpeaks>>();
  async function plainHttpPeer(host: string, signal: AbortSignal) {
    const port = /:(\d+)$/.exec(host)?.[1];
    if (port === undefined || port === "443") return false;
    let sniff = sniffs.get(host);
    if (sniff === undefined) {
      sniffs.set(host, sniff = sniffTls(host, signal));
      // An aborted sniff is asked again by the next request.
      sniff.catch(() => sniffs.delete(host));
    }
    return await sniff === "http";
  }
  let node: ClosableFetch | undefined;
  async function viaNode(request: Request): Promise<Response> {
    node ??= createInsecureFetch({
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      proxyEnv,
    });
    return await node(request);
  }
  function proxied(url: string): boolean {
    try {
      return proxyFor(url, proxyEnv) !== undefined;
    } catch {
      return true; // the node:https fetch says what is wrong with the proxy
    }
  }
  async function unverifiedFetch(request: Request): Promise<Response> {
    if (request.url.startsWith("http:")) return await plain(request);
    const host = request.url.startsWith("https:")
      ? urlParts(request.url).host
      : undefined;
    const seen = host === undefined ? "node" : hosts.get(host);
    if (seen === "node" || clientCertificate || proxied(request.url)) {
      return await viaNode(request);
    }
    if (seen === undefined && await plainHttpPeer(host!, request.signal)) {
      throw new TypeError(
        "the server does not speak TLS (it answered a TLS ClientHello in plain http)",
      );
    }
    const spare = request.body === null ? request : request.clone();
    try {
      const response = await plain(request);
      hosts.set(host!, "deno");
      return response;
    } catch (error) {
      if (request.signal.aborted) throw error;
      const failure = classifyNetError(error);
      if (
        failure === "refused" ||
        (failure === "tls" && NOT_TLS.test(errorText(error))) ||
        (seen === "deno" && failure !== "tls")
      ) throw error;
      hosts.set(host!, "node");
      return await viaNode(spare);
    }
  }
  return Object.assign(unverifiedFetch, {
    close(): void {
      plain.close();
      node?.close();
    },
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

/**
 * The base fetch of `tlsVerify: false` (`--tls-verify=false`): Deno's fetch
 * where it can carry the request, `node:https` without verification where it
 * cannot, and a bare TLS ClientHello first for a host that may speak plain
 * http. Private to the transport layer (fetch.ts makes it).
 *
 * @module
 */
import { createInsecureFetch } from "./_insecure_fetch.ts";
import { type ProxyEnv, usesProxy } from "./proxy.ts";
import { classifyNetError, errorText } from "./net_errors.ts";
import { urlParts } from "./url_parts.ts";
import { HostSniffs } from "./_tls_sniff.ts";
import { abortable } from "./abortable.ts";

/** Structurally the transport's `ClosableFetch` (fetch.ts imports this file). */
type ClosableFetch = ((request: Request) => Promise<Response>) & {
  close(): void;
};

/** Options of {@linkcode createUnverifiedFetch}. */
export interface UnverifiedFetchOptions {
  /** Deno's fetch with the process's proxies and no TLS settings. */
  plain: ClosableFetch;
  /** Environment the proxy of each request is chosen from. */
  proxyEnv: ProxyEnv;
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
   * The sniffs to use, shared with whoever started some ahead (the registry
   * fetch's `prepare`); closed with this fetch.
   * @default {its own}
   */
  sniffs?: HostSniffs;
}

/** A TLS failure that means the peer does not speak TLS (plain http). */
const NOT_TLS = /corrupt message|wrong version number|InvalidContentType/i;

/**
 * Plain http, and https to a host whose certificate Deno verifies, go
 * through Deno's fetch (cheaper per request, and no Node layer to load). An
 * https host is tried there first; when the attempt fails for any reason but
 * a refused connection or a peer that does not speak TLS (which the scheme
 * layer turns into plain http), the host goes to the `node:https` fetch
 * without verification for this and later requests, so that its errors read
 * as before. A host that answered through Deno's fetch keeps it (its network
 * failures then read as with verification on) unless its TLS is refused
 * later. A client certificate or a proxy for https keeps the `node:https`
 * fetch throughout.
 *
 * A host named with a port other than 443 (where plain-http registries
 * live) is first asked with a bare TLS ClientHello (_tls_sniff.ts); one that
 * answers in plain http fails at once as not speaking TLS, without Deno's
 * TLS set-up (about 40 ms of the main thread, once per process) or a
 * handshake. Any other answer goes on as above. The sniff of a host is
 * shared by its requests, each waiting on it with its own signal; closing
 * the fetch stops it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createUnverifiedFetch } from "./_unverified_fetch.ts";
 * import { createFetch } from "./fetch.ts";
 * const fetch = createUnverifiedFetch({ plain: createFetch(), proxyEnv: {} });
 * const error = await fetch(new Request("ftp://127.0.0.1/")).catch((e) => e);
 * fetch.close();
 * assert(error instanceof TypeError);
 * ```
 */
export function createUnverifiedFetch(
  options: UnverifiedFetchOptions,
): ClosableFetch {
  const { plain, proxyEnv, cert, key } = options;
  const clientCertificate = cert !== undefined || key !== undefined;
  const hosts = new Map<string, "deno" | "node">();
  const sniffs = options.sniffs ?? new HostSniffs();
  async function plainHttpPeer(
    host: string,
    signal: AbortSignal,
  ): Promise<boolean> {
    const sniff = sniffs.of(host);
    return sniff !== undefined && await abortable(sniff, signal) === "http";
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
  async function unverifiedFetch(request: Request): Promise<Response> {
    if (request.url.startsWith("http:")) return await plain(request);
    const host = request.url.startsWith("https:")
      ? urlParts(request.url).host
      : undefined;
    const seen = host === undefined ? "node" : hosts.get(host);
    if (
      seen === "node" || clientCertificate || usesProxy(request.url, proxyEnv)
    ) {
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
    prepare(url: string): Promise<void> | undefined {
      if (clientCertificate || hosts.has(urlParts(url).host)) return undefined;
      return sniffs.prepare(url, proxyEnv);
    },
    close(): void {
      sniffs.close();
      plain.close();
      node?.close();
    },
  });
}

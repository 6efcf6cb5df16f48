/**
 * A `fetch` on `node:https` / `node:http`, for what Deno's own fetch cannot
 * do: skip certificate verification (`createFetch({ tlsVerify: false })`), or
 * trust a self-signed certificate that is its own CA, which rustls refuses as
 * a CA used as an end entity (`openssl req -x509` makes such certificates).
 * Private to the transport layer.
 *
 * @module
 */
import type { Agent as HttpsAgent } from "node:https";
import { bodyStream } from "./_node_body.ts";
import { RegistryError } from "../errors.ts";
import { type ProxyEnv, proxyFor, type ProxyRoute } from "./proxy.ts";
import { processProxyEnv } from "./_deno_client.ts";
import { createTunnelAgent, proxiedHttpRequest } from "./_proxy_tunnel.ts";
import { proxyAnswerError, proxyConnectError } from "./_proxy_errors.ts";
import { nodeBuiltin as builtin } from "../types/node_builtin.ts";
/** Structurally the transport's `ClosableFetch` (fetch.ts imports this file). */
type ClosableFetch = ((request: Request) => Promise<Response>) & {
  close(): void;
};

/** Options of {@linkcode createInsecureFetch}. */
export interface InsecureFetchOptions {
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
   * Environment the proxy is chosen from (see proxy.ts): https through a
   * `CONNECT` tunnel, http as an absolute-URI request to the proxy.
   * @default {the process's proxy variables}
   */
  proxyEnv?: ProxyEnv;
}

/** Options of {@linkcode createNodeFetch}. */
export interface NodeFetchOptions extends InsecureFetchOptions {
  /**
   * Verify the server certificate and its host name.
   * @default {true}
   */
  rejectUnauthorized?: boolean;
  /**
   * CA certificates (PEM) trusted in addition to the bundled root
   * certificates, as `Deno.createHttpClient({ caCerts })` adds them. A
   * self-signed server certificate listed here is trusted as it is.
   * @default {[]}
   */
  ca?: string[];
}

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * Creates a fetch that accepts any server certificate: {@linkcode createNodeFetch}
 * with `rejectUnauthorized: false`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createInsecureFetch } from "./_insecure_fetch.ts";
 * const fetch = createInsecureFetch();
 * assert(typeof fetch === "function");
 * fetch.close();
 * ```
 */
export function createInsecureFetch(
  options: InsecureFetchOptions = {},
): ClosableFetch {
  return createNodeFetch({ ...options, rejectUnauthorized: false });
}

/**
 * Creates a fetch on `node:https` / `node:http` that keeps connections alive,
 * streams bodies, honours `AbortSignal` and never follows redirects. With
 * verification on (the default) it checks the certificate chain against the
 * bundled roots plus `ca`, and the host name against the certificate.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNodeFetch } from "./_insecure_fetch.ts";
 * const fetch = createNodeFetch({ ca: [] });
 * const error = await fetch(new Request("ftp://127.0.0.1/")).catch((e) => e);
 * fetch.close();
 * assert(error instanceof TypeError);
 * ```
 */
export function createNodeFetch(options: NodeFetchOptions = {}): ClosableFetch {
  const verify = options.rejectUnauthorized ?? true;
  const ca = options.ca ?? [];
  const http = builtin("node:http");
  const https = builtin("node:https");
  const tlsSettings = {
    rejectUnauthorized: verify,
    ...(verify && ca.length > 0
      ? { ca: [...builtin("node:tls").rootCertificates, ...ca] }
      : {}),
    ...(options.cert !== undefined ? { cert: options.cert } : {}),
    ...(options.key !== undefined ? { key: options.key } : {}),
  };
  const httpsAgent = new https.Agent({ keepAlive: true, ...tlsSettings });
  const httpAgent = new http.Agent({ keepAlive: true });
  const proxyEnv = options.proxyEnv ?? processProxyEnv();
  const tunnels = new Map<string, HttpsAgent>();
  function tunnel(route: ProxyRoute): HttpsAgent {
    const key = `${route.url} ${route.credentials?.username ?? ""}`;
    let agent = tunnels.get(key);
    if (agent === undefined) {
      tunnels.set(key, agent = createTunnelAgent(route, tlsSettings));
    }
    return agent;
  }
  async function nodeFetch(request: Request): Promise<Response> {
    const signal = request.signal;
    signal.throwIfAborted();
    const url = new URL(request.url);
    const body = request.body === null
      ? undefined
      : new Uint8Array(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => headers[name] = value);
    if (body !== undefined) headers["content-length"] = String(body.byteLength);
    const secure = url.protocol === "https:";
    if (!secure && url.protocol !== "http:") {
      throw new TypeError(
        `Cannot fetch "${url.protocol}" URLs: only http and https are supported`,
      );
    }
    let route: ProxyRoute | undefined;
    try {
      route = proxyFor(url.href, proxyEnv);
    } catch (error) {
      throw new RegistryError("proxy", (error as Error).message);
    }
    const viaProxy = route !== undefined && !secure ? route : undefined;
    const transport = secure ? https : http;
    return await new Promise<Response>((resolve, reject) => {
      const req = viaProxy !== undefined
        ? proxiedHttpRequest(url, viaProxy, request.method, headers, httpAgent)
        : transport.request(url, {
          method: request.method,
          headers,
          agent: secure
            ? (route !== undefined ? tunnel(route) : httpsAgent)
            : httpAgent,
        });
      req.once("response", (res) => {
        const responseHeaders = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        }
        const status = res.statusCode ?? 0;
        if (viaProxy !== undefined && status === 407) {
          res.resume();
          signal.removeEventListener("abort", onAbort);
          settled = true;
          reject(
            proxyAnswerError(
              viaProxy,
              url.host,
              status,
              res.statusMessage ?? "",
            ),
          );
          return;
        }
        let stream: ReadableStream<Uint8Array> | null = null;
        if (request.method === "HEAD" || NULL_BODY_STATUS.has(status)) {
          res.resume();
          signal.removeEventListener("abort", onAbort);
        } else {
          stream = bodyStream(
            res,
            signal,
            () => signal.removeEventListener("abort", onAbort),
          );
        }
        const response = new Response(stream, {
          status,
          statusText: res.statusMessage ?? "",
          headers: responseHeaders,
        });
        Object.defineProperty(response, "url", { value: request.url });
        settled = true;
        resolve(response);
      });
      let settled = false;
      function onAbort(): void {
        req.destroy();
        if (!settled) {
          settled = true;
          reject(signal.reason);
        }
      }
      signal.addEventListener("abort", onAbort, { once: true });
      req.on("error", (error: Error) => {
        signal.removeEventListener("abort", onAbort);
        if (!settled) {
          settled = true;
          reject(
            viaProxy !== undefined && !(error instanceof RegistryError)
              ? proxyConnectError(viaProxy, url.host, error)
              : error,
          );
        }
      });
      req.end(body);
    });
  }
  return Object.assign(nodeFetch, {
    close(): void {
      httpsAgent.destroy();
      httpAgent.destroy();
      for (const agent of tunnels.values()) agent.destroy();
      tunnels.clear();
    },
  });
}

/**
 * Requests through an HTTP proxy for the `node:https` fetch: https in a
 * `CONNECT` tunnel, plain http as an absolute-URI request to the proxy.
 * Private to the transport layer.
 *
 * @module
 */
import type { Agent as HttpsAgent } from "node:https";
import type { Socket } from "node:net";
import type { Agent as HttpAgent, ClientRequest } from "node:http";
import type { RegistryError } from "../errors.ts";
import { proxyAnswerError, proxyConnectError } from "./_proxy_errors.ts";
import { proxyAuthorization, type ProxyRoute } from "./proxy.ts";
import { nodeBuiltin as builtin } from "../types/node_builtin.ts";

/**
 * Opens a `CONNECT` tunnel to `host:port` through the proxy (sending
 * `Proxy-Authorization` when it has credentials) and resolves to the socket
 * once the proxy said 2xx; rejects with {@linkcode proxyAnswerError} or
 * {@linkcode proxyConnectError}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { openTunnel } from "./_proxy_tunnel.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const port = listener.addr.port;
 * listener.close();
 * const error = await openTunnel({ url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` }, "reg.io", 443)
 *   .catch((e) => e);
 * assert.equal(error.kind, "proxy");
 * ```
 */
export function openTunnel(
  route: ProxyRoute,
  host: string,
  port: number,
): Promise<Socket> {
  const target = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const proxyUrl = new URL(route.url);
  const proxyHost = proxyUrl.hostname.replace(/^\[|\]$/g, "");
  const proxyPort = Number(route.host.slice(route.host.lastIndexOf(":") + 1));
  const tls = builtin("node:tls");
  const net = builtin("node:net");
  return new Promise((resolve, reject) => {
    const socket: Socket = proxyUrl.protocol === "https:"
      ? tls.connect({ host: proxyHost, port: proxyPort, servername: proxyHost })
      : net.connect({ host: proxyHost, port: proxyPort });
    let head = new Uint8Array(0);
    let done = false;
    const fail = (error: RegistryError) => {
      if (done) return;
      done = true;
      socket.destroy();
      reject(error);
    };
    socket.once(
      proxyUrl.protocol === "https:" ? "secureConnect" : "connect",
      () => {
        const auth = proxyAuthorization(route);
        socket.write(
          `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n` +
            (auth ? `Proxy-Authorization: ${auth}\r\n` : "") + "\r\n",
        );
      },
    );
    socket.on(
      "error",
      (error) => fail(proxyConnectError(route, target, error)),
    );
    socket.once("close", () =>
      fail(
        proxyConnectError(
          route,
          target,
          new Error("the proxy closed the connection"),
        ),
      ));
    const onData = (chunk: Uint8Array) => {
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      head = joined;
      const text = new TextDecoder("latin1").decode(head);
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        if (head.length > 16_384) {
          fail(proxyConnectError(route, target, new Error("answer too long")));
        }
        return;
      }
      socket.off("data", onData);
      const match = /^HTTP\/\d(?:\.\d)? (\d{3}) ?([^\r\n]*)/.exec(text);
      const status = match ? Number(match[1]) : 0;
      if (status < 200 || status > 299) {
        fail(
          proxyAnswerError(
            route,
            target,
            status,
            match?.[2] ?? "no HTTP answer",
          ),
        );
        return;
      }
      done = true;
      socket.removeAllListeners("close");
      socket.removeAllListeners("error");
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    socket.on("data", onData);
  });
}

/** TLS settings of {@linkcode createTunnelAgent}. */
export interface TunnelTls {
  /** Check the server certificate. */
  rejectUnauthorized: boolean;
  /** Trusted CAs (all of them, roots included), when not the default. */
  ca?: string[];
  /** Client certificate chain. */
  cert?: string;
  /** Private key of `cert`. */
  key?: string;
}

/**
 * A keep-alive `https.Agent` whose connections are TLS over a `CONNECT`
 * tunnel through the proxy.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTunnelAgent } from "./_proxy_tunnel.ts";
 * const agent = createTunnelAgent({ url: "http://p:8", host: "p:8" }, { rejectUnauthorized: true });
 * assert(typeof agent.destroy === "function");
 * agent.destroy();
 * ```
 */
export function createTunnelAgent(
  route: ProxyRoute,
  settings: TunnelTls,
): HttpsAgent {
  const tls = builtin("node:tls");
  const net = builtin("node:net");
  const agent = new (builtin("node:https")).Agent({ keepAlive: true });
  const connect = (
    options: { host?: string; port?: number | string; servername?: string },
    callback: (error: Error | null, socket?: Socket) => void,
  ): undefined => {
    const host = (options.host ?? "localhost").replace(/^\[|\]$/g, "");
    openTunnel(route, host, Number(options.port ?? 443)).then((socket) => {
      const secure = tls.connect({
        socket,
        host,
        ...(net.isIP(host) ? {} : { servername: options.servername ?? host }),
        ...settings,
      });
      const onError = (error: Error) => callback(error);
      secure.once("error", onError);
      secure.once("secureConnect", () => {
        secure.off("error", onError);
        callback(null, secure);
      });
    }, (error) => callback(error));
    return undefined;
  };
  (agent as unknown as { createConnection: typeof connect })
    .createConnection = connect;
  return agent;
}

/**
 * Sends a plain-http request to the proxy with the absolute URL as its
 * target (and `Proxy-Authorization` when the proxy has credentials).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import http from "node:http";
 * import { proxiedHttpRequest } from "./_proxy_tunnel.ts";
 * const agent = new http.Agent();
 * const req = proxiedHttpRequest(new URL("http://reg.io/v2/"), { url: "http://127.0.0.1:9", host: "127.0.0.1:9" }, "GET", {}, agent);
 * const error = await new Promise((resolve) => req.on("error", resolve).end());
 * agent.destroy();
 * assert(error instanceof Error);
 * ```
 */
export function proxiedHttpRequest(
  url: URL,
  route: ProxyRoute,
  method: string,
  headers: Record<string, string>,
  agent: HttpAgent,
): ClientRequest {
  const proxy = new URL(route.url);
  const authorization = proxyAuthorization(route);
  const auth = authorization ? { "proxy-authorization": authorization } : {};
  const module = builtin(
    proxy.protocol === "https:" ? "node:https" : "node:http",
  );
  return module.request({
    host: proxy.hostname.replace(/^\[|\]$/g, ""),
    port: Number(route.host.slice(route.host.lastIndexOf(":") + 1)),
    path: url.href,
    method,
    headers: { ...headers, host: url.host, ...auth },
    ...(proxy.protocol === "https:" ? {} : { agent }),
  });
}

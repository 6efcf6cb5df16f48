/**
 * Finds out whether a peer speaks TLS without a TLS stack: one TCP
 * connection, a minimal TLS ClientHello, and the first bytes of the answer.
 * A TLS server answers a ClientHello with a TLS record (a handshake or an
 * alert); a plain-http server reads it as a malformed request and answers
 * `HTTP/1.x 400`.
 *
 * Under `--tls-verify=false` this decides a plain-http registry without the
 * https attempt through Deno's fetch, whose first TLS handshake in a process
 * costs about 40 ms of set-up on the main thread. Private to the transport
 * layer (fetch.ts).
 *
 * @module
 */

import { type ProxyEnv, usesProxy } from "./proxy.ts";
import { urlParts } from "./url_parts.ts";

/** What the peer's first bytes said. */
export type PeerSpeaks = "http" | "tls" | "unknown";

/**
 * A syntactically valid TLS 1.2 ClientHello record: version 3.3, a 32-byte
 * random that holds `\r\n\r\n` (so that a plain-http server has a whole,
 * malformed request to answer), no session, four cipher suites, null
 * compression, no extensions.
 */
export const CLIENT_HELLO: Uint8Array = (() => {
  const random = [13, 10, 13, 10, ...Array.from({ length: 28 }, () => 0x2e)];
  const suites = [0xc0, 0x2f, 0xc0, 0x2b, 0x00, 0x9c, 0x00, 0x2f];
  const body = [
    0x03,
    0x03,
    ...random,
    0x00, // session id: none
    0x00,
    suites.length,
    ...suites,
    0x01, // one compression method: null
    0x00,
  ];
  const handshake = [0x01, 0x00, 0x00, body.length, ...body];
  return new Uint8Array([
    0x16, // handshake record
    0x03,
    0x01,
    0x00,
    handshake.length,
    ...handshake,
  ]);
})();

const HTTP = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"

/** A host's sniff: its answer, and when its ClientHello was on its way. */
interface Sniff {
  answer: Promise<PeerSpeaks>;
  sent: Promise<void>;
}

/**
 * Reads what `host` (`name:port`, IPv6 in brackets) answers to a TLS
 * ClientHello: `"http"` for `HTTP/`, `"tls"` for a TLS record, `"unknown"`
 * for anything else, a closed connection or a failed connect. An aborted
 * `signal` closes the connection and rejects with its reason. `onSent` is
 * called once the ClientHello is written.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sniffTls } from "./_tls_sniff.ts";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => new Response("plain"),
 * );
 * const speaks = await sniffTls(`127.0.0.1:${server.addr.port}`);
 * await server.shutdown();
 * assert.equal(speaks, "http");
 * ```
 */
export async function sniffTls(
  host: string,
  signal?: AbortSignal,
  onSent?: () => void,
): Promise<PeerSpeaks> {
  signal?.throwIfAborted();
  const colon = host.lastIndexOf(":");
  const hostname = host.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(host.slice(colon + 1));
  let conn: Deno.TcpConn | undefined;
  let aborted = false;
  const abort = () => {
    aborted = true;
    try {
      conn?.close();
    } catch {
      // already closed
    }
  };
  signal?.addEventListener("abort", abort, { once: true });
  try {
    conn = await Deno.connect({ hostname, port });
    if (aborted) abort();
    await conn.write(CLIENT_HELLO);
    onSent?.();
    const first = new Uint8Array(HTTP.length);
    let got = 0;
    while (got < first.length) {
      const n = await conn.read(first.subarray(got));
      if (n === null) break;
      got += n;
      if (first[0] === 0x15 || first[0] === 0x16) return "tls";
      if (first[0] !== HTTP[0]) return "unknown";
    }
    return got === HTTP.length && HTTP.every((byte, i) => first[i] === byte)
      ? "http"
      : "unknown";
  } catch (error) {
    if (aborted) throw signal!.reason;
    if (error instanceof Deno.errors.PermissionDenied) throw error;
    return "unknown";
  } finally {
    signal?.removeEventListener("abort", abort);
    if (!aborted) {
      try {
        conn?.close();
      } catch {
        // already closed
      }
    }
  }
}

/**
 * The sniffs of one fetch, one per host and shared by its requests; a host
 * on port 443 (or without a port) is never sniffed. Not bound to any one
 * request's signal: {@linkcode HostSniffs.close} stops them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { HostSniffs } from "./_tls_sniff.ts";
 * const sniffs = new HostSniffs();
 * assert.equal(sniffs.of("reg.io"), undefined);
 * assert.equal(sniffs.of("reg.io:443"), undefined);
 * sniffs.close();
 * assert.equal(sniffs.of("127.0.0.1:1"), undefined); // closed: none started
 * ```
 */
export class HostSniffs {
  #sniffs = new Map<string, Sniff>();
  #closing = new AbortController();

  /** The sniff of `host` (`name:port`), started on the first ask. */
  of(host: string): Promise<PeerSpeaks> | undefined {
    return this.#start(host)?.answer;
  }

  /**
   * Starts the sniff of `host` like {@linkcode HostSniffs.of}; the promise
   * settles (never rejects) once its ClientHello is written or the sniff
   * is over, whichever comes first.
   */
  sent(host: string): Promise<void> | undefined {
    return this.#start(host)?.sent;
  }

  /**
   * Starts, ahead of the request, the sniff a request to `url` would wait
   * for: that of an https URL not sent through a proxy of `proxyEnv`. The
   * promise is {@linkcode HostSniffs.sent}'s; nothing is started otherwise.
   */
  prepare(url: string, proxyEnv: ProxyEnv): Promise<void> | undefined {
    if (!url.startsWith("https:") || usesProxy(url, proxyEnv)) return undefined;
    return this.sent(urlParts(url).host);
  }

  #start(host: string): Sniff | undefined {
    const port = /:(\d+)$/.exec(host)?.[1];
    if (port === undefined || port === "443") return undefined;
    let sniff = this.#sniffs.get(host);
    if (sniff === undefined && !this.#closing.signal.aborted) {
      const { promise: sent, resolve: onSent } = Promise.withResolvers<void>();
      const answer = sniffTls(host, this.#closing.signal, () => onSent());
      answer.then(() => onSent(), () => onSent());
      this.#sniffs.set(host, sniff = { answer, sent });
    }
    return sniff;
  }

  /** Stops the sniffs under way; later asks start none. Safe to call twice. */
  close(): void {
    this.#closing.abort(new TypeError("The fetch is closed"));
  }
}

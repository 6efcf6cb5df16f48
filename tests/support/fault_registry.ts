/**
 * A fault-injecting registry for tests: a `(Request) => Promise<Response>`
 * handler in front of another one (an {@linkcode OciRegistry}'s handler, or
 * {@linkcode proxyTo} a real distribution registry) that answers matching
 * requests with scheduled faults: statuses with headers, connection resets,
 * stalls, wrong digests, HTML pages, tampered, truncated or oversized bodies,
 * a missing `Docker-Content-Digest`.
 *
 * Used as an injected fetch, a `"reset"` rejects like a reset connection does.
 * Served on a socket ({@linkcode FaultRegistry.serve}), a reset closes the
 * connection in the middle of the answer; {@linkcode listenAndClose} gives a
 * socket that closes before any answer, {@linkcode listenSilently} one that
 * accepts connections and never answers.
 *
 * @module
 */

import { type ServedHandler, serveHandler } from "./_serve.ts";

/** A fetch-like request handler. */
export type Handler = (request: Request) => Promise<Response>;

/** What a matching request gets. */
export type Fault =
  /** The inner handler's answer, untouched. */
  | "pass"
  /** Rejects like a connection reset by the peer. */
  | "reset"
  /** No answer until the request is aborted (or the registry closed). */
  | "stall"
  /** The inner headers, half the body, then no more until aborted. */
  | "stall-body"
  /** The inner answer without `Docker-Content-Digest`. */
  | "no-digest"
  /** 200 with an HTML login page, as captive portals and proxies send. */
  | "html"
  /**
   * This answer instead of the inner one; with `stall`, the body (if any) is
   * sent and then nothing more until the request is aborted.
   */
  | {
    status: number;
    headers?: Record<string, string>;
    body?: string | Uint8Array<ArrayBuffer>;
    stall?: boolean;
  }
  /** The inner answer with this `Docker-Content-Digest`. */
  | { digest: string }
  /** The inner headers with this body (a tampered manifest or blob). */
  | { body: string | Uint8Array<ArrayBuffer> }
  /** The inner answer cut after `bytes`; then the end, or a reset when asked. */
  | { truncate: number; reset?: boolean }
  /** The inner headers with a JSON-looking body of `bytes`, no Content-Length. */
  | { oversize: number };

/** Which requests get which faults. */
export interface FaultRule {
  /**
   * The requests: a RegExp tested on `METHOD /path` (for example
   * `/^HEAD \/v2\/a\/manifests\//`), or a substring of the path.
   */
  match: RegExp | string;
  /** Faults for the 1st, 2nd, ... matching request; later ones pass. */
  faults: Fault[];
  /**
   * Keep answering with the last fault once the list is used up.
   * @default false
   */
  repeat?: boolean;
}

/** The error a `"reset"` rejects with; lib/_net_errors.ts classifies it as a reset. */
export function resetError(): TypeError {
  return new TypeError("error sending request", {
    cause: Object.assign(new Error("connection reset by peer"), {
      code: "ECONNRESET",
    }),
  });
}

const HTML_PAGE =
  "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please sign in</body></html>\n";
const CHUNK = 64 * 1024;

/**
 * A handler that injects faults into the answers of another handler.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { FaultRegistry } from "./fault_registry.ts";
 * const faults = new FaultRegistry(() => Promise.resolve(new Response("ok")), [
 *   { match: "/v2/", faults: [{ status: 503 }] },
 * ]);
 * assert((await faults.handler(new Request("http://r/v2/"))).status === 503);
 * assert((await faults.handler(new Request("http://r/v2/"))).status === 200);
 * assert(faults.log.join() === "GET /v2/ 503,GET /v2/ pass");
 * ```
 */
export class FaultRegistry {
  /** `METHOD /path fault` of every request, in order. */
  readonly log: string[] = [];
  #inner: Handler;
  #rules: { rule: FaultRule; used: number }[];
  #closed = new AbortController();
  #bytesSent = 0;

  constructor(inner: Handler, rules: FaultRule[] = []) {
    this.#inner = inner;
    this.#rules = rules.map((rule) => ({ rule, used: 0 }));
  }

  /** Body bytes handed out by `oversize` faults so far. */
  get bytesSent(): number {
    return this.#bytesSent;
  }

  /** Adds rules; they are consulted after the earlier ones. */
  add(...rules: FaultRule[]): void {
    for (const rule of rules) this.#rules.push({ rule, used: 0 });
  }

  /** Answers one request, injecting the scheduled fault. */
  handler = async (request: Request): Promise<Response> => {
    const fault = this.#next(request);
    const path = new URL(request.url).pathname;
    this.log.push(`${request.method} ${path} ${label(fault)}`);
    if (fault === "reset") throw resetError();
    if (fault === "stall") {
      await this.#waitForAbort(request.signal);
      throw request.signal.reason ?? new Error("Fault registry closed");
    }
    if (typeof fault === "object" && "status" in fault && fault.stall) {
      const body = typeof fault.body === "string"
        ? new TextEncoder().encode(fault.body)
        : fault.body ?? new Uint8Array();
      return new Response(
        request.method === "HEAD"
          ? null
          : this.#stream(body, "stall", request.signal),
        {
          status: fault.status,
          ...(fault.headers ? { headers: fault.headers } : {}),
        },
      );
    }
    if (typeof fault === "object" && "status" in fault) {
      return new Response(
        request.method === "HEAD" ? null : fault.body ?? null,
        {
          status: fault.status,
          ...(fault.headers ? { headers: fault.headers } : {}),
        },
      );
    }
    if (fault === "html") {
      return new Response(request.method === "HEAD" ? null : HTML_PAGE, {
        headers: { "Content-Type": "text/html; charset=utf-8" },
      });
    }
    const inner = await this.#inner(request);
    if (fault === "pass") return inner;
    const headers = new Headers(inner.headers);
    const init = { status: inner.status, statusText: inner.statusText };
    if (fault === "no-digest") {
      headers.delete("docker-content-digest");
      return new Response(inner.body, { ...init, headers });
    }
    const body = new Uint8Array(await inner.arrayBuffer());
    if (fault === "stall-body") {
      headers.delete("content-length");
      const half = body.subarray(0, Math.floor(body.length / 2));
      return new Response(this.#stream(half, "stall", request.signal), {
        ...init,
        headers,
      });
    }
    if ("digest" in fault) {
      headers.set("docker-content-digest", fault.digest);
      const kept = request.method === "HEAD" ? null : body;
      return new Response(kept, { ...init, headers });
    }
    if (request.method === "HEAD") {
      return new Response(null, { ...init, headers });
    }
    if ("body" in fault) {
      headers.delete("content-length");
      return new Response(fault.body, { ...init, headers });
    }
    headers.delete("content-length");
    if ("truncate" in fault) {
      const part = body.subarray(0, fault.truncate);
      const end = fault.reset ? "reset" : "end";
      return new Response(this.#stream(part, end, request.signal), {
        ...init,
        headers,
      });
    }
    return new Response(this.#filler(fault.oversize), { ...init, headers });
  };

  /**
   * Serves {@linkcode FaultRegistry.handler} on 127.0.0.1. There a `"reset"`
   * sends the headers and then breaks the connection.
   */
  serve(): ServedHandler {
    return serveHandler(async (request) => {
      // the stalls end with close(), not with Deno.serve's request signal
      const reads = request.method === "GET" || request.method === "HEAD";
      const detached = new Request(request.url, {
        method: request.method,
        headers: request.headers,
        ...(reads ? {} : { body: await request.arrayBuffer() }),
        signal: this.#closed.signal,
      });
      try {
        return await this.handler(detached);
      } catch (error) {
        if (!(error instanceof TypeError)) {
          return new Response(null, { status: 503 });
        }
        return new Response(this.#stream(new Uint8Array(), "reset"), {
          headers: { "Content-Type": "application/json" },
        });
      }
    });
  }

  /** Ends every stall, so that servers can shut down. */
  close(): void {
    this.#closed.abort(new Error("Fault registry closed"));
  }

  #next(request: Request): Fault {
    const key = `${request.method} ${new URL(request.url).pathname}`;
    for (const entry of this.#rules) {
      const { match, faults, repeat } = entry.rule;
      const hit = typeof match === "string"
        ? key.slice(key.indexOf(" ") + 1).includes(match)
        : match.test(key);
      if (!hit || faults.length === 0) continue;
      if (entry.used < faults.length) return faults[entry.used++]!;
      if (repeat) return faults[faults.length - 1]!;
    }
    return "pass";
  }

  #waitForAbort(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const both = AbortSignal.any([signal, this.#closed.signal]);
      if (both.aborted) return resolve();
      both.addEventListener("abort", () => resolve(), { once: true });
    });
  }

  #stream(
    bytes: Uint8Array,
    end: "end" | "reset" | "stall",
    signal?: AbortSignal,
  ): ReadableStream<Uint8Array> {
    let sent = false;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (!sent && bytes.length > 0) {
          sent = true;
          controller.enqueue(bytes.slice());
          return;
        }
        if (end === "end") return controller.close();
        if (end === "stall") {
          await this.#waitForAbort(signal ?? this.#closed.signal);
          // closing the registry ends a served stall quietly
          if (this.#closed.signal.aborted) return controller.close();
        }
        controller.error(signal?.reason ?? resetError());
      },
    });
  }

  #filler(size: number): ReadableStream<Uint8Array> {
    let left = size;
    const chunk = new TextEncoder().encode(" ".repeat(CHUNK));
    return new ReadableStream<Uint8Array>({
      pull: (controller) => {
        if (left <= 0) return controller.close();
        const part = left === size
          ? new TextEncoder().encode(`{"filler":"`.padEnd(CHUNK, "x"))
          : chunk.subarray(0, Math.min(CHUNK, left));
        left -= part.length;
        this.#bytesSent += part.length;
        controller.enqueue(part.slice());
      },
    }, { highWaterMark: 0 });
  }
}

function label(fault: Fault): string {
  if (typeof fault === "string") return fault;
  if ("status" in fault) {
    return fault.stall ? `${fault.status}-stall` : String(fault.status);
  }
  if ("digest" in fault) return "digest";
  if ("body" in fault) return "body";
  if ("truncate" in fault) return fault.reset ? "truncate-reset" : "truncate";
  return "oversize";
}

/**
 * A handler that forwards requests to a real registry at `baseUrl` (redirects
 * not followed), for putting a {@linkcode FaultRegistry} in front of it.
 *
 * @example Usage
 * ```ts ignore
 * const faults = new FaultRegistry(proxyTo(distribution.url), rules);
 * ```
 */
export function proxyTo(baseUrl: string): Handler {
  return async (request: Request) => {
    const from = new URL(request.url);
    const to = new URL(`${from.pathname}${from.search}`, baseUrl);
    const headers = new Headers(request.headers);
    headers.delete("host");
    const body = request.body === null
      ? undefined
      : await request.arrayBuffer();
    return await fetch(to, {
      method: request.method,
      headers,
      body,
      redirect: "manual",
      signal: request.signal,
    });
  };
}

/** A socket that closes every connection without answering. */
export interface ClosingListener {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Stops listening and waits for the accept loop to end. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 and closes every connection once the request arrived:
 * a reset as a real client sees it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenAndClose } from "./fault_registry.ts";
 * const closing = listenAndClose();
 * await fetch(`http://${closing.host}/v2/`).catch(() => {});
 * assert(closing.connections >= 1);
 * await closing.close();
 * ```
 */
export function listenAndClose(): ClosingListener {
  return listenWith(async (conn) => {
    await conn.read(new Uint8Array(4096)).catch(() => null);
    conn.close();
  });
}

/** A socket that accepts connections and never answers. */
export interface SilentListener {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Stops listening, closes every connection and waits for the accept loop. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1, accepts every connection and never writes a byte: a
 * registry that hangs, as a client sees it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenSilently } from "./fault_registry.ts";
 * const silent = listenSilently();
 * const error = await fetch(`http://${silent.host}/v2/`, { signal: AbortSignal.timeout(50) })
 *   .catch((e) => e);
 * assert.equal(error.name, "TimeoutError");
 * assert.equal(silent.connections, 1);
 * await silent.close();
 * ```
 */
export function listenSilently(): SilentListener {
  const open = new Set<Deno.Conn>();
  return listenWith((conn) => void open.add(conn), () => {
    for (const conn of open) {
      try {
        conn.close();
      } catch {
        // closed by the client already
      }
    }
    open.clear();
  });
}

/**
 * Listens on 127.0.0.1 and hands each connection to `accept`, counting
 * them; `close` stops listening, waits for the accept loop, then runs
 * `closed`.
 */
function listenWith(
  accept: (conn: Deno.Conn) => Promise<void> | void,
  closed: () => void = () => {},
): ClosingListener {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const loop = (async () => {
    for await (const conn of listener) {
      connections++;
      await accept(conn);
    }
  })().catch(() => {});
  return {
    host: `127.0.0.1:${listener.addr.port}`,
    get connections() {
      return connections;
    },
    async close() {
      listener.close();
      await loop;
      closed();
    },
  };
}

/**
 * A TCP proxy on 127.0.0.1 that delays every chunk, in each direction, by a
 * fixed time: a registry on the loopback then behaves like one a network away.
 * Private to the benchmark (`scripts/bench.ts`).
 *
 * @module
 */

/** Options of {@linkcode startLatencyProxy}. */
export interface LatencyProxyOptions {
  /**
   * Delay added to every chunk, each way, in ms (a round trip costs twice this).
   * @default {10}
   */
  delayMs?: number;
}

/** A running proxy made by {@linkcode startLatencyProxy}. */
export interface LatencyProxy {
  /** `127.0.0.1:PORT` of the proxy. */
  host: string;
  /** Connections accepted so far. */
  connections(): number;
  /** Stops listening, closes every connection and waits for them to end. */
  stop(): Promise<void>;
}

/** Reading stops while this many bytes wait for their delay (per direction). */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;

/**
 * Listens on a free port of 127.0.0.1 and forwards each connection to
 * `127.0.0.1:targetPort`, delivering every chunk `delayMs` after it was read,
 * in order. End of stream is forwarded (after the same delay) as a half-close.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { startLatencyProxy } from "./_latency_proxy.ts";
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("hi"));
 * const proxy = startLatencyProxy(server.addr.port, { delayMs: 5 });
 * const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
 * const started = performance.now();
 * const text = await (await fetch(`http://${proxy.host}/`, { client })).text();
 * assert(text === "hi" && performance.now() - started >= 10);
 * client.close();
 * await proxy.stop();
 * await server.shutdown();
 * ```
 */
export function startLatencyProxy(
  targetPort: number,
  options: LatencyProxyOptions = {},
): LatencyProxy {
  const delayMs = options.delayMs ?? 10;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const handlers = new Set<Promise<void>>();
  let accepted = 0;
  let stopping = false;

  const track = (conn: Deno.Conn) => open.add(conn);
  const close = (conn: Deno.Conn) => {
    if (!open.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // already closed
    }
  };

  const handle = async (client: Deno.TcpConn) => {
    track(client);
    let upstream: Deno.TcpConn;
    try {
      upstream = await Deno.connect({
        hostname: "127.0.0.1",
        port: targetPort,
      });
    } catch {
      close(client);
      return;
    }
    track(upstream);
    if (stopping) {
      close(client);
      close(upstream);
      return;
    }
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const broken = () => {
      close(client);
      close(upstream);
    };
    await Promise.all([
      pipe(client, upstream, delayMs, broken),
      pipe(upstream, client, delayMs, broken),
    ]);
    broken();
  };

  const acceptLoop = (async () => {
    try {
      for await (const conn of listener) {
        accepted++;
        const handler = handle(conn).finally(() => handlers.delete(handler));
        handlers.add(handler);
      }
    } catch {
      // the listener was closed
    }
  })();

  return {
    host: `127.0.0.1:${listener.addr.port}`,
    connections: () => accepted,
    stop: async () => {
      if (stopping) return;
      stopping = true;
      try {
        listener.close();
      } catch {
        // already closed
      }
      await acceptLoop;
      for (const conn of [...open]) close(conn);
      await Promise.all([...handlers]);
    },
  };
}

/**
 * Copies `from` to `to`, each chunk delivered `delayMs` after it was read, in
 * order; ends with a half-close of `to`. Calls `broken` on a failed write.
 */
async function pipe(
  from: Deno.TcpConn,
  to: Deno.TcpConn,
  delayMs: number,
  broken: () => void,
): Promise<void> {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  let failed = false;
  const deliver = (due: number, action: () => Promise<void>) => {
    tail = tail.then(async () => {
      if (failed) return;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        await action();
      } catch {
        failed = true;
        broken();
      }
    });
  };
  const buffer = new Uint8Array(64 * 1024);
  for (;;) {
    let n: number | null;
    try {
      n = await from.read(buffer);
    } catch {
      n = null; // reset, or closed by stop()
    }
    const due = performance.now() + delayMs;
    if (n === null) {
      deliver(due, () => to.closeWrite());
      break;
    }
    const chunk = buffer.slice(0, n);
    pending += n;
    deliver(due, async () => {
      for (let off = 0; off < chunk.length;) {
        off += await to.write(chunk.subarray(off));
      }
      pending -= chunk.length;
    });
    if (pending > MAX_PENDING_BYTES) await tail;
    if (failed) break;
  }
  await tail;
}

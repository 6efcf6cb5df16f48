/**
 * TCP relays for the transport tests: they count the connections to a test
 * server and record how each opened (the `--tls-verify=false` sniff's bare
 * ClientHello, another TLS record, or plain http), with a TLS and a
 * plain-http server behind one.
 *
 * @module
 */
import { makeTestCertificates, type TestCertificates } from "./distribution.ts";
import { CLIENT_HELLO } from "../../lib/transport/_tls_sniff.ts";

/** How a connection opened: the sniff's ClientHello, another TLS record, or http. */
export type Opening = "sniff" | "tls" | "http";

function openingOf(bytes: Uint8Array): Opening {
  if (
    bytes.length >= CLIENT_HELLO.length &&
    CLIENT_HELLO.every((byte, i) => bytes[i] === byte)
  ) return "sniff";
  return bytes[0] === 0x16 ? "tls" : "http";
}

/** What a relay saw: its connections and how each opened. */
export interface RelaySeen {
  /** Connections accepted. */
  connections: number;
  /** How each connection opened, in order. */
  openings: Opening[];
}

/** A relay of {@linkcode relayTo}. */
export interface Relay {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** What it saw so far. */
  seen: RelaySeen;
  /** Stops accepting; the open connections go on. */
  close(): Promise<void>;
  /** Resolves when every relayed connection has ended. */
  drained(): Promise<void>;
}

/**
 * A TCP relay to `port` that counts connections and records how each opened.
 * Close it before the server is shut down, and await `drained()` after.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { relayTo } from "./tls_relay.ts";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => new Response("hi"),
 * );
 * const relay = relayTo(server.addr.port);
 * const response = await fetch(`http://127.0.0.1:${relay.port}/`);
 * assert.equal(await response.text(), "hi");
 * assert.deepEqual(relay.seen, { connections: 1, openings: ["http"] });
 * await relay.close();
 * await server.shutdown();
 * await relay.drained();
 * ```
 */
export function relayTo(port: number): Relay {
  const seen: RelaySeen = { connections: 0, openings: [] };
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pipes: Promise<unknown>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      const index = seen.connections++;
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port });
      let first = true;
      const recorder = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          if (first) seen.openings[index] = openingOf(chunk);
          first = false;
          controller.enqueue(chunk);
        },
      });
      pipes.push(
        conn.readable.pipeThrough(recorder).pipeTo(upstream.writable)
          .catch(() => {}),
        upstream.readable.pipeTo(conn.writable).catch(() => {}),
      );
    }
  })();
  return {
    port: listener.addr.port,
    seen,
    async close() {
      listener.close();
      await accepting.catch(() => {});
    },
    async drained() {
      await Promise.all(pipes);
    },
  };
}

/**
 * A TLS server behind a TCP relay that counts connections; records the
 * user-agent of each request.
 */
export async function withTlsServer(
  certs: { cert: string; key: string },
  body: (
    origin: string,
    seen: RelaySeen & { agents: string[] },
  ) => Promise<void>,
): Promise<void> {
  const agents: string[] = [];
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    ...certs,
    onListen() {},
    onError: () => new Response("error", { status: 500 }),
  }, (request) => {
    agents.push(request.headers.get("user-agent") ?? "none");
    return new Response("hello");
  });
  const relay = relayTo(server.addr.port);
  try {
    const seen = Object.assign(relay.seen, { agents });
    await body(`https://127.0.0.1:${relay.port}`, seen);
  } finally {
    await relay.close();
    await server.shutdown();
    await relay.drained();
  }
}

/** Runs `body` with the test CA's files and the server's PEM certificate and key. */
export async function withTestCertificates(
  body: (
    files: TestCertificates,
    certs: { cert: string; key: string },
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const files = await makeTestCertificates(dir);
    await body(files, {
      cert: await Deno.readTextFile(files.serverCert),
      key: await Deno.readTextFile(files.serverKey),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * A plain-http server answering "plain", behind a relay; both are stopped
 * after `body`.
 */
export async function withPlainRelay(
  body: (relay: Relay) => Promise<void>,
): Promise<void> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("plain"),
  );
  const relay = relayTo(server.addr.port);
  try {
    await body(relay);
  } finally {
    await relay.close();
    await server.shutdown();
    await relay.drained();
  }
}

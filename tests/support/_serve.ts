/**
 * Serves a fetch handler on 127.0.0.1 for tests and tools that need a real URL.
 *
 * @module
 */

/** Options of {@linkcode serveHandler}. */
export interface ServeHandlerOptions {
  /**
   * Port to listen on; 0 picks a free one.
   * @default 0
   */
  port?: number;
}

/** A running server made by {@linkcode serveHandler}. */
export interface ServedHandler {
  /** Base URL, `http://127.0.0.1:PORT`. */
  url: string;
  /** `127.0.0.1:PORT`, as used in image references. */
  host: string;
  /** The port listened on. */
  port: number;
  /** Stops the server and waits until it is down. */
  close(): Promise<void>;
}

/**
 * Serves `handler` on 127.0.0.1 over plain HTTP, quietly.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveHandler } from "./_serve.ts";
 * const server = serveHandler(() => Promise.resolve(new Response("ok")));
 * const res = await fetch(`${server.url}/`);
 * assert((await res.text()) === "ok");
 * await server.close();
 * ```
 */
export function serveHandler(
  handler: (request: Request) => Promise<Response>,
  options: ServeHandlerOptions = {},
): ServedHandler {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: options.port ?? 0, onListen() {} },
    (request) => handler(request),
  );
  const port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    async close() {
      await server.shutdown();
    },
  };
}

/**
 * The body of a `node:http` answer as a web stream, for the `node:https`
 * fetch (_insecure_fetch.ts): backpressure pauses the socket, an aborted
 * signal or a connection closed early errors the stream, and `done` runs once
 * when the body ends either way. Private helper of the transport layer.
 *
 * @module
 */
import type { IncomingMessage } from "node:http";

/**
 * Streams `res`; `signal` aborts it, `done` is called once at its end
 * (complete, failed, aborted or cancelled).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { EventEmitter } from "node:events";
 * import { bodyStream } from "./_node_body.ts";
 * const res = Object.assign(new EventEmitter(), {
 *   pause() {},
 *   resume() {},
 *   destroy() {},
 * });
 * let ended = 0;
 * const body = bodyStream(res as never, new AbortController().signal, () => ended++);
 * res.emit("data", new TextEncoder().encode("ok"));
 * res.emit("end");
 * assert.equal(await new Response(body).text(), "ok");
 * assert.equal(ended, 1);
 * ```
 */
export function bodyStream(
  res: IncomingMessage,
  signal: AbortSignal,
  done: () => void,
): ReadableStream<Uint8Array> {
  let finished = false;
  let fail: (reason: unknown) => void = () => {};
  function onAbort(): void {
    fail(signal.reason);
    res.destroy();
  }
  function finish(): void {
    finished = true;
    signal.removeEventListener("abort", onAbort);
    done();
  }
  return new ReadableStream<Uint8Array>({
    start(controller) {
      fail = (reason) => {
        if (finished) return;
        finish();
        controller.error(reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      res.on("data", (chunk: Uint8Array) => {
        if (finished) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 0) <= 0) res.pause();
      });
      res.on("end", () => {
        if (finished) return;
        finish();
        controller.close();
      });
      res.on("error", (error: Error) => fail(error));
      res.on(
        "close",
        () => fail(new Error("connection closed before the body was complete")),
      );
    },
    pull() {
      res.resume();
    },
    cancel() {
      if (!finished) finish();
      res.destroy();
    },
  }, { highWaterMark: 4 });
}

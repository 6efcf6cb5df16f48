// readCapped() on byte streams (fetch's bodies): one buffer of the announced
// size instead of a 64 KiB buffer per small body, same bytes and caps.

import assert from "node:assert/strict";
import { BodyTooLargeError, readCapped } from "../lib/transport/http_body.ts";

/** A byte stream that serves `bytes` and records the size of each buffer it is given. */
function recordingBody(
  bytes: Uint8Array,
  given: number[],
): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      const view = controller.byobRequest?.view;
      given.push(view?.byteLength ?? 0);
      if (offset >= bytes.length) {
        controller.close();
        controller.byobRequest?.respond(0);
        return;
      }
      if (view === null || view === undefined) {
        controller.enqueue(bytes.slice(offset));
        offset = bytes.length;
        return;
      }
      const part = bytes.subarray(offset, offset + view.byteLength);
      new Uint8Array(view.buffer, view.byteOffset, part.length).set(part);
      offset += part.length;
      controller.byobRequest!.respond(part.length);
    },
  });
}

Deno.test("readCapped() reads a byte stream into one buffer of its Content-Length", async () => {
  const body = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2 }));
  const given: number[] = [];
  const response = new Response(recordingBody(body, given), {
    headers: { "content-length": String(body.length) },
  });
  const bytes = await readCapped(response, 4 * 1024 * 1024);
  assert.deepEqual(bytes, body);
  assert.equal(given[0], body.length + 1);
});

Deno.test("readCapped() reads a byte stream without Content-Length in 16 KiB buffers, up to the cap", async () => {
  const body = new Uint8Array(40_000).fill(7);
  const given: number[] = [];
  const bytes = await readCapped(
    new Response(recordingBody(body, given)),
    50_000,
  );
  assert.equal(bytes.length, 40_000);
  assert.ok(bytes.every((byte) => byte === 7));
  assert.equal(given[0], 16 * 1024);
  await assert.rejects(
    readCapped(new Response(recordingBody(body, [])), 30_000),
    BodyTooLargeError,
  );
});

Deno.test("readCapped() reads a fetch answer from a real server", async () => {
  const body = "x".repeat(100_000);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(body),
  );
  try {
    const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
    const bytes = await readCapped(response, 200_000);
    assert.equal(new TextDecoder().decode(bytes), body);
  } finally {
    await server.shutdown();
  }
});

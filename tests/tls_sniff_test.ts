// sniffTls(): what a peer answers to a bare TLS ClientHello decides whether
// it speaks plain http, TLS, or neither as far as we can tell.

import assert from "node:assert/strict";
import { makeTestCertificates } from "./support/distribution.ts";
import { sniffTls } from "../lib/transport/_tls_sniff.ts";

/** A TCP listener that answers each connection with `answer`. */
async function withPeer(
  answer: (conn: Deno.TcpConn) => Promise<void>,
  body: (host: string) => Promise<void>,
): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      served.push(
        answer(conn).catch(() => {}).finally(() => {
          try {
            conn.close();
          } catch {
            // closed by the answer
          }
        }),
      );
    }
  })();
  try {
    await body(`127.0.0.1:${listener.addr.port}`);
  } finally {
    listener.close();
    await accepting.catch(() => {});
    await Promise.all(served);
  }
}

Deno.test("sniffTls() reads a plain-http server as http", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("plain"),
  );
  try {
    assert.equal(await sniffTls(`127.0.0.1:${server.addr.port}`), "http");
  } finally {
    await server.shutdown();
  }
});

Deno.test("sniffTls() reads a TLS server as tls", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = await makeTestCertificates(dir);
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      cert: await Deno.readTextFile(files.serverCert),
      key: await Deno.readTextFile(files.serverKey),
      onListen() {},
      onError: () => new Response("error", { status: 500 }),
    }, () => new Response("tls"));
    try {
      assert.equal(await sniffTls(`127.0.0.1:${server.addr.port}`), "tls");
    } finally {
      await server.shutdown();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sniffTls() reads a TLS alert record as tls", async () => {
  await withPeer(async (conn) => {
    await conn.read(new Uint8Array(512));
    await conn.write(new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 2, 40]));
  }, async (host) => {
    assert.equal(await sniffTls(host), "tls");
  });
});

Deno.test("sniffTls() reads other protocols, a closed connection and a refused one as unknown", async () => {
  const answers: [string, (conn: Deno.TcpConn) => Promise<void>][] = [
    ["an ssh banner", async (conn) => {
      await conn.write(new TextEncoder().encode("SSH-2.0-OpenSSH_9.2\r\n"));
    }],
    ["a close before any byte", async () => {}],
    ["HTTP cut short", async (conn) => {
      await conn.read(new Uint8Array(512));
      await conn.write(new TextEncoder().encode("HTT"));
    }],
    ["H then something else", async (conn) => {
      await conn.read(new Uint8Array(512));
      await conn.write(new TextEncoder().encode("HELLO there\r\n"));
    }],
  ];
  for (const [name, answer] of answers) {
    await withPeer(answer, async (host) => {
      assert.equal(await sniffTls(host), "unknown", name);
    });
  }
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = closed.addr.port;
  closed.close();
  assert.equal(await sniffTls(`127.0.0.1:${port}`), "unknown");
});

Deno.test("sniffTls() stops at an abort, before the connection or while the peer stays silent, with the signal's reason", async () => {
  let release = () => {};
  const held = new Promise<void>((resolve) => release = resolve);
  let heard = () => {};
  const hello = new Promise<void>((resolve) => heard = resolve);
  await withPeer(async (conn) => {
    // The early sniff closes without a byte; the late one's hello is heard.
    if (await conn.read(new Uint8Array(512)) === null) return;
    heard();
    await held;
  }, async (host) => {
    const early = new AbortController();
    const first = sniffTls(host, early.signal);
    early.abort(new Error("early"));
    await assert.rejects(first, { message: "early" });

    const late = new AbortController();
    const second = sniffTls(host, late.signal);
    await hello;
    late.abort(new Error("late"));
    await assert.rejects(second, { message: "late" });
    release();
  });
});

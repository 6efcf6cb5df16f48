// The ClientHello of --tls-verify=false goes out when a registry's first
// image is read from the list (RegistryClient.prefetch -> the registry
// fetch's prepare()), not when its first request is built: the first request
// then uses that answer instead of asking again.

import assert from "node:assert/strict";
import { CLIENT_HELLO } from "../lib/transport/_tls_sniff.ts";
import { createRegistryFetch } from "../lib/transport/registry_fetch.ts";
import { errorText } from "../lib/transport/net_errors.ts";
import type { ClosableFetch } from "../lib/transport/fetch.ts";
import { RegistryClient } from "../lib/registry/client.ts";

async function readExactly(conn: Deno.Conn, length: number) {
  const bytes = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = await conn.read(bytes.subarray(got));
    if (n === null) break;
    got += n;
  }
  return bytes.subarray(0, got);
}

Deno.test("createRegistryFetch({ tlsVerify: false }).prepare() sends the ClientHello before any request, and the first request uses its answer", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const host = `127.0.0.1:${listener.addr.port}`;
  const fetch = createRegistryFetch(host, {
    tlsVerify: false,
    proxyEnv: {},
    dirs: [],
  });
  try {
    const written = fetch.prepare!(`https://${host}/v2/`);
    // No request was made: this connection is the prepared sniff.
    const conn = await listener.accept();
    assert.deepEqual(
      await readExactly(conn, CLIENT_HELLO.length),
      CLIENT_HELLO,
    );
    // Settled once the ClientHello is written, before any answer (the
    // bound only ends a failing test).
    let bound: ReturnType<typeof setTimeout> | undefined;
    assert.equal(
      await Promise.race([
        written!.then(() => "written"),
        new Promise((resolve) => bound = setTimeout(resolve, 5000, "late")),
      ]),
      "written",
    );
    clearTimeout(bound);
    await conn.write(
      new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"),
    );
    conn.close();
    // A second sniff would wait for an answer nobody sends: the deadline
    // would name it instead of the sniff's verdict.
    const error = await fetch(
      new Request(`https://${host}/v2/`, { signal: AbortSignal.timeout(5000) }),
    ).catch((e) => e);
    assert.equal(
      errorText(error),
      "the server does not speak TLS (it answered a TLS ClientHello in plain http)",
    );
  } finally {
    fetch.close();
    listener.close();
  }
});

Deno.test("createRegistryFetch().prepare() sends nothing with verification on, through a proxy, or after close()", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const host = `127.0.0.1:${listener.addr.port}`;
  const fetches = [
    createRegistryFetch(host, { tlsVerify: true, proxyEnv: {}, dirs: [] }),
    createRegistryFetch(host, {
      tlsVerify: false,
      proxyEnv: { HTTPS_PROXY: "http://127.0.0.1:9" },
      dirs: [],
    }),
    createRegistryFetch(host, { tlsVerify: false, proxyEnv: {}, dirs: [] }),
  ];
  fetches[2]!.close();
  try {
    for (const fetch of fetches) fetch.prepare!(`https://${host}/v2/`);
    // The first connection the listener gets is this one: a sniff started
    // above would have asked to connect first.
    const probe = Deno.connect({
      hostname: "127.0.0.1",
      port: listener.addr.port,
    });
    const first = await listener.accept();
    const mine = await probe;
    assert.equal(
      (first.remoteAddr as Deno.NetAddr).port,
      (mine.localAddr as Deno.NetAddr).port,
    );
    first.close();
    mine.close();
  } finally {
    for (const fetch of fetches) fetch.close();
    listener.close();
  }
});

Deno.test("RegistryClient.prefetch() prepares its base fetch once, for the registry's /v2/ over https", () => {
  const prepared: string[] = [];
  const base: ClosableFetch = Object.assign(
    () => Promise.reject(new Error("no request expected")),
    { close() {}, prepare: (url: string) => void prepared.push(url) },
  );
  const client = new RegistryClient("reg.io:5000", { fetch: base });
  client.prefetch("a");
  client.prefetch("b");
  assert.deepEqual(prepared, ["https://reg.io:5000/v2/"]);
});

Deno.test("RegistryClient: the first request is built after what prepare() sent is on its way; later requests do not wait", async () => {
  const digest = `sha256:${"a".repeat(64)}`;
  const order: string[] = [];
  let sent = () => {};
  const base: ClosableFetch = Object.assign(
    (request: Request) => {
      order.push(new URL(request.url).pathname);
      return Promise.resolve(
        new Response(null, { headers: { "docker-content-digest": digest } }),
      );
    },
    {
      close() {},
      prepare: () =>
        new Promise<void>((resolve) =>
          sent = () => {
            order.push("sent");
            resolve();
          }
        ),
    },
  );
  const client = new RegistryClient("reg.io:5000", {
    fetch: base,
    credential: () => Promise.resolve(undefined),
  });
  client.prefetch("a");
  const first = client.resolveManifest("a", "1");
  // Microtasks only: the wait's time limit (a timer) cannot end it here,
  // and a request not held back reaches the fetch within these turns.
  for (let turn = 0; turn < 100; turn++) await Promise.resolve();
  assert.deepEqual(order, []);
  sent();
  assert.equal((await first).digest, digest);
  const second = client.resolveManifest("a", "2");
  for (let turn = 0; turn < 100; turn++) await Promise.resolve();
  assert.deepEqual(order, ["sent", "/v2/a/manifests/1", "/v2/a/manifests/2"]);
  await second;
});

Deno.test("RegistryClient: a prepare() that never settles holds the first request back only briefly", async () => {
  const digest = `sha256:${"b".repeat(64)}`;
  const base: ClosableFetch = Object.assign(
    () =>
      Promise.resolve(
        new Response(null, { headers: { "docker-content-digest": digest } }),
      ),
    { close() {}, prepare: () => new Promise<void>(() => {}) },
  );
  const client = new RegistryClient("reg.io:5000", {
    fetch: base,
    credential: () => Promise.resolve(undefined),
  });
  client.prefetch("a");
  assert.equal((await client.resolveManifest("a", "1")).digest, digest);
});

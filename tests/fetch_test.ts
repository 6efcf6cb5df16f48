import assert from "node:assert/strict";
import { RegistryError } from "../lib/errors.ts";
import { createFetch, type Fetch } from "../lib/transport/fetch.ts";
import { withSchemeFallback } from "../lib/transport/scheme.ts";

/** A test CA and a server certificate it signs, for 127.0.0.1 and localhost. */
async function makeCertificates(): Promise<
  { ca: string; cert: string; key: string }
> {
  const dir = await Deno.makeTempDir({ prefix: "hangar_tls_" });
  try {
    const run = async (...args: string[]) => {
      const out = await new Deno.Command("openssl", {
        args,
        cwd: dir,
        stdout: "null",
        stderr: "piped",
      }).output();
      if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    };
    await run(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-subj",
      "/CN=hangar test CA",
    );
    await run(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=localhost",
    );
    await Deno.writeTextFile(
      `${dir}/ext.cnf`,
      "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
    );
    await run(
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "2",
      "-extfile",
      "ext.cnf",
    );
    return {
      ca: await Deno.readTextFile(`${dir}/ca.pem`),
      cert: await Deno.readTextFile(`${dir}/server.pem`),
      key: await Deno.readTextFile(`${dir}/server.key`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const pems = await makeCertificates();

function handler(request: Request): Response {
  const url = new URL(request.url);
  if (url.pathname === "/redirect") {
    return new Response(null, {
      status: 307,
      headers: { location: "/target" },
    });
  }
  if (url.pathname === "/echo") {
    return new Response(request.body, {
      headers: { "x-method": request.method },
    });
  }
  if (url.pathname === "/endless") {
    return new Response(
      new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(1024)) }),
    );
  }
  return new Response("hello", {
    headers: { "docker-content-digest": "sha256:x", "x-path": url.pathname },
  });
}

async function withServer(
  tls: boolean,
  fn: (origin: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: 0,
      onListen: () => {},
      ...(tls ? { cert: pems.cert, key: pems.key } : {}),
    },
    handler,
  );
  try {
    await fn(`${tls ? "https" : "http"}://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

Deno.test("createFetch() verifies a server certificate against the given CA", async () => {
  const fetch = createFetch({ caCerts: [pems.ca] });
  try {
    await withServer(true, async (origin) => {
      const response = await fetch(new Request(`${origin}/v2/`));
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "hello");
    });
  } finally {
    fetch.close();
  }
});

Deno.test("createFetch() fails with kind tls for an unknown CA and names the problem", async () => {
  const fetch = withSchemeFallback(createFetch(), { insecure: false });
  await withServer(true, async (origin) => {
    const error = await fetch(new Request(`${origin}/v2/`)).catch((e) => e);
    assert.ok(error instanceof RegistryError);
    assert.equal(error.kind, "tls");
    assert.match(
      error.message,
      /^TLS connection to "127\.0\.0\.1:\d+" failed: the certificate is signed by an unknown authority/,
    );
    assert.equal(error.hint, "tls-verify");
  });
});

Deno.test("createFetch() does not follow redirects with verification on", async () => {
  const fetch = createFetch({ caCerts: [pems.ca] });
  try {
    await withServer(true, async (origin) => {
      const response = await fetch(new Request(`${origin}/redirect`));
      await response.body?.cancel();
      assert.equal(response.status, 307);
      assert.equal(response.headers.get("location"), "/target");
    });
  } finally {
    fetch.close();
  }
});

Deno.test("createFetch({ tlsVerify: false }) accepts a certificate it cannot verify", async () => {
  const fetch = createFetch({ tlsVerify: false });
  try {
    await withServer(true, async (origin) => {
      const response = await fetch(new Request(`${origin}/v2/`));
      assert.equal(response.status, 200);
      assert.equal(response.url, `${origin}/v2/`);
      assert.equal(response.headers.get("docker-content-digest"), "sha256:x");
      assert.equal(await response.text(), "hello");
    });
  } finally {
    fetch.close();
  }
});

Deno.test("createFetch({ tlsVerify: false }) answers HEAD with headers and no body", async () => {
  const fetch = createFetch({ tlsVerify: false });
  try {
    await withServer(true, async (origin) => {
      const response = await fetch(
        new Request(`${origin}/v2/`, { method: "HEAD" }),
      );
      assert.equal(response.status, 200);
      assert.equal(response.body, null);
      assert.equal(response.headers.get("x-path"), "/v2/");
    });
  } finally {
    fetch.close();
  }
});

Deno.test("createFetch({ tlsVerify: false }) sends request bodies and leaves redirects alone", async () => {
  const fetch = createFetch({ tlsVerify: false });
  try {
    await withServer(true, async (origin) => {
      const echo = await fetch(
        new Request(`${origin}/echo`, { method: "POST", body: "a=1&b=2" }),
      );
      assert.equal(echo.headers.get("x-method"), "POST");
      assert.equal(await echo.text(), "a=1&b=2");
      const redirect = await fetch(new Request(`${origin}/redirect`));
      await redirect.body?.cancel();
      assert.equal(redirect.status, 307);
      assert.equal(redirect.headers.get("location"), "/target");
    });
  } finally {
    fetch.close();
  }
});

Deno.test("createFetch({ tlsVerify: false }) stops reading a body when the signal aborts", async () => {
  const fetch = createFetch({ tlsVerify: false });
  try {
    await withServer(true, async (origin) => {
      const controller = new AbortController();
      const response = await fetch(
        new Request(`${origin}/endless`, { signal: controller.signal }),
      );
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort(new Error("stop"));
      let error: unknown;
      try {
        for (;;) if ((await reader.read()).done) break;
      } catch (e) {
        error = e;
      }
      assert.equal((error as Error).message, "stop");
      const early = new AbortController();
      early.abort(new Error("never sent"));
      await assert.rejects(
        fetch(new Request(`${origin}/v2/`, { signal: early.signal })),
        { message: "never sent" },
      );
    });
  } finally {
    fetch.close();
  }
});

Deno.test("withSchemeFallback() falls back to plain http for a server without TLS and remembers it", async () => {
  const base = createFetch({ tlsVerify: false });
  const seen: string[] = [];
  const recording: Fetch = (request) => {
    seen.push(new URL(request.url).protocol);
    return base(request);
  };
  const fetch = withSchemeFallback(recording, { insecure: true });
  try {
    await withServer(false, async (origin) => {
      const httpsUrl = origin.replace("http:", "https:");
      const first = await fetch(new Request(`${httpsUrl}/v2/`));
      assert.equal(await first.text(), "hello");
      assert.equal(first.url, `${origin}/v2/`);
      const second = await fetch(new Request(`${httpsUrl}/v2/x`));
      assert.equal(await second.text(), "hello");
      assert.deepEqual(seen, ["https:", "http:", "http:"]);
    });
  } finally {
    base.close();
  }
});

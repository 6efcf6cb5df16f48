// createFetch({ tlsVerify: false }) per https host: Deno's own fetch first
// (no Node layer to load), the node:https fetch without verification only for
// a host whose certificate Deno's fetch refuses, for that request and later
// ones. Deno's fetch sends `user-agent: Deno/...`, node:https sends none: the
// server sees which one answered.

import assert from "node:assert/strict";
import {
  distributionsIn,
  makeTestCertificates,
  type TestCertificates,
} from "./support/distribution.ts";
import { seedImage } from "./support/seed.ts";
import { requireTools } from "./support/tools.ts";
import { permissionFlags } from "../lib/cli/permissions.ts";
import { createFetch } from "../lib/transport/fetch.ts";
import { errorText } from "../lib/transport/net_errors.ts";

/**
 * A TLS server behind a TCP relay that counts connections; records the
 * user-agent of each request.
 */
async function withTlsServer(
  certs: { cert: string; key: string },
  body: (
    origin: string,
    seen: { agents: string[]; connections: number },
  ) => Promise<void>,
): Promise<void> {
  const seen = { agents: [] as string[], connections: 0 };
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    ...certs,
    onListen() {},
    onError: () => new Response("error", { status: 500 }),
  }, (request) => {
    seen.agents.push(request.headers.get("user-agent") ?? "none");
    return new Response("hello");
  });
  const relay = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pipes: Promise<unknown>[] = [];
  const accepting = (async () => {
    for await (const conn of relay) {
      seen.connections++;
      const upstream = await Deno.connect({
        hostname: "127.0.0.1",
        port: server.addr.port,
      });
      pipes.push(
        conn.readable.pipeTo(upstream.writable).catch(() => {}),
        upstream.readable.pipeTo(conn.writable).catch(() => {}),
      );
    }
  })();
  try {
    await body(`https://127.0.0.1:${relay.addr.port}`, seen);
  } finally {
    relay.close();
    await accepting.catch(() => {});
    await server.shutdown();
    await Promise.all(pipes);
  }
}

/** Runs `body` with the test CA's files and the server's PEM certificate and key. */
async function withTestCertificates(
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

Deno.test("createFetch({ tlsVerify: false }) moves a host whose certificate Deno refuses to node:https once, for later requests too", async () => {
  await withTestCertificates(async (_files, certs) => {
    const fetch = createFetch({ tlsVerify: false, proxyEnv: {} });
    try {
      await withTlsServer(certs, async (origin, seen) => {
        for (const path of ["/v2/", "/v2/a"]) {
          const response = await fetch(new Request(`${origin}${path}`));
          assert.equal(response.status, 200);
          assert.equal(await response.text(), "hello");
        }
        // One refused handshake by Deno's fetch, then one kept-alive
        // node:https connection for both requests.
        assert.deepEqual(seen, { agents: ["none", "none"], connections: 2 });
      });
    } finally {
      fetch.close();
    }
  });
});

Deno.test("createFetch({ tlsVerify: false }) leaves a host without TLS to the scheme layer with Deno's error", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("plain"),
  );
  const fetch = createFetch({ tlsVerify: false, proxyEnv: {} });
  try {
    const url = `https://127.0.0.1:${server.addr.port}/v2/`;
    const error = await fetch(new Request(url)).catch((e) => e);
    assert.equal(
      errorText(error),
      `fetch failed: error sending request for url (${url}): client error (Connect): received corrupt message of type InvalidContentType`,
    );
  } finally {
    fetch.close();
    await server.shutdown();
  }
});

Deno.test("createFetch({ tlsVerify: false }) keeps a host whose certificate Deno verifies on Deno's fetch", async () => {
  await withTestCertificates(async (files, certs) => {
    await withTlsServer(certs, async (origin, seen) => {
      // Deno's fetch trusts the test CA through --cert in a child process.
      const script = `
        import { createFetch } from "${
        new URL("../lib/transport/fetch.ts", import.meta.url).href
      }";
        const fetch = createFetch({ tlsVerify: false, proxyEnv: {} });
        for (const path of ["/v2/", "/v2/a"]) {
          const response = await fetch(new Request("${origin}" + path));
          console.log(response.status, await response.text());
        }
        fetch.close();`;
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--cert", files.caCert, "-"],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const writer = output.stdin.getWriter();
      await writer.write(new TextEncoder().encode(script));
      await writer.close();
      const { code, stdout, stderr } = await output.output();
      assert.equal(new TextDecoder().decode(stderr), "");
      assert.equal(code, 0);
      assert.equal(new TextDecoder().decode(stdout), "200 hello\n200 hello\n");
      assert.deepEqual(seen, {
        agents: [`Deno/${Deno.version.deno}`, `Deno/${Deno.version.deno}`],
        connections: 1,
      });
    });
  });
});

Deno.test("under the documented permissions without --allow-sys, --tls-verify=false validates plain-http registries and stops at one line for an untrusted certificate", async () => {
  await requireTools("docker-registry");
  await using stack = new AsyncDisposableStack();
  const dir = await Deno.makeTempDir();
  stack.defer(() => Deno.remove(dir, { recursive: true }));
  const start = distributionsIn(stack, { storageDir: `${dir}/storage` });
  const certs = await makeTestCertificates(dir);
  const plain = await start();
  const tls = await start({
    tls: { certFile: certs.serverCert, keyFile: certs.serverKey },
  });
  await seedImage(plain.url, { repository: "lib/app", tag: "1" }, {
    kind: "image",
    format: "oci",
    platform: { architecture: "amd64", os: "linux" },
    seed: "route",
  });
  const flags = permissionFlags().filter((flag) => flag !== "--allow-sys");
  const run = async (host: string) => {
    await Deno.writeTextFile(
      `${dir}/list`,
      `${host}/lib/app ${host}/lib/app 1\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", "--no-prompt", ...flags, "cli.ts", "mirror-validate"]
        .concat(["-f", `${dir}/list`, "-o", `${dir}/failed`])
        .concat(["--tls-verify=false", "--hide-log-time"]),
      cwd: new URL("..", import.meta.url).pathname,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return {
      code: out.code,
      stdout: text(out.stdout),
      stderr: text(out.stderr),
    };
  };
  const passed = await run(plain.host);
  assert.equal(passed.stderr, "");
  assert.equal(passed.code, 0);
  assert.equal(
    passed.stdout.split("\n")[0],
    `[INFO] [M_ID:1] PASS [${plain.host}/lib/app:1] == [${plain.host}/lib/app:1]`,
  );
  const stopped = await run(tls.host);
  assert.equal(stopped.code, 2);
  assert.equal(stopped.stdout, "");
  assert.equal(
    stopped.stderr,
    'Error: Missing permission: sys access to "ca": run again with --allow-sys\n',
  );
});

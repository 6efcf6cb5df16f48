// createFetch({ tlsVerify: false }) per https host: Deno's own fetch first
// (no Node layer to load), the node:https fetch without verification only for
// a host whose certificate Deno's fetch refuses, for that request and later
// ones. Deno's fetch sends `user-agent: Deno/...`, node:https sends none: the
// server sees which one answered. A host with a port other than 443 is first
// asked with a bare ClientHello (lib/transport/_tls_sniff.ts): the relay
// (tests/support/tls_relay.ts) records how each connection opened.

import assert from "node:assert/strict";
import {
  distributionsIn,
  makeTestCertificates,
} from "./support/distribution.ts";
import {
  withPlainRelay,
  withTestCertificates,
  withTlsServer,
} from "./support/tls_relay.ts";
import { seedImage } from "./support/seed.ts";
import { requireTools } from "./support/tools.ts";
import { permissionFlags } from "../lib/cli/permissions.ts";
import { createFetch } from "../lib/transport/fetch.ts";
import { withSchemeFallback } from "../lib/transport/scheme.ts";
import { classifyNetError, errorText } from "../lib/transport/net_errors.ts";

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
        // The sniff finds TLS, Deno's fetch refuses the certificate, then
        // one kept-alive node:https connection carries both requests.
        assert.deepEqual(seen, {
          agents: ["none", "none"],
          connections: 3,
          openings: ["sniff", "tls", "tls"],
        });
      });
    } finally {
      fetch.close();
    }
  });
});

Deno.test("createFetch({ tlsVerify: false }) fails https to a plain-http port after one bare ClientHello, and remembers it", async () => {
  const fetch = createFetch({ tlsVerify: false, proxyEnv: {} });
  try {
    await withPlainRelay(async (relay) => {
      const url = `https://127.0.0.1:${relay.port}/v2/`;
      for (let i = 0; i < 2; i++) {
        const error = await fetch(new Request(url)).catch((e) => e);
        assert.equal(
          errorText(error),
          "the server does not speak TLS (it answered a TLS ClientHello in plain http)",
        );
        // The scheme layer falls back to plain http on a "tls" failure.
        assert.equal(classifyNetError(error), "tls");
      }
      assert.deepEqual(relay.seen, { connections: 1, openings: ["sniff"] });
    });
  } finally {
    fetch.close();
  }
});

Deno.test("createFetch({ tlsVerify: false }) under the scheme layer reaches a plain-http port with the sniff and one http connection, no TLS handshake", async () => {
  const base = createFetch({ tlsVerify: false, proxyEnv: {} });
  const fetch = withSchemeFallback(base, { insecure: true });
  try {
    await withPlainRelay(async (relay) => {
      for (const path of ["/v2/", "/v2/a"]) {
        const response = await fetch(
          new Request(`https://127.0.0.1:${relay.port}${path}`),
        );
        assert.equal(await response.text(), "plain");
        assert.equal(response.url, `http://127.0.0.1:${relay.port}${path}`);
      }
      assert.deepEqual(relay.seen, {
        connections: 2,
        openings: ["sniff", "http"],
      });
    });
  } finally {
    base.close();
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
        connections: 2,
        openings: ["sniff", "tls"],
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

Deno.test("createFetch({ tlsVerify: false }) shares one sniff per host: a request that gives up waiting leaves it to the others", async () => {
  let release = () => {};
  const held = new Promise<void>((resolve) => release = resolve);
  let heard = () => {};
  const hello = new Promise<void>((resolve) => heard = resolve);
  let connections = 0;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    for await (const conn of listener) {
      connections++;
      await conn.read(new Uint8Array(512));
      heard();
      await held;
      await conn.write(
        new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"),
      );
      conn.close();
    }
  })();
  const fetch = createFetch({ tlsVerify: false, proxyEnv: {} });
  try {
    const url = `https://127.0.0.1:${listener.addr.port}/v2/`;
    const impatient = new AbortController();
    const first = fetch(new Request(url, { signal: impatient.signal }));
    const second = fetch(new Request(url));
    await hello;
    impatient.abort(new Error("gave up"));
    await assert.rejects(first, { message: "gave up" });
    release();
    const error = await second.catch((e) => e);
    assert.equal(
      errorText(error),
      "the server does not speak TLS (it answered a TLS ClientHello in plain http)",
    );
    assert.equal(connections, 1);
  } finally {
    fetch.close();
    listener.close();
    await serving.catch(() => {});
  }
});

// End to end through a real HTTP proxy (Debian's tinyproxy) on the request
// paths proxy_integration_test.ts does not cover: a client certificate
// presented to a real mutual-TLS registry inside the CONNECT tunnel (verified
// and --tls-verify=false), `hangar login` against a real htpasswd registry
// (https through HTTPS_PROXY, plain http through HTTP_PROXY), and an insecure
// source whose plain-http fallback meets a proxy that is down. The proxy's
// own log proves which requests went through it.

import assert from "node:assert/strict";
import { runCli } from "./support/cli_run.ts";
import {
  type Distribution,
  distributionsIn,
  makeCertDir,
  makeClientCertificate,
  makeHtpasswd,
  makeTestCertificates,
} from "./support/distribution.ts";
import { assertThrough, PASSWORD, USER } from "./support/proxy_world.ts";
import { seedImage } from "./support/seed.ts";
import { freePort, startTinyproxy } from "./support/tinyproxy.ts";
import { requireTools } from "./support/tools.ts";

const AT = new Date(2024, 0, 1, 9, 5, 7);

/** One in-process `mirror-validate` of `SRC/lib/app DST/lib/app 1` under `env`. */
async function validate(
  dir: string,
  [src, dst]: [Distribution, Distribution],
  flags: string[],
  env: Record<string, string>,
) {
  const list = `${dir}/list-${crypto.randomUUID()}.txt`;
  await Deno.writeTextFile(list, `${src.host}/lib/app ${dst.host}/lib/app 1\n`);
  return await runCli(
    ["mirror-validate", "-f", list, "-o", `${list}.failed`, ...flags],
    { env, credentials: { env, home: "/nonexistent" }, now: () => AT },
  );
}

function passLine(src: Distribution, dst: Distribution): string {
  return `09:05:07 [INFO] [M_ID:1] PASS [${src.host}/lib/app:1] == [${dst.host}/lib/app:1]`;
}

function errors(text: string): string[] {
  return text.match(/^.*\[ERRO\].*$/gm) ?? [];
}

Deno.test("through a real proxy: client certificates to a mutual-TLS registry, hangar login, an insecure source behind a proxy that is down", async (t) => {
  await requireTools("docker-registry", "openssl", "tinyproxy", "htpasswd");
  const dir = await Deno.makeTempDir({ prefix: "hangar_proxy_paths_" });
  await using stack = new AsyncDisposableStack();
  stack.defer(() => Deno.remove(dir, { recursive: true }));
  await Deno.mkdir(`${dir}/ca`);
  const ca = await makeTestCertificates(`${dir}/ca`);
  const client = await makeClientCertificate(`${dir}/ca`, ca);
  const htpasswd = await makeHtpasswd(dir, USER, PASSWORD);
  const start = distributionsIn(stack, { storageDir: `${dir}/storage` });
  const open = await start({});
  await seedImage(open.url, { repository: "lib/app", tag: "1" }, {
    kind: "index",
    format: "oci",
    platforms: [{ architecture: "amd64", os: "linux" }],
    seed: "proxy-paths",
  });
  const server = { certFile: ca.serverCert, keyFile: ca.serverKey };
  const mtls = await start({
    tls: { ...server, clientCas: [ca.caCert], client },
  });
  const basic = await start({ tls: server, htpasswd: { file: htpasswd } });
  const plainBasic = await start({ htpasswd: { file: htpasswd } });
  const proxy = await startTinyproxy();
  stack.defer(() => proxy.stop());
  const certDir = await makeCertDir(`${dir}/certs`, {
    "ca.crt": ca.caCert,
    "client.cert": client.certFile,
    "client.key": client.keyFile,
  });
  const captured: string[] = [];

  // Both TLS paths (Deno's fetch when verifying, node:https without) send the
  // client certificate through the CONNECT tunnel.
  for (
    const [name, tlsFlag] of [
      [
        "a client certificate reaches a mutual-TLS registry through HTTPS_PROXY with CONNECT",
        "--dest-tls-verify=false",
      ],
      [
        "with --tls-verify=false (node:https) the client certificate still goes through the tunnel",
        "--tls-verify=false",
      ],
    ] as const
  ) {
    await t.step(name, async () => {
      const before = (await proxy.log()).length;
      const run = await validate(dir, [mtls, open], [
        "--cert-dir",
        certDir,
        tlsFlag,
      ], { HTTPS_PROXY: proxy.url, NO_PROXY: open.host });
      captured.push(run.text);
      assert.equal(run.code, 0, run.text);
      assert.ok(
        run.stdout.split("\n").includes(passLine(mtls, open)),
        run.text,
      );
      await assertThrough(proxy, before, [`CONNECT ${mtls.host}`]);
    });
  }

  await t.step(
    "hangar login checks the credentials through the proxy, https and plain http",
    async () => {
      const env = { XDG_RUNTIME_DIR: dir };
      const before = (await proxy.log()).length;
      const https = await runCli([
        "login",
        basic.host,
        "-u",
        USER,
        "-p",
        PASSWORD,
        "--cert-dir",
        certDir,
      ], { env: { ...env, HTTPS_PROXY: proxy.url } });
      captured.push(https.text);
      assert.equal(https.code, 0, https.text);
      assert.match(https.stdout, /^Login Succeeded!/);
      await assertThrough(proxy, before, [`CONNECT ${basic.host}`]);
      const middle = (await proxy.log()).length;
      const http = await runCli([
        "login",
        plainBasic.host,
        "-u",
        USER,
        "-p",
        PASSWORD,
        "--tls-verify=false",
      ], { env: { ...env, HTTP_PROXY: proxy.url } });
      captured.push(http.text);
      assert.equal(http.code, 0, http.text);
      assert.match(http.stdout, /^Login Succeeded!/);
      await assertThrough(proxy, middle, [`GET ${plainBasic.url}`]);
      assert.deepEqual(
        Object.keys(
          JSON.parse(
            await Deno.readTextFile(`${dir}/containers/auth.json`),
          ).auths,
        ).sort(),
        [basic.host, plainBasic.host].sort(),
      );
    },
  );

  await t.step(
    "only HTTP_PROXY set and down: the plain-http fallback of an insecure source is one proxy FAIL",
    async () => {
      const down = `127.0.0.1:${freePort()}`;
      const run = await validate(dir, [open, plainBasic], [
        "--tls-verify=false",
      ], { HTTP_PROXY: `http://${down}` });
      captured.push(run.text);
      assert.equal(run.code, 1, run.text);
      assert.deepEqual(errors(run.stderr), [
        `09:05:07 [ERRO] [M_ID:1] FAILED [${open.host}/lib/app:1] => [${plainBasic.host}/lib/app:1]: source: Cannot connect to proxy "${down}" for "${open.host}": connection refused`,
      ]);
    },
  );

  await t.step("no password appears in any output", () => {
    for (const text of captured) {
      assert.ok(!text.includes(PASSWORD), text);
    }
  });
});

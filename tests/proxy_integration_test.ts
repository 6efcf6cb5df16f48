// End to end through a real HTTP proxy (Debian's tinyproxy) in front of real
// distribution registries: plain http through HTTP_PROXY, verified TLS and
// --tls-verify=false (node:https) through HTTPS_PROXY with CONNECT, a token
// service through the proxy, NO_PROXY excluding the destination, and the
// --debug line that says how each registry is reached. The proxy's own log
// proves which requests went through it. Refusals: proxy_refusal_integration_test.ts.

import assert from "node:assert/strict";
import { stripTime } from "./support/cli_run.ts";
import {
  assertNoSecrets,
  assertThrough,
  passLine,
  PASSWORD,
  reachedLine,
  startProxyWorld,
  targets,
  USER,
  validate,
} from "./support/proxy_world.ts";

Deno.test("through a real proxy: HTTP_PROXY, HTTPS_PROXY with CONNECT, a token service, NO_PROXY, --debug", async (t) => {
  await using stack = new AsyncDisposableStack();
  const world = await startProxyWorld(stack);
  const { open, plain, tlsA, tlsB, selfA, selfB, proxy } = world;
  const verifyOff = ["--tls-verify=false"];
  const certDir = ["--cert-dir", world.certDir];

  await t.step("plain http registries go through HTTP_PROXY", async () => {
    const before = (await proxy.log()).length;
    const run = await validate(world, [open, plain], verifyOff, {
      HTTP_PROXY: proxy.url,
    });
    assert.equal(run.code, 0, run.text);
    assert.ok(run.stdout.split("\n").includes(passLine(open, plain)), run.text);
    const log = (await proxy.log()).slice(before);
    assert.ok(
      log.includes(`HEAD ${open.url}/v2/lib/app/manifests/1`),
      log.join("\n"),
    );
    assert.deepEqual(
      targets(log),
      [`GET ${open.url}`, `GET ${plain.url}`].sort(),
    );
  });

  await t.step("the lower-case http_proxy is honoured too", async () => {
    const before = (await proxy.log()).length;
    const run = await validate(world, [open, plain], verifyOff, {
      http_proxy: proxy.url,
    });
    assert.equal(run.code, 0, run.text);
    await assertThrough(proxy, before, [
      `GET ${open.url}`,
      `GET ${plain.url}`,
    ]);
  });

  await t.step(
    "verified https registries go through HTTPS_PROXY with CONNECT",
    async () => {
      const before = (await proxy.log()).length;
      const run = await validate(world, [tlsA, tlsB], certDir, {
        HTTPS_PROXY: proxy.url,
      });
      assert.equal(run.code, 0, run.text);
      assert.ok(
        run.stdout.split("\n").includes(passLine(tlsA, tlsB)),
        run.text,
      );
      await assertThrough(proxy, before, [
        `CONNECT ${tlsA.host}`,
        `CONNECT ${tlsB.host}`,
      ]);
    },
  );

  await t.step(
    "--tls-verify=false (node:https) goes through https_proxy with CONNECT",
    async () => {
      const before = (await proxy.log()).length;
      const run = await validate(world, [selfA, selfB], verifyOff, {
        https_proxy: proxy.url,
      });
      assert.equal(run.code, 0, run.text);
      assert.ok(
        run.stdout.split("\n").includes(passLine(selfA, selfB)),
        run.text,
      );
      await assertThrough(proxy, before, [
        `CONNECT ${selfA.host}`,
        `CONNECT ${selfB.host}`,
      ]);
    },
  );

  await t.step("a token service is asked through the proxy", async () => {
    const auth = `${world.dir}/auth.json`;
    await Deno.writeTextFile(
      auth,
      JSON.stringify({
        auths: { [world.token.host]: { auth: btoa(`${USER}:${PASSWORD}`) } },
      }),
    );
    const before = (await proxy.log()).length;
    const run = await validate(world, [open, world.token], verifyOff, {
      HTTP_PROXY: proxy.url,
      REGISTRY_AUTH_FILE: auth,
    });
    assert.equal(run.code, 0, run.text);
    assert.ok(
      run.stdout.split("\n").includes(passLine(open, world.token)),
      run.text,
    );
    const realm = new URL(world.tokenServer.realm).origin;
    await assertThrough(
      proxy,
      before,
      [
        `GET ${open.url}`,
        `GET ${world.token.url}`,
        `GET ${realm}`,
      ].sort(),
    );
  });

  await t.step(
    "NO_PROXY naming the destination's host:port sends only the source through",
    async () => {
      const before = (await proxy.log()).length;
      const run = await validate(world, [open, plain], verifyOff, {
        HTTP_PROXY: proxy.url,
        NO_PROXY: `example.test,${plain.host}`,
      });
      assert.equal(run.code, 0, run.text);
      await assertThrough(proxy, before, [
        `GET ${open.url}`,
      ]);
      const lower = (await proxy.log()).length;
      const https = await validate(world, [tlsA, tlsB], certDir, {
        HTTPS_PROXY: proxy.url,
        no_proxy: tlsB.host,
      });
      assert.equal(https.code, 0, https.text);
      await assertThrough(proxy, lower, [
        `CONNECT ${tlsA.host}`,
      ]);
    },
  );

  await t.step("--debug says once per registry how it is reached", async () => {
    const run = await validate(world, [tlsA, tlsB], [...certDir, "--debug"], {
      HTTPS_PROXY: proxy.url,
      NO_PROXY: tlsB.host,
    });
    assert.equal(run.code, 0, run.text);
    const lines = stripTime(run.text).split("\n").filter((line) =>
      / is reached /.test(line)
    );
    assert.deepEqual(
      lines.sort(),
      [
        reachedLine(tlsA.host, proxy.url),
        reachedLine(tlsB.host, undefined),
      ].sort(),
    );
  });

  await t.step(
    "--debug names the proxy of a plain http registry reached through HTTP_PROXY",
    async () => {
      const run = await validate(world, [open, plain], [
        ...verifyOff,
        "--debug",
      ], { HTTP_PROXY: proxy.url });
      assert.equal(run.code, 0, run.text);
      const lines = stripTime(run.text).split("\n").filter((line) =>
        / is reached /.test(line)
      );
      assert.deepEqual(
        lines.sort(),
        [
          reachedLine(open.host, proxy.url),
          reachedLine(plain.host, proxy.url),
        ].sort(),
      );
    },
  );

  await t.step("no password appears in any output, --debug included", () => {
    assertNoSecrets(world);
  });
});

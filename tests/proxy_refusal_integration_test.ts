// End to end through a real HTTP proxy (Debian's tinyproxy) wanting Basic
// credentials, in front of real distribution registries: the right
// credentials in the proxy URL pass; wrong or missing ones, and a proxy that
// is down, are one FAILED line naming the proxy (never "does not exist" or a
// TLS error), and no password appears in any output, --debug included.

import assert from "node:assert/strict";
import {
  assertNoSecrets,
  assertProxyFailure,
  assertThrough,
  PROXY_PASSWORD,
  PROXY_USER,
  PROXY_WRONG,
  startProxyWorld,
  validate,
} from "./support/proxy_world.ts";
import { freePort } from "./support/tinyproxy.ts";

Deno.test("through a real proxy wanting credentials: the right ones pass; wrong, missing or a proxy that is down is one FAILED line naming it", async (t) => {
  await using stack = new AsyncDisposableStack();
  const world = await startProxyWorld(stack);
  const { open, plain, tlsA, tlsB, authProxy } = world;
  const verifyOff = ["--tls-verify=false"];
  const certDir = ["--cert-dir", world.certDir];

  const withCredentials = (password: string) =>
    `http://${PROXY_USER}:${password}@${authProxy.host}`;

  await t.step(
    "a proxy wanting Basic credentials given in the URL passes, https and http",
    async () => {
      const before = (await authProxy.log()).length;
      const run = await validate(world, [tlsA, tlsB], [...certDir, "--debug"], {
        HTTPS_PROXY: withCredentials(PROXY_PASSWORD),
      });
      assert.equal(run.code, 0, run.text);
      const http = await validate(world, [open, plain], [
        ...verifyOff,
        "--debug",
      ], {
        HTTP_PROXY: withCredentials(PROXY_PASSWORD),
      });
      assert.equal(http.code, 0, http.text);
      await assertThrough(authProxy, before, [
        `CONNECT ${tlsA.host}`,
        `CONNECT ${tlsB.host}`,
        `GET ${open.url}`,
        `GET ${plain.url}`,
      ]);
    },
  );

  await t.step(
    "a wrong proxy password is one FAILED line naming the proxy, https and http",
    async () => {
      const https = await validate(
        world,
        [tlsA, tlsB],
        [...certDir, "--debug"],
        {
          HTTPS_PROXY: withCredentials(PROXY_WRONG),
        },
      );
      assertProxyFailure(
        https,
        [tlsA, tlsB],
        `Proxy "${authProxy.host}" refused the connection to "${tlsA.host}": 401 Unauthorized`,
      );
      const http = await validate(world, [open, plain], [
        ...verifyOff,
        "--debug",
      ], {
        HTTPS_PROXY: withCredentials(PROXY_WRONG),
        HTTP_PROXY: withCredentials(PROXY_WRONG),
      });
      assertProxyFailure(
        http,
        [open, plain],
        `Proxy "${authProxy.host}" refused the connection to "${open.host}": 401 Unauthorized`,
      );
    },
  );

  await t.step(
    "no proxy credentials at all is one FAILED line naming the proxy",
    async () => {
      const run = await validate(world, [tlsA, tlsB], certDir, {
        HTTPS_PROXY: authProxy.url,
      });
      assertProxyFailure(
        run,
        [tlsA, tlsB],
        `Proxy "${authProxy.host}" refused the connection to "${tlsA.host}": 407 Proxy Authentication Required`,
      );
    },
  );

  await t.step(
    "a proxy that is down is a FAIL naming the proxy, not a missing image",
    async () => {
      const down = `127.0.0.1:${freePort()}`;
      const https = await validate(world, [tlsA, tlsB], certDir, {
        HTTPS_PROXY: `http://${down}`,
      });
      assertProxyFailure(
        https,
        [tlsA, tlsB],
        `Cannot connect to proxy "${down}" for "${tlsA.host}": connection refused`,
      );
      const http = await validate(world, [open, plain], verifyOff, {
        HTTPS_PROXY: `http://${down}`,
        HTTP_PROXY: `http://${down}`,
      });
      assertProxyFailure(
        http,
        [open, plain],
        `Cannot connect to proxy "${down}" for "${open.host}": connection refused`,
      );
    },
  );

  await t.step("no password appears in any output, --debug included", () => {
    assertNoSecrets(world);
  });
});

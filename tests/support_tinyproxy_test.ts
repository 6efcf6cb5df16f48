// The tinyproxy helper against itself: it logs each request as METHOD
// TARGET, answers 407 without and 401 with wrong proxy credentials, and is
// gone once stopped.

import assert from "node:assert/strict";
import {
  PROXY_PASSWORD,
  PROXY_USER,
  PROXY_WRONG,
} from "./support/proxy_world.ts";
import { freePort, startTinyproxy } from "./support/tinyproxy.ts";
import { requireTools } from "./support/tools.ts";

Deno.test("tinyproxy helper: logs GET and CONNECT, wants its credentials, stops", async () => {
  await requireTools("tinyproxy");
  await using proxy = await startTinyproxy({
    basicAuth: { user: PROXY_USER, password: PROXY_PASSWORD },
  });
  const nobody = `127.0.0.1:${freePort()}`;
  const ask = async (url: string, credentials?: string) => {
    const client = Deno.createHttpClient({
      proxy: {
        url: proxy.url,
        ...(credentials
          ? { basicAuth: { username: PROXY_USER, password: credentials } }
          : {}),
      },
    });
    try {
      const res = await fetch(url, { client });
      await res.body?.cancel();
      return res.status;
    } finally {
      client.close();
    }
  };
  assert.equal(await ask(`http://${nobody}/v2/`), 407);
  assert.equal(await ask(`http://${nobody}/v2/`, PROXY_WRONG), 401);
  assert.equal(await ask(`http://${nobody}/v2/`, PROXY_PASSWORD), 500);
  assert.deepEqual(await proxy.log(), [
    `GET http://${nobody}/v2/`,
    `GET http://${nobody}/v2/`,
    `GET http://${nobody}/v2/`,
  ]);
  await proxy.stop();
  await assert.rejects(
    Deno.connect({ hostname: "127.0.0.1", port: proxy.port }),
    Deno.errors.ConnectionRefused,
  );
});

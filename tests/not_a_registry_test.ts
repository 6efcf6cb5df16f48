// A destination that is a web server, not a registry (a wrong port, a proxy's
// page): the CLI fails the image with kind not-a-registry naming the host,
// never "does not exist".

import { registryWithImage } from "./support/two_registries.ts";
import assert from "node:assert/strict";
import { runOnList, stripTime } from "./support/cli_run.ts";
import { serveHandler } from "./support/_serve.ts";

/** Runs the CLI on one line from `source` to `destination`; returns its ERRO lines. */
async function run(source: string, destination: string) {
  const { code, stdout, stderr } = await runOnList(
    `${source}/lib/app ${destination}/lib/app 1\n`,
    ["--tls-verify=false"],
    { now: () => new Date(0) },
  );
  const errors = stripTime(stderr).split("\n").filter((l) =>
    l.includes("[ERRO]")
  );
  return { code, stdout, stderr, errors };
}

async function servedSource() {
  const registry = await registryWithImage("lib/app", "1");
  return serveHandler(registry.handler);
}

Deno.test("main() fails an image whose destination answers 404 to GET /v2/ with kind not-a-registry", async () => {
  const source = await servedSource();
  const web = serveHandler(() =>
    Promise.resolve(
      new Response("404 page not found\n", {
        status: 404,
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      }),
    )
  );
  try {
    const result = await run(source.host, web.host);
    assert.equal(result.code, 1);
    assert.deepEqual(result.errors, [
      `[ERRO] [M_ID:1] FAILED [${source.host}/lib/app:1] => [${web.host}/lib/app:1]: destination: Server at "${web.host}" is not a registry: GET "http://${web.host}/v2/" answered with status 404`,
    ]);
    assert.doesNotMatch(result.stderr, /does not exist/);
  } finally {
    await web.close();
    await source.close();
  }
});

Deno.test("main() fails an image whose destination answers HTML without Docker-Distribution-API-Version with kind not-a-registry", async () => {
  const source = await servedSource();
  const web = serveHandler(() =>
    Promise.resolve(
      new Response("<!DOCTYPE html><html><body>Welcome</body></html>", {
        headers: { "Content-Type": "text/html; charset=utf-8" },
      }),
    )
  );
  try {
    const result = await run(source.host, web.host);
    assert.equal(result.code, 1);
    assert.deepEqual(result.errors, [
      `[ERRO] [M_ID:1] FAILED [${source.host}/lib/app:1] => [${web.host}/lib/app:1]: destination: Server at "${web.host}" is not a registry: GET "http://${web.host}/v2/" answered with an HTML page`,
    ]);
  } finally {
    await web.close();
    await source.close();
  }
});

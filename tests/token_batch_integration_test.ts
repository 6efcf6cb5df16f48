// Batched token scopes against a real registry behind the project's token
// server (anonymous pull, as Docker Hub): the repositories the run reads next
// share token requests; a token service that narrows a batch still gives
// every image its token.

import assert from "node:assert/strict";
import { runCli } from "./support/cli_run.ts";
import { distributionsIn } from "./support/distribution.ts";
import { mixedImageSpec, seedImage } from "./support/seed.ts";
import { startTokenServer } from "./support/token_server.ts";
import { requireTools } from "./support/tools.ts";

const IMAGES = 30;

async function batchedWorld(
  stack: AsyncDisposableStack,
  dir: string,
  tokenOptions: { maxScopes?: number } = {},
) {
  const start = distributionsIn(stack, { storageDir: `${dir}/storage` });
  const open = await start();
  for (let i = 0; i < IMAGES; i++) {
    await seedImage(
      open.url,
      { repository: `hub/img-${i}`, tag: "1" },
      mixedImageSpec(i, "batch"),
    );
  }
  await Deno.mkdir(`${dir}/tokens`, { recursive: true });
  const tokens = await startTokenServer({
    dir: `${dir}/tokens`,
    anonymousPull: true,
    ...tokenOptions,
  });
  stack.defer(() => tokens.stop());
  // The same storage behind token auth: an exact mirror of `open`.
  const hub = await start({
    token: {
      realm: tokens.realm,
      service: tokens.service,
      issuer: tokens.issuer,
      rootCertBundle: tokens.rootCertBundle,
    },
  });
  const list = `${dir}/list.txt`;
  await Deno.writeTextFile(
    list,
    [...Array(IMAGES).keys()].map((i) =>
      `${hub.host}/hub/img-${i} ${open.host}/hub/img-${i} 1`
    ).join("\n") + "\n",
  );
  return { tokens, list, hub };
}

async function validate(list: string, dir: string) {
  return await runCli([
    "mirror-validate",
    "-f",
    list,
    "--tls-verify=false",
    "-o",
    `${dir}/failed.txt`,
    "-j",
    "4",
  ]);
}

Deno.test("token scopes of the repositories ahead are fetched in batches: at most 0.1 token requests an image, one 401 in all", async () => {
  await requireTools("docker-registry", "openssl");
  const dir = await Deno.makeTempDir();
  await using stack = new AsyncDisposableStack();
  stack.defer(() => Deno.remove(dir, { recursive: true }));
  const { tokens, list, hub } = await batchedWorld(stack, dir);
  const before = await hub.settledRequestCount();
  const run = await validate(list, dir);
  // One HEAD an image, plus the one 401 that told how the registry
  // authenticates: the images started meanwhile waited for it.
  assert.equal(await hub.settledRequestCount() - before, IMAGES + 1);
  assert.equal(run.code, 0, run.text);
  assert.match(run.stdout, new RegExp(`${IMAGES} passed, 0 skipped, 0 failed`));
  const scopes = tokens.requests.map((r) => r.scopes.length);
  assert(
    tokens.requests.length <= IMAGES / 10,
    `${tokens.requests.length} token requests for ${IMAGES} images: ${scopes}`,
  );
  assert(Math.max(...scopes) > 1 && Math.max(...scopes) <= 20, `${scopes}`);
  // every repository's scope was asked for
  const asked = new Set(tokens.requests.flatMap((r) => r.scopes));
  for (let i = 0; i < IMAGES; i++) {
    assert(asked.has(`repository:hub/img-${i}:pull`), `img-${i}`);
  }
});

Deno.test("a token service that narrows a batch: every image still gets a token of its own", async () => {
  await requireTools("docker-registry", "openssl");
  const dir = await Deno.makeTempDir();
  await using stack = new AsyncDisposableStack();
  stack.defer(() => Deno.remove(dir, { recursive: true }));
  const { tokens, list } = await batchedWorld(stack, dir, { maxScopes: 3 });
  const run = await validate(list, dir);
  assert.equal(run.code, 0, run.text);
  assert.match(run.stdout, new RegExp(`${IMAGES} passed, 0 skipped, 0 failed`));
  const single = tokens.requests.filter((r) => r.scopes.length === 1).length;
  assert(single >= IMAGES - 6, `${single} single-scope requests`);
});

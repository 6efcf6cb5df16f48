// RegistryClient.blobExists(): one HEAD per blob, no body, against a real
// distribution 2.8.2 (blobs are per repository through their links) and a
// fake registry for redirects and failures a real one will not produce.

import assert from "node:assert/strict";
import { RegistryClient } from "../lib/registry/client.ts";
import { RegistryError } from "../lib/errors.ts";
import type { Fetch } from "../lib/transport/fetch.ts";
import { distributionsIn, makeHtpasswd } from "./support/distribution.ts";
import { seedImage } from "./support/seed.ts";
import { requireTools } from "./support/tools.ts";

const AMD64 = { architecture: "amd64", os: "linux" };
const DIGEST = `sha256:${"a".repeat(64)}`;

function client(host: string): RegistryClient {
  return new RegistryClient(host, {
    tlsVerify: false,
    connectTimeoutMs: 5000,
    retry: { sleep: () => Promise.resolve() },
  });
}

/** The digests of an image's config and layer, from its manifest. */
function blobsOf(body: Uint8Array): { config: string; layer: string } {
  const manifest = JSON.parse(new TextDecoder().decode(body));
  return { config: manifest.config.digest, layer: manifest.layers[0].digest };
}

async function failure(work: Promise<unknown>): Promise<RegistryError> {
  const error = await work.then(() => undefined, (e) => e);
  assert.ok(error instanceof RegistryError, String(error));
  return error;
}

Deno.test("RegistryClient.blobExists() answers per repository from a real registry, one HEAD each", async () => {
  await requireTools("docker-registry");
  await using stack = new AsyncDisposableStack();
  const storageDir = await Deno.makeTempDir({ prefix: "hangar-blob-head-" });
  stack.defer(() => Deno.remove(storageDir, { recursive: true }));
  const registry = await distributionsIn(stack, { storageDir })();
  const spec = { kind: "image", format: "oci", platform: AMD64 } as const;
  const app = await seedImage(
    registry.url,
    { repository: "lib/app", tag: "1" },
    { ...spec, seed: "one" },
  );
  await seedImage(
    registry.url,
    { repository: "lib/copy", tag: "1" },
    { ...spec, seed: "one" },
  );
  const other = await seedImage(
    registry.url,
    { repository: "other/x", tag: "1" },
    { ...spec, seed: "other" },
  );
  const { config, layer } = blobsOf(app.body);
  const reg = client(registry.host);
  stack.defer(() => reg.close());
  await reg.blobExists("lib/app", config); // settles the scheme fallback
  registry.resetRequestCount();

  assert.equal(await reg.blobExists("lib/app", config), true);
  assert.equal(await reg.blobExists("lib/app", layer), true);
  // another repository's blob is not linked here
  assert.equal(
    await reg.blobExists("lib/app", blobsOf(other.body).layer),
    false,
  );
  const hex = layer.slice("sha256:".length);
  await Deno.remove(
    `${storageDir}/docker/registry/v2/repositories/lib/app/_layers/sha256/${hex}/link`,
  );
  assert.equal(await reg.blobExists("lib/app", layer), false);
  assert.equal(await reg.blobExists("lib/copy", layer), true);
  assert.equal(await reg.blobExists("nothing/here", layer), false);
  assert.equal(await registry.settledRequestCount(), 6);
});

Deno.test("RegistryClient.blobExists() is an unauthorized failure without credentials", async () => {
  await requireTools("docker-registry", "htpasswd");
  await using stack = new AsyncDisposableStack();
  const dir = await Deno.makeTempDir({ prefix: "hangar-blob-auth-" });
  stack.defer(() => Deno.remove(dir, { recursive: true }));
  const htpasswd = await makeHtpasswd(dir, "user", "secret-pass");
  const registry = await distributionsIn(stack)({
    htpasswd: { file: htpasswd },
  });
  const reg = client(registry.host);
  stack.defer(() => reg.close());
  const error = await failure(reg.blobExists("lib/app", DIGEST));
  assert.equal(error.kind, "unauthorized");
  assert.equal(error.status, 401);
  assert.equal(error.method, "HEAD");
});

/** A fake registry answering every request with `answer`, logging them. */
function fake(answer: (request: Request) => Response) {
  const log: string[] = [];
  const fetch: Fetch = (request) => {
    log.push(`${request.method} ${request.url}`);
    return Promise.resolve(answer(request));
  };
  const reg = new RegistryClient("reg.io", {
    fetch,
    retry: { sleep: () => Promise.resolve() },
  });
  return { log, reg };
}

Deno.test("RegistryClient.blobExists() takes a redirect to storage as present without following it", async () => {
  const { log, reg } = fake(() =>
    new Response(null, {
      status: 307,
      headers: { location: "https://storage.io/blob?sig=x" },
    })
  );
  assert.equal(await reg.blobExists("a/b", DIGEST), true);
  assert.deepEqual(log, [`HEAD https://reg.io/v2/a/b/blobs/${DIGEST}`]);
});

Deno.test("RegistryClient.blobExists() is false on any 404, whatever the error code", async () => {
  for (const code of ["BLOB_UNKNOWN", "NAME_UNKNOWN", "MANIFEST_UNKNOWN"]) {
    const body = JSON.stringify({ errors: [{ code, message: "unknown" }] });
    const { log, reg } = fake(() => new Response(body, { status: 404 }));
    assert.equal(await reg.blobExists("a/b", DIGEST), false);
    assert.deepEqual(log, [`HEAD https://reg.io/v2/a/b/blobs/${DIGEST}`]);
  }
});

Deno.test("RegistryClient.blobExists() retries a 5xx and then fails with kind server", async () => {
  const { log, reg } = fake(() => new Response(null, { status: 503 }));
  const error = await failure(reg.blobExists("a/b", DIGEST));
  assert.equal(error.kind, "server");
  assert.equal(
    error.message,
    `HEAD "https://reg.io/v2/a/b/blobs/${DIGEST}": response status code 503`,
  );
  assert.equal(log.length, 4);
});

Deno.test("RegistryClient.blobExists() refuses an answer announcing another digest", async () => {
  const other = `sha256:${"b".repeat(64)}`;
  const { reg } = fake(() =>
    new Response(null, { headers: { "docker-content-digest": other } })
  );
  const error = await failure(reg.blobExists("a/b", DIGEST));
  assert.equal(error.kind, "digest-mismatch");
  assert.equal(
    error.message,
    `HEAD "https://reg.io/v2/a/b/blobs/${DIGEST}": registry announced digest "${other}" for "${DIGEST}"`,
  );
});

Deno.test("RegistryClient.blobExists() refuses a reference that is not a digest", async () => {
  const { log, reg } = fake(() => new Response(null));
  await assert.rejects(reg.blobExists("a/b", "latest"), {
    name: "TypeError",
    message: 'Cannot check blob "latest": not a digest',
  });
  assert.deepEqual(log, []);
});

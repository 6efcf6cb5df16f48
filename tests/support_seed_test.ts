import assert from "node:assert/strict";
import { sha256Digest } from "../lib/types/digest.ts";
import { OciRegistry } from "./support/oci_server.ts";
import { indexBody, pushManifest, seedImage } from "./support/seed.ts";

const AMD64 = { architecture: "amd64", os: "linux" };
const ARM64 = { architecture: "arm64", os: "linux", variant: "v8" };
const WIN = {
  architecture: "amd64",
  os: "windows",
  "os.version": "10.0.17763.1",
};
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function inMemory() {
  const registry = new OciRegistry({ name: "mem" });
  return { registry, options: { fetch: (r: Request) => registry.handler(r) } };
}

async function getManifest(registry: OciRegistry, path: string) {
  const res = await registry.handler(new Request(`http://r/v2/${path}`));
  const body = new Uint8Array(await res.arrayBuffer());
  return { res, body, digest: await sha256Digest(body) };
}

Deno.test("seedImage() pushes a docker image whose manifest, config and layer read back", async () => {
  const { registry, options } = inMemory();
  const seeded = await seedImage(
    "http://r",
    { repository: "a/b/c", tag: "v1" },
    {
      kind: "image",
      format: "docker",
      platform: ARM64,
    },
    options,
  );
  const { res, body, digest } = await getManifest(
    registry,
    "a/b/c/manifests/v1",
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Content-Type"), DOCKER_V2);
  assert.equal(res.headers.get("Docker-Content-Digest"), seeded.digest);
  assert.equal(digest, seeded.digest);
  assert.deepEqual(body, seeded.body);
  assert.deepEqual(seeded.children, []);
  const manifest = JSON.parse(text(body));
  assert.equal(manifest.mediaType, DOCKER_V2);
  assert.equal(
    manifest.layers[0].mediaType,
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
  );
  const config = await registry.handler(
    new Request(`http://r/v2/a/b/c/blobs/${manifest.config.digest}`),
  );
  const parsed = JSON.parse(await config.text());
  assert.deepEqual([parsed.architecture, parsed.os, parsed.variant], [
    "arm64",
    "linux",
    "v8",
  ]);
  assert.equal(registry.hasBlob(manifest.layers[0].digest), true);
});

Deno.test("seedImage() pushes an OCI index with attestations listed after the images", async () => {
  const { registry, options } = inMemory();
  const seeded = await seedImage("http://r", { repository: "app", tag: "v2" }, {
    kind: "index",
    format: "oci",
    platforms: [AMD64, WIN],
    attestations: true,
  }, options);
  const { res, body } = await getManifest(registry, "app/manifests/v2");
  assert.equal(res.headers.get("Content-Type"), OCI_INDEX);
  assert.deepEqual(body, seeded.body);
  assert.deepEqual(seeded.children.map((c) => c.platform), [
    AMD64,
    WIN,
    { architecture: "unknown", os: "unknown" },
    { architecture: "unknown", os: "unknown" },
  ]);
  const index = JSON.parse(text(body));
  assert.equal(index.mediaType, OCI_INDEX);
  assert.equal(
    index.manifests[2].annotations["vnd.docker.reference.digest"],
    seeded.children[0]!.digest,
  );
  assert.equal(
    index.manifests[2].annotations["vnd.docker.reference.type"],
    "attestation-manifest",
  );
  for (const child of seeded.children) {
    const got = await getManifest(registry, `app/manifests/${child.digest}`);
    assert.equal(got.digest, child.digest);
    assert.equal(got.res.headers.get("Content-Type"), OCI_MANIFEST);
    assert.equal(got.body.length, child.size);
  }
});

Deno.test("seedImage() pushes a docker manifest list of docker manifests", async () => {
  const { registry, options } = inMemory();
  const seeded = await seedImage("http://r", {
    repository: "lib/x",
    tag: "latest",
  }, {
    kind: "index",
    format: "docker",
    platforms: [AMD64, ARM64],
  }, options);
  const { res, digest } = await getManifest(registry, "lib/x/manifests/latest");
  assert.equal(res.headers.get("Content-Type"), DOCKER_LIST);
  assert.equal(digest, seeded.digest);
  assert.equal(seeded.mediaType, DOCKER_LIST);
  assert.deepEqual(seeded.children.map((c) => c.mediaType), [
    DOCKER_V2,
    DOCKER_V2,
  ]);
  await assert.rejects(
    seedImage("http://r", { repository: "lib/x", tag: "att" }, {
      kind: "index",
      format: "docker",
      platforms: [AMD64],
      attestations: true,
    }, options),
    TypeError,
  );
});

Deno.test("seedImage() gives equal digests for one seed and other digests for another", async () => {
  const { options } = inMemory();
  const spec = {
    kind: "index",
    format: "oci",
    platforms: [AMD64, ARM64],
  } as const;
  const a = await seedImage("http://r", { repository: "s", tag: "a" }, {
    ...spec,
    seed: "one",
  }, options);
  const b = await seedImage("http://r", { repository: "s", tag: "b" }, {
    ...spec,
    seed: "one",
  }, options);
  const c = await seedImage("http://r", { repository: "s", tag: "c" }, {
    ...spec,
    seed: "two",
  }, options);
  assert.equal(a.digest, b.digest);
  assert.deepEqual(a.children, b.children);
  assert.notEqual(a.digest, c.digest);
  assert.notEqual(a.children[0]!.digest, c.children[0]!.digest);
  assert.notEqual(a.children[0]!.digest, a.children[1]!.digest);
});

Deno.test("pushManifest() stores a partial index built with indexBody()", async () => {
  const { registry, options } = inMemory();
  const full = await seedImage("http://r", { repository: "p", tag: "full" }, {
    kind: "index",
    format: "docker",
    platforms: [AMD64, ARM64],
  }, options);
  const body = indexBody("oci", [{
    ...full.children[1]!,
    platform: undefined,
  }]);
  const digest = await pushManifest(
    "http://r",
    { repository: "p", reference: "partial" },
    body,
    OCI_INDEX,
    options,
  );
  const { res, digest: got } = await getManifest(
    registry,
    "p/manifests/partial",
  );
  assert.equal(got, digest);
  assert.equal(res.headers.get("Content-Type"), OCI_INDEX);
  assert.deepEqual(JSON.parse(text(body)).manifests, [{
    mediaType: DOCKER_V2,
    size: full.children[1]!.size,
    digest: full.children[1]!.digest,
  }]);
});

import assert from "node:assert/strict";
import { sha256Digest } from "../lib/types/digest.ts";
import { RegistryError } from "../lib/errors.ts";
import {
  makeHtpasswd,
  makeTestCertificates,
  startDistribution,
} from "./support/distribution.ts";
import { OciRegistry, serveHandler } from "./support/oci_server.ts";
import { seedImage } from "./support/seed.ts";
import { skopeoCopy, skopeoInspectRaw } from "./support/skopeo.ts";
import { requireTools } from "./support/tools.ts";

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

async function getManifest(registry: OciRegistry, path: string) {
  const res = await registry.handler(new Request(`http://r/v2/${path}`));
  const body = new Uint8Array(await res.arrayBuffer());
  return { res, body, digest: await sha256Digest(body) };
}

const ACCEPT = [DOCKER_LIST, DOCKER_V2, OCI_INDEX, OCI_MANIFEST].join(", ");

async function fetchManifest(
  url: string,
  init: RequestInit = {},
  client?: Deno.HttpClient,
) {
  const headers = new Headers(init.headers);
  headers.set("Accept", ACCEPT);
  const res = await fetch(url, {
    ...init,
    headers,
    ...(client ? { client } : {}),
  });
  const body = new Uint8Array(await res.arrayBuffer());
  return { res, body, digest: await sha256Digest(body) };
}

Deno.test("requireTools() names the missing tool and how to install it", async () => {
  await requireTools("openssl", "htpasswd");
  await assert.rejects(requireTools("openssl", "no-such-tool-xyz"), {
    message: 'Missing test tools "no-such-tool-xyz": install them with ' +
      "apt-get install -y docker-registry skopeo apache2-utils tinyproxy curl",
  });
});

Deno.test("skopeoCopy() between two distributions keeps the manifest bytes of lists, indexes and images", async () => {
  await requireTools("docker-registry", "skopeo");
  const [src, dst] = await Promise.all([
    startDistribution(),
    startDistribution(),
  ]);
  try {
    const specs = {
      list: { kind: "index", format: "docker", platforms: [AMD64, ARM64] },
      attested: {
        kind: "index",
        format: "oci",
        platforms: [AMD64, ARM64],
        attestations: true,
      },
      single: { kind: "image", format: "oci", platform: WIN },
    } as const;
    for (const [tag, spec] of Object.entries(specs)) {
      const seeded = await seedImage(
        src.url,
        { repository: "mirror/app", tag },
        spec,
      );
      await skopeoCopy(
        `docker://${src.host}/mirror/app:${tag}`,
        `docker://${dst.host}/library/app:${tag}`,
      );
      assert.deepEqual(
        await skopeoInspectRaw(`${dst.host}/library/app:${tag}`),
        seeded.body,
      );
      const got = await fetchManifest(
        `${dst.url}/v2/library/app/manifests/${tag}`,
      );
      assert.equal(got.res.headers.get("Docker-Content-Digest"), seeded.digest);
      assert.equal(got.res.headers.get("Content-Type"), seeded.mediaType);
      assert.equal(got.digest, seeded.digest);
      for (const child of seeded.children) {
        const res = await fetch(
          `${dst.url}/v2/library/app/manifests/${child.digest}`,
          {
            method: "HEAD",
            headers: { Accept: ACCEPT },
          },
        );
        await res.body?.cancel();
        assert.equal(res.status, 200, `${tag} child ${child.digest}`);
      }
    }
  } finally {
    await Promise.all([src.stop(), dst.stop()]);
  }
});

Deno.test("startDistribution() counts one access-log line per request and lets two processes share storage", async () => {
  await requireTools("docker-registry");
  const first = await startDistribution();
  try {
    const seeded = await seedImage(
      first.url,
      { repository: "a/b", tag: "v1" },
      {
        kind: "image",
        format: "docker",
        platform: AMD64,
      },
    );
    assert.ok((await first.settledRequestCount()) > 0);
    first.resetRequestCount();
    await fetchManifest(`${first.url}/v2/a/b/manifests/v1`, { method: "HEAD" });
    await fetchManifest(`${first.url}/v2/a/b/manifests/v1`);
    const missing = await fetchManifest(`${first.url}/v2/a/b/manifests/v2`);
    assert.equal(missing.res.status, 404);
    assert.equal(await first.settledRequestCount(), 3);
    assert.equal(first.requestCount(), 3);

    const second = await startDistribution({ storageDir: first.storageDir });
    try {
      const layer = JSON.parse(text(seeded.body)).layers[0].digest;
      const del = await fetch(`${second.url}/v2/a/b/blobs/${layer}`, {
        method: "DELETE",
      });
      await del.body?.cancel();
      assert.equal(del.status, 202);
      const got = await fetchManifest(`${first.url}/v2/a/b/manifests/v1`);
      assert.equal(got.digest, seeded.digest);
      const blob = await fetch(`${first.url}/v2/a/b/blobs/${layer}`, {
        method: "HEAD",
      });
      await blob.body?.cancel();
      assert.equal(blob.status, 404);
      assert.equal(await second.settledRequestCount(), 1);
    } finally {
      await second.stop();
    }
    assert.equal((await Deno.stat(first.storageDir)).isDirectory, true);
  } finally {
    await first.stop();
  }
  await assert.rejects(Deno.stat(first.storageDir), Deno.errors.NotFound);
});

Deno.test("seedImage() pushes with Basic auth to a TLS registry through a client trusting the test CA", async () => {
  await requireTools("docker-registry", "openssl", "htpasswd", "skopeo");
  const dir = await Deno.makeTempDir({ prefix: "hangar-tls-" });
  const certs = await makeTestCertificates(dir);
  const file = await makeHtpasswd(dir, "alice", "s3cret");
  const registry = await startDistribution({
    tls: { certFile: certs.serverCert, keyFile: certs.serverKey },
    htpasswd: { file },
  });
  const client = Deno.createHttpClient({ caCerts: [certs.caPem] });
  try {
    assert.equal(registry.url, `https://${registry.host}`);
    const tlsFetch = (r: Request) => fetch(r, { client });
    const ref = { repository: "private/app", tag: "v1" };
    const spec = {
      kind: "index",
      format: "oci",
      platforms: [AMD64],
      attestations: true,
    } as const;
    await assert.rejects(
      seedImage(registry.url, ref, spec, { fetch: tlsFetch }),
      (error) => {
        assert.ok(error instanceof RegistryError);
        assert.equal(error.kind, "unauthorized");
        return true;
      },
    );
    const headers = { Authorization: `Basic ${btoa("alice:s3cret")}` };
    const seeded = await seedImage(registry.url, ref, spec, {
      fetch: tlsFetch,
      headers,
    });
    const got = await fetchManifest(
      `${registry.url}/v2/private/app/manifests/v1`,
      { headers },
      client,
    );
    assert.equal(got.res.status, 200);
    assert.equal(got.digest, seeded.digest);
    assert.equal(got.res.headers.get("Content-Type"), OCI_INDEX);
    assert.deepEqual(
      await skopeoInspectRaw(`${registry.host}/private/app:v1`, {
        creds: "alice:s3cret",
      }),
      seeded.body,
    );
  } finally {
    client.close();
    await registry.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("skopeoCopy() copies an index from a served OciRegistry into a distribution and back", async () => {
  await requireTools("docker-registry", "skopeo");
  const registry = new OciRegistry();
  const server = serveHandler(registry.handler);
  const dist = await startDistribution();
  try {
    const seeded = await seedImage(server.url, {
      repository: "up/app",
      tag: "v1",
    }, {
      kind: "index",
      format: "oci",
      platforms: [AMD64, ARM64],
      attestations: true,
      seed: "round-trip",
    });
    await skopeoCopy(`${server.host}/up/app:v1`, `${dist.host}/down/app:v1`);
    await skopeoCopy(`${dist.host}/down/app:v1`, `${server.host}/back/app:v1`);
    assert.deepEqual(
      await skopeoInspectRaw(`${dist.host}/down/app:v1`),
      seeded.body,
    );
    const back = await getManifest(registry, "back/app/manifests/v1");
    assert.equal(back.digest, seeded.digest);
    for (const child of seeded.children) {
      const got = await getManifest(
        registry,
        `back/app/manifests/${child.digest}`,
      );
      assert.equal(got.digest, child.digest);
    }
  } finally {
    await dist.stop();
    await server.close();
  }
});

// RegistryClient.listReferrers(): the OCI 1.1 referrers API on the in-memory
// OCI server, the referrers tag schema on a registry without the API (the
// in-memory server with `referrersApi: false`, and distribution 2.8.2), the
// API probed once per client.

import assert from "node:assert/strict";
import { RegistryClient } from "../lib/registry/client.ts";
import { RegistryError } from "../lib/errors.ts";
import type { Fetch } from "../lib/transport/fetch.ts";
import { OciRegistry } from "./support/oci_server.ts";
import { distributionsIn } from "./support/distribution.ts";
import { type SeededImage, seedImage } from "./support/seed.ts";
import {
  ARTIFACT_TYPES,
  pushCosignAttestation,
  pushCosignSbom,
  pushCosignSignature,
  pushReferrer,
} from "./support/artifacts.ts";
import { requireTools } from "./support/tools.ts";

const AMD64 = { architecture: "amd64", os: "linux" };
const SPEC = { kind: "image", format: "oci", platform: AMD64 } as const;
const SBOM = "application/spdx+json";
const SIG = "application/vnd.dev.sigstore.bundle.v0.3+json";
const MANIFEST = "application/vnd.oci.image.manifest.v1+json";

/** An in-memory registry with `app:1` seeded, and a client of it that logs its requests. */
async function memory(referrersApi: boolean) {
  const registry = new OciRegistry({ referrersApi });
  const push = { fetch: (r: Request) => registry.handler(r) };
  const app = await seedImage("http://r", { repository: "app", tag: "1" }, {
    ...SPEC,
    seed: "one",
  }, push);
  const log: string[] = [];
  const fetch: Fetch = (request) => {
    log.push(`${request.method} ${new URL(request.url).pathname}`);
    return registry.handler(request);
  };
  const reg = new RegistryClient("reg.io", {
    fetch,
    retry: { sleep: () => Promise.resolve() },
  });
  return { registry, push, app, log, reg };
}

function subjectOf(image: SeededImage) {
  return { digest: image.digest, mediaType: image.mediaType, size: image.size };
}

Deno.test("RegistryClient.listReferrers() reads the referrers API: the manifests whose subject is the digest", async () => {
  const { push, app, log, reg } = await memory(true);
  const subject = subjectOf(app);
  const sbom = await pushReferrer("http://r", {
    repository: "app",
    subject,
    artifactType: SBOM,
    tagSchema: false,
  }, push);
  const sig = await pushReferrer("http://r", {
    repository: "app",
    subject,
    artifactType: SIG,
    tagSchema: false,
  }, push);
  // a referrer of another image, and cosign's tags (no subject): not listed
  const two = await seedImage("http://r", { repository: "app", tag: "2" }, {
    ...SPEC,
    seed: "two",
  }, push);
  await pushReferrer("http://r", {
    repository: "app",
    subject: subjectOf(two),
    artifactType: SBOM,
    tagSchema: false,
  }, push);
  await pushCosignSignature("http://r", {
    repository: "app",
    subject: app.digest,
  }, push);
  log.length = 0;
  const found = await reg.listReferrers("app", app.digest);
  assert.equal(found.via, "api");
  assert.deepEqual(
    found.descriptors.map(({ mediaType, digest, artifactType }) => ({
      mediaType,
      digest,
      artifactType,
    })),
    [
      { mediaType: MANIFEST, digest: sbom, artifactType: SBOM },
      { mediaType: MANIFEST, digest: sig, artifactType: SIG },
    ],
  );
  assert.equal(found.descriptors[0]!.size > 0, true);
  assert.deepEqual(await reg.listReferrers("app", app.digest), found);
  assert.deepEqual(log, [
    `GET /v2/app/referrers/${app.digest}`,
    `GET /v2/app/referrers/${app.digest}`,
  ]);
});

Deno.test("RegistryClient.listReferrers() gives an empty list for a digest nothing refers to", async () => {
  const { app, reg } = await memory(true);
  assert.deepEqual(await reg.listReferrers("app", app.digest), {
    descriptors: [],
    via: "api",
  });
});

Deno.test("OciRegistry filters referrers by artifactType and says so in OCI-Filters-Applied", async () => {
  const { registry, push, app } = await memory(true);
  const subject = subjectOf(app);
  await pushReferrer("http://r", {
    repository: "app",
    subject,
    artifactType: SBOM,
    tagSchema: false,
  }, push);
  const sig = await pushReferrer("http://r", {
    repository: "app",
    subject,
    artifactType: SIG,
    tagSchema: false,
  }, push);
  const url = `http://r/v2/app/referrers/${app.digest}`;
  const filtered = await registry.handler(
    new Request(`${url}?artifactType=${encodeURIComponent(SIG)}`),
  );
  assert.equal(filtered.headers.get("oci-filters-applied"), "artifactType");
  assert.equal(filtered.headers.get("content-type"), ARTIFACT_TYPES.index);
  const body = await filtered.json();
  assert.deepEqual(body.manifests.map((m: { digest: string }) => m.digest), [
    sig,
  ]);
  const all = await registry.handler(new Request(url));
  assert.equal(all.headers.get("oci-filters-applied"), null);
  assert.equal((await all.json()).manifests.length, 2);
});

Deno.test("RegistryClient.listReferrers() falls back to the tag schema after one 404 and never asks the API again", async () => {
  const { push, app, log, reg, registry } = await memory(false);
  const referrer = await pushReferrer("http://r", {
    repository: "app",
    subject: subjectOf(app),
    artifactType: SBOM,
  }, push);
  const tag = app.digest.replace(":", "-");
  log.length = 0;
  registry.resetCount();
  const calls = 5;
  for (let i = 0; i < calls; i++) {
    const found = await reg.listReferrers("app", app.digest);
    assert.equal(found.via, "tag-schema");
    assert.deepEqual(found.descriptors.map((d) => d.digest), [referrer]);
    assert.equal(found.descriptors[0]!.artifactType, SBOM);
  }
  assert.equal(registry.requests, calls + 1);
  assert.deepEqual(log, [
    `GET /v2/app/referrers/${app.digest}`,
    ...Array(calls).fill(`GET /v2/app/manifests/${tag}`),
  ]);
});

Deno.test("RegistryClient.listReferrers() shares one API probe between concurrent first calls", async () => {
  const { app, log, reg } = await memory(false);
  log.length = 0;
  const found = await Promise.all(
    [1, 2, 3].map(() => reg.listReferrers("app", app.digest)),
  );
  assert.deepEqual(found.map((f) => f.via), Array(3).fill("tag-schema"));
  assert.deepEqual(found.map((f) => f.descriptors), [[], [], []]);
  assert.equal(log.filter((l) => l.includes("/referrers/")).length, 1);
  assert.equal(log.length, 4);
});

/** A client of a fake registry answering with `route`, logging paths. */
function fake(route: (request: Request) => Response) {
  const log: string[] = [];
  const reg = new RegistryClient("reg.io", {
    fetch: (request) => {
      const url = new URL(request.url);
      log.push(`${url.pathname}${url.search}`);
      return Promise.resolve(route(request));
    },
    retry: { maxAttempts: 1, sleep: () => Promise.resolve() },
  });
  return { log, reg };
}

const DIGEST = `sha256:${"a".repeat(64)}`;
const entry = (n: number) => ({
  mediaType: MANIFEST,
  digest: `sha256:${String(n).repeat(64)}`,
  size: n,
});
const index = (manifests: unknown[], headers: Record<string, string> = {}) =>
  new Response(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: ARTIFACT_TYPES.index,
      manifests,
    }),
    { headers: { "content-type": ARTIFACT_TYPES.index, ...headers } },
  );

Deno.test("RegistryClient.listReferrers() asks the API again when the probe failed, and learns nothing from it", async () => {
  let first = true;
  const { log, reg } = fake((request) => {
    if (new URL(request.url).pathname.includes("/referrers/") && first) {
      first = false;
      return new Response(null, { status: 500 });
    }
    return new Response("{}", { status: 404 });
  });
  const error = await reg.listReferrers("a", DIGEST).catch((e) => e);
  assert.ok(error instanceof RegistryError);
  assert.equal(error.kind, "server");
  assert.deepEqual(await reg.listReferrers("a", DIGEST), {
    descriptors: [],
    via: "tag-schema",
  });
  assert.deepEqual(log, [
    `/v2/a/referrers/${DIGEST}`,
    `/v2/a/referrers/${DIGEST}`,
    `/v2/a/manifests/sha256-${"a".repeat(64)}`,
  ]);
});

Deno.test("RegistryClient.listReferrers() follows Link pages of the API", async () => {
  const { log, reg } = fake((request) =>
    new URL(request.url).search === ""
      ? index([entry(1)], {
        link: `</v2/a/referrers/${DIGEST}?last=1>; rel="next"`,
      })
      : index([entry(2)])
  );
  const found = await reg.listReferrers("a", DIGEST);
  assert.deepEqual(found, { descriptors: [entry(1), entry(2)], via: "api" });
  assert.deepEqual(log, [
    `/v2/a/referrers/${DIGEST}`,
    `/v2/a/referrers/${DIGEST}?last=1`,
  ]);
});

Deno.test("RegistryClient.listReferrers() refuses an answer that is not a referrers index", async () => {
  const { reg } = fake(() => index([{ ...entry(1), size: -1 }]));
  const error = await reg.listReferrers("a", DIGEST).catch((e) => e);
  assert.ok(error instanceof RegistryError);
  assert.equal(error.kind, "invalid-manifest");
  assert.equal(
    error.message,
    `GET "https://reg.io/v2/a/referrers/${DIGEST}": referrers list is not valid: manifests[0].size is not a non-negative integer`,
  );
});

Deno.test("RegistryClient.listReferrers() on distribution 2.8.2 reads the referrers tag schema, probing the API once", async () => {
  await requireTools("docker-registry");
  await using stack = new AsyncDisposableStack();
  const registry = await distributionsIn(stack)();
  const push = {};
  const app = await seedImage(
    registry.url,
    { repository: "lib/app", tag: "1" },
    {
      ...SPEC,
      seed: "one",
    },
    push,
  );
  const lone = await seedImage(registry.url, {
    repository: "lib/app",
    tag: "2",
  }, {
    ...SPEC,
    seed: "two",
  }, push);
  const referrer = await pushReferrer(registry.url, {
    repository: "lib/app",
    subject: subjectOf(app),
    artifactType: SBOM,
  }, push);
  const reg = new RegistryClient(registry.host, {
    tlsVerify: false,
    retry: { sleep: () => Promise.resolve() },
  });
  stack.defer(() => reg.close());
  await reg.ping(); // settles the scheme fallback
  registry.resetRequestCount();
  const calls = 4;
  for (let i = 0; i < calls; i++) {
    const found = await reg.listReferrers("lib/app", app.digest);
    assert.equal(found.via, "tag-schema");
    assert.deepEqual(
      found.descriptors.map(({ digest, artifactType }) => ({
        digest,
        artifactType,
      })),
      [{ digest: referrer, artifactType: SBOM }],
    );
  }
  assert.equal(await registry.settledRequestCount(), calls + 1);
  assert.deepEqual(await reg.listReferrers("lib/app", lone.digest), {
    descriptors: [],
    via: "tag-schema",
  });
  assert.equal(await registry.settledRequestCount(), calls + 2);
  // cosign's tags push to distribution 2.8.2; one seed, one digest per repository
  const hex = app.digest.slice("sha256:".length);
  const cosign = { repository: "lib/app", subject: app.digest, seed: "s" };
  const pushed = [
    [await pushCosignSignature(registry.url, cosign, push), "sig"],
    [await pushCosignAttestation(registry.url, cosign, push), "att"],
    [await pushCosignSbom(registry.url, cosign, push), "sbom"],
  ] as const;
  for (const [digest, suffix] of pushed) {
    const tag = `sha256-${hex}.${suffix}`;
    assert.equal((await reg.resolveManifest("lib/app", tag)).digest, digest);
  }
  const copy = { ...cosign, repository: "lib/copy" };
  assert.equal(
    await pushCosignSignature(registry.url, copy, push),
    pushed[0][0],
  );
  assert.notEqual(
    await pushCosignSignature(registry.url, { ...copy, seed: "t" }, push),
    pushed[0][0],
  );
});

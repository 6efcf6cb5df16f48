import assert from "node:assert/strict";
import { sha256Digest } from "../lib/types/digest.ts";
import { RegistryError } from "../lib/errors.ts";
import type { Fetch } from "../lib/transport/fetch.ts";
import { MANIFEST_ACCEPT } from "../lib/types/manifest.ts";
import {
  RegistryClient,
  type RegistryClientOptions,
} from "../lib/registry/client.ts";

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const BODY = new TextEncoder().encode(
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
);
const DIGEST = await sha256Digest(BODY);
const OTHER = `sha256:${"0".repeat(64)}`;

type Route = (request: Request) => Response | Promise<Response>;

/** A fake registry: answers with `route`, logging "METHOD path" per request. */
function fake(route: Route) {
  const log: string[] = [];
  const requests: Request[] = [];
  const fetch: Fetch = async (request) => {
    const url = new URL(request.url);
    log.push(`${request.method} ${url.host}${url.pathname}`);
    requests.push(request);
    return await route(request);
  };
  return { fetch, log, requests };
}

function client(
  fetch: Fetch,
  options: RegistryClientOptions = {},
): RegistryClient {
  return new RegistryClient("reg.io", {
    fetch,
    retry: { sleep: () => Promise.resolve() },
    ...options,
  });
}

function manifest(
  request: Request,
  headers: Record<string, string> = {},
): Response {
  const all = { "content-type": `${OCI_INDEX}; charset=utf-8`, ...headers };
  return new Response(request.method === "HEAD" ? null : BODY, {
    headers: all,
  });
}

Deno.test("RegistryClient.resolveManifest() costs one HEAD when the registry sends the digest", async () => {
  const registry = fake((r) =>
    manifest(r, {
      "docker-content-digest": DIGEST,
      "content-length": String(BODY.length),
    })
  );
  const resolved = await client(registry.fetch).resolveManifest(
    "library/nginx",
    "1.25",
  );
  assert.deepEqual(resolved, {
    digest: DIGEST,
    mediaType: OCI_INDEX,
    size: BODY.length,
  });
  assert.deepEqual(registry.log, [
    "HEAD reg.io/v2/library/nginx/manifests/1.25",
  ]);
  assert.equal(registry.requests[0]!.headers.get("accept"), MANIFEST_ACCEPT);
  assert.equal(
    registry.requests[0]!.headers.get("user-agent"),
    "hangar-mirror-validate/0.1.0",
  );
});

Deno.test("RegistryClient.resolveManifest() hashes a GET body when the digest header is missing or invalid", async () => {
  for (
    const headers of [{}, {
      "docker-content-digest": "sha256:nothex",
    }] as Record<string, string>[]
  ) {
    const registry = fake((r) => manifest(r, headers));
    const resolved = await client(registry.fetch).resolveManifest("a", "1");
    assert.deepEqual(resolved, {
      digest: DIGEST,
      mediaType: OCI_INDEX,
      body: BODY,
      size: BODY.length,
    });
    assert.deepEqual(registry.log, [
      "HEAD reg.io/v2/a/manifests/1",
      "GET reg.io/v2/a/manifests/1",
    ]);
  }
});

Deno.test("RegistryClient.resolveManifest() falls back to GET when HEAD answers 405 or 501", async () => {
  for (const status of [405, 501]) {
    const registry = fake((r) =>
      r.method === "HEAD" ? new Response(null, { status }) : manifest(r)
    );
    const resolved = await client(registry.fetch).resolveManifest("a", "1");
    assert.equal(resolved.digest, DIGEST);
    assert.deepEqual(resolved.body, BODY);
    assert.deepEqual(registry.log, [
      "HEAD reg.io/v2/a/manifests/1",
      "GET reg.io/v2/a/manifests/1",
    ]);
  }
});

Deno.test("RegistryClient.resolveManifest() fails with digest-mismatch when a digest reference resolves to another digest", async () => {
  const registry = fake((r) =>
    manifest(r, { "docker-content-digest": DIGEST })
  );
  const error = await client(registry.fetch).resolveManifest("a", OTHER).catch((
    e,
  ) => e);
  assert.ok(error instanceof RegistryError);
  assert.equal(error.kind, "digest-mismatch");
  assert.equal(
    error.message,
    `HEAD "https://reg.io/v2/a/manifests/${OTHER}": registry announced digest "${DIGEST}" for "${OTHER}"`,
  );
});

Deno.test("RegistryClient.getManifest() rejects a body that does not match the requested or announced digest", async () => {
  const requested = await client(fake((r) => manifest(r)).fetch).getManifest(
    "a",
    OTHER,
  ).catch((e) => e);
  assert.equal(requested.kind, "digest-mismatch");
  assert.equal(
    requested.message,
    `GET "https://reg.io/v2/a/manifests/${OTHER}": manifest digest is "${DIGEST}", not "${OTHER}" as requested`,
  );
  const announced = await client(
    fake((r) => manifest(r, { "docker-content-digest": OTHER })).fetch,
  ).getManifest("a", "1")
    .catch((e) => e);
  assert.equal(announced.kind, "digest-mismatch");
  assert.equal(
    announced.message,
    `GET "https://reg.io/v2/a/manifests/1": manifest digest is "${DIGEST}", not "${OTHER}" as announced by the registry`,
  );
  const good = await client(
    fake((r) => manifest(r, { "docker-content-digest": DIGEST })).fetch,
  ).getManifest("a", DIGEST);
  assert.deepEqual(good, { digest: DIGEST, mediaType: OCI_INDEX, body: BODY });
});

Deno.test("RegistryClient.getManifest() stops reading a manifest larger than 4 MiB", async () => {
  let sent = 0;
  let cancelled = false;
  const chunk = new Uint8Array(1024 * 1024);
  const registry = fake(() =>
    new Response(
      new ReadableStream({
        pull(controller) {
          sent += chunk.length;
          controller.enqueue(chunk);
        },
        cancel() {
          cancelled = true;
        },
      }),
      { headers: { "content-type": OCI_INDEX } },
    )
  );
  const error = await client(registry.fetch).getManifest("a", "1").catch((e) =>
    e
  );
  assert.equal(error.kind, "invalid-manifest");
  assert.equal(
    error.message,
    'GET "https://reg.io/v2/a/manifests/1": manifest is larger than 4194304 bytes',
  );
  assert.ok(cancelled);
  assert.ok(sent <= 6 * 1024 * 1024, `read ${sent} bytes`);
  const declared = fake(() =>
    new Response("{}", {
      headers: { "content-length": String(4 * 1024 * 1024 + 1) },
    })
  );
  const early = await client(declared.fetch).getManifest("a", "1").catch((e) =>
    e
  );
  assert.equal(early.kind, "invalid-manifest");
});

Deno.test("RegistryClient.getManifest() reports an HTML page as invalid-manifest", async () => {
  // a registry (GET /v2/ says so) whose manifest answer is a login page
  const registry = fake((request) =>
    new URL(request.url).pathname === "/v2/"
      ? Response.json({}, {
        headers: { "Docker-Distribution-API-Version": "registry/2.0" },
      })
      : new Response("<html>login</html>", {
        headers: { "content-type": "text/html; charset=utf-8" },
      })
  );
  const error = await client(registry.fetch).getManifest("a", "1").catch((e) =>
    e
  );
  assert.equal(error.kind, "invalid-manifest");
  assert.equal(
    error.message,
    'GET "https://reg.io/v2/a/manifests/1": registry answered with an HTML page',
  );
  const viaHead = await client(registry.fetch).resolveManifest("a", "1").catch((
    e,
  ) => e);
  assert.equal(viaHead.kind, "invalid-manifest");
});

Deno.test("RegistryClient maps 404 to missing with the registry's detail, 401 to unauthorized", async () => {
  const unknown = fake(() =>
    Response.json({
      errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }],
    }, { status: 404 })
  );
  const missing = await client(unknown.fetch).getManifest("a", "1").catch((e) =>
    e
  );
  assert.equal(missing.kind, "missing");
  assert.equal(
    missing.message,
    'GET "https://reg.io/v2/a/manifests/1": response status code 404: manifest unknown',
  );
  const head = await client(unknown.fetch).resolveManifest("a", "1").catch((
    e,
  ) => e);
  assert.equal(head.kind, "missing");
  assert.equal(
    head.message,
    'HEAD "https://reg.io/v2/a/manifests/1": response status code 404',
  );
  const denied = fake(() => new Response(null, { status: 401 }));
  const unauthorized = await client(denied.fetch, { authHint: "log in" })
    .resolveManifest("a", "1").catch((e) => e);
  assert.equal(unauthorized.kind, "unauthorized");
  assert.equal(
    unauthorized.message,
    'HEAD "https://reg.io/v2/a/manifests/1": response status code 401 (unauthorized); log in',
  );
});

Deno.test("RegistryClient retries a 503 and then succeeds", async () => {
  let calls = 0;
  const registry = fake((r) =>
    ++calls < 3
      ? new Response("busy", { status: 503 })
      : manifest(r, { "docker-content-digest": DIGEST })
  );
  const resolved = await client(registry.fetch).resolveManifest("a", "1");
  assert.equal(resolved.digest, DIGEST);
  assert.equal(calls, 3);
  const always = fake(() => new Response("busy", { status: 503 }));
  const error = await client(always.fetch, {
    retry: { maxAttempts: 2, sleep: () => Promise.resolve() },
  })
    .getManifest("a", "1").catch((e) => e);
  assert.equal(error.kind, "server");
  assert.equal(always.log.length, 2);
});

Deno.test("RegistryClient.getBlob() follows a redirect to another host without credentials and verifies the digest", async () => {
  const config = new TextEncoder().encode(
    '{"architecture":"amd64","os":"linux"}',
  );
  const digest = await sha256Digest(config);
  const registry = fake((request) => {
    const url = new URL(request.url);
    if (url.host === "cdn.io") return new Response(config);
    if (url.pathname === "/token") return Response.json({ token: "t" });
    if (request.headers.get("authorization") !== "Bearer t") {
      return new Response(null, {
        status: 401,
        headers: { "www-authenticate": 'Bearer realm="https://reg.io/token"' },
      });
    }
    return new Response(null, {
      status: 307,
      headers: { location: `https://cdn.io/blob?sig=x` },
    });
  });
  const bytes = await client(registry.fetch).getBlob("a", digest);
  assert.deepEqual(bytes, config);
  assert.deepEqual(registry.log.slice(-2), [
    `GET reg.io/v2/a/blobs/${digest}`,
    "GET cdn.io/blob",
  ]);
  assert.equal(registry.requests.at(-1)!.headers.get("authorization"), null);
  const wrong = await client(registry.fetch).getBlob("a", OTHER).catch((e) =>
    e
  );
  assert.equal(wrong.kind, "digest-mismatch");
  const small = await client(registry.fetch).getBlob("a", digest, {
    maxBytes: 10,
  }).catch((e) => e);
  assert.equal(small.kind, "invalid-manifest");
  assert.match(small.message, /blob is larger than 10 bytes$/);
});

Deno.test("RegistryClient talks to registry-1.docker.io for docker.io and logs each request without secrets", async () => {
  const lines: string[] = [];
  const registry = fake((r) =>
    manifest(r, { "docker-content-digest": DIGEST })
  );
  const hub = new RegistryClient("docker.io", {
    fetch: registry.fetch,
    debug: (l) => lines.push(l),
  });
  await hub.resolveManifest("library/nginx", "latest");
  assert.deepEqual(registry.log, [
    "HEAD registry-1.docker.io/v2/library/nginx/manifests/latest",
  ]);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0]!,
    /^HEAD https:\/\/registry-1\.docker\.io\/v2\/library\/nginx\/manifests\/latest -> 200 \(\d+ ms\)$/,
  );
});

Deno.test("RegistryClient gives up on a request that does not answer within requestTimeoutMs", async () => {
  const hanging: Fetch = (request) =>
    new Promise((_, reject) =>
      request.signal.addEventListener(
        "abort",
        () => reject(request.signal.reason),
      )
    );
  const error = await client(hanging, {
    requestTimeoutMs: 5,
    retry: { maxAttempts: 1 },
  }).ping().catch((e) => e);
  assert.ok(error instanceof RegistryError);
  assert.equal(error.kind, "timeout");
  assert.equal(error.message, 'GET "https://reg.io/v2/": request timed out');
});

Deno.test("RegistryClient with tlsVerify false falls back to http for a registry without TLS", async () => {
  const registry = fake((request) => {
    if (request.url.startsWith("https:")) {
      throw new TypeError(
        "received corrupt message of type InvalidContentType",
      );
    }
    return manifest(request, { "docker-content-digest": DIGEST });
  });
  const insecure = client(registry.fetch, { tlsVerify: false });
  assert.equal((await insecure.resolveManifest("a", "1")).digest, DIGEST);
  assert.equal((await insecure.resolveManifest("a", "2")).digest, DIGEST);
  assert.deepEqual(registry.requests.map((r) => r.url), [
    "https://reg.io/v2/a/manifests/1",
    "http://reg.io/v2/a/manifests/1",
    "http://reg.io/v2/a/manifests/2",
  ]);
  const verified = await client(registry.fetch).resolveManifest("a", "1").catch(
    (e) => e,
  );
  assert.equal(verified.kind, "tls");
});

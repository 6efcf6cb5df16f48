import assert from "node:assert/strict";
import { sha256Digest } from "../lib/types/digest.ts";
import { OciRegistry, serveHandler } from "./support/oci_server.ts";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const body = new TextEncoder().encode('{"schemaVersion":2}');

async function call(
  registry: OciRegistry,
  method: string,
  path: string,
  init: RequestInit = {},
) {
  const res = await registry.handler(
    new Request(`http://r${path}`, { method, ...init }),
  );
  const text = await res.text();
  return {
    res,
    text,
    code: text.startsWith('{"errors')
      ? JSON.parse(text).errors[0].code
      : undefined,
  };
}

Deno.test("OciRegistry answers /v2/ with {} and the distribution API version header", async () => {
  const registry = new OciRegistry();
  const { res, text } = await call(registry, "GET", "/v2/");
  assert.equal(res.status, 200);
  assert.equal(text, "{}");
  assert.equal(
    res.headers.get("Docker-Distribution-API-Version"),
    "registry/2.0",
  );
  assert.equal(registry.name, "oci-registry");
});

Deno.test("OciRegistry serves manifests by tag and digest, HEAD without a body", async () => {
  const registry = new OciRegistry();
  const digest = await registry.putManifest("a/b/c", "v1", body, OCI_MANIFEST);
  assert.equal(digest, await sha256Digest(body));
  for (const ref of ["v1", digest]) {
    const get = await call(registry, "GET", `/v2/a/b/c/manifests/${ref}`);
    assert.equal(get.text, '{"schemaVersion":2}');
    assert.equal(get.res.headers.get("Content-Type"), OCI_MANIFEST);
    assert.equal(get.res.headers.get("Docker-Content-Digest"), digest);
    const head = await call(registry, "HEAD", `/v2/a/b/c/manifests/${ref}`);
    assert.equal(head.text, "");
    assert.equal(head.res.headers.get("Content-Length"), String(body.length));
  }
  assert.equal(registry.requests, 4);
  registry.resetCount();
  assert.equal(registry.requests, 0);
});

Deno.test("OciRegistry answers unknown names, tags, blobs and bad digests with distribution errors", async () => {
  const registry = new OciRegistry();
  await registry.putManifest("known", "v1", body, OCI_MANIFEST);
  const cases: [string, string, number, string][] = [
    ["GET", "/v2/unknown/manifests/v1", 404, "NAME_UNKNOWN"],
    ["GET", "/v2/known/manifests/v2", 404, "MANIFEST_UNKNOWN"],
    [
      "GET",
      `/v2/known/manifests/sha256:${"0".repeat(64)}`,
      404,
      "MANIFEST_UNKNOWN",
    ],
    ["GET", `/v2/known/blobs/sha256:${"0".repeat(64)}`, 404, "BLOB_UNKNOWN"],
    ["GET", "/v2/known/blobs/sha256:zz", 400, "DIGEST_INVALID"],
    ["GET", "/v2/Bad/manifests/v1", 400, "NAME_INVALID"],
    [
      "PUT",
      `/v2/known/manifests/sha256:${"0".repeat(64)}`,
      400,
      "DIGEST_INVALID",
    ],
  ];
  for (const [method, path, status, code] of cases) {
    const got = await call(
      registry,
      method,
      path,
      method === "PUT"
        ? { body, headers: { "Content-Type": OCI_MANIFEST } }
        : {},
    );
    assert.deepEqual(
      [got.res.status, got.code],
      [status, code],
      `${method} ${path}`,
    );
  }
  const missing = await call(registry, "GET", "/v2/known/manifests/nope");
  assert.deepEqual(JSON.parse(missing.text), {
    errors: [{
      code: "MANIFEST_UNKNOWN",
      message: "manifest unknown",
      detail: { Tag: "nope" },
    }],
  });
});

Deno.test("OciRegistry takes chunked and monolithic blob uploads and checks their digest", async () => {
  const registry = new OciRegistry();
  const bytes = new TextEncoder().encode("hello world");
  const digest = await sha256Digest(bytes);
  const post = await call(registry, "POST", "/v2/x/y/blobs/uploads/");
  assert.equal(post.res.status, 202);
  const location = post.res.headers.get("Location")!;
  assert.match(location, /^\/v2\/x\/y\/blobs\/uploads\/[0-9a-f-]+$/);
  const patch = await call(registry, "PATCH", location, {
    body: bytes.slice(0, 5),
  });
  assert.deepEqual([patch.res.status, patch.res.headers.get("Range")], [
    202,
    "0-4",
  ]);
  const bad = await call(
    registry,
    "PUT",
    `${location}?digest=sha256:${"1".repeat(64)}`,
    { body: bytes.slice(5) },
  );
  assert.deepEqual([bad.res.status, bad.code], [400, "DIGEST_INVALID"]);
  const again = await call(registry, "POST", "/v2/x/y/blobs/uploads/");
  const where = again.res.headers.get("Location")!;
  await call(registry, "PATCH", where, { body: bytes.slice(0, 5) });
  const put = await call(registry, "PUT", `${where}?digest=${digest}`, {
    body: bytes.slice(5),
  });
  assert.deepEqual([
    put.res.status,
    put.res.headers.get("Docker-Content-Digest"),
  ], [201, digest]);
  const other = new Uint8Array([7]);
  const mono = await call(
    registry,
    "POST",
    `/v2/z/blobs/uploads/?digest=${await sha256Digest(other)}`,
    {
      body: other,
    },
  );
  assert.equal(mono.res.status, 201);
  const blob = await call(registry, "GET", `/v2/another/repo/blobs/${digest}`);
  assert.equal(blob.text, "hello world");
  const head = await call(registry, "HEAD", `/v2/x/y/blobs/${digest}`);
  assert.deepEqual([head.text, head.res.headers.get("Content-Length")], [
    "",
    "11",
  ]);
});

Deno.test("OciRegistry deletes manifests with their tags, and blobs while manifests stay", async () => {
  const registry = new OciRegistry();
  const blob = await registry.putBlob(new Uint8Array([1, 2, 3]));
  const digest = await registry.putManifest("d", "v1", body, OCI_MANIFEST);
  const put = await call(registry, "PUT", "/v2/d/manifests/v2", {
    body,
    headers: { "Content-Type": OCI_MANIFEST },
  });
  assert.deepEqual([
    put.res.status,
    put.res.headers.get("Docker-Content-Digest"),
  ], [201, digest]);
  assert.equal(
    (await call(registry, "DELETE", `/v2/d/blobs/${blob}`)).res.status,
    202,
  );
  assert.equal(registry.hasBlob(blob), false);
  assert.equal(
    (await call(registry, "GET", "/v2/d/manifests/v1")).res.status,
    200,
  );
  assert.equal(
    (await call(registry, "DELETE", `/v2/d/manifests/${digest}`)).res.status,
    202,
  );
  assert.equal(
    (await call(registry, "GET", "/v2/d/manifests/v2")).code,
    "MANIFEST_UNKNOWN",
  );
  assert.equal(registry.deleteManifest("d", digest), false);
  assert.equal(registry.deleteBlob(blob), false);
});

Deno.test("serveHandler() serves an OciRegistry on 127.0.0.1 over HTTP", async () => {
  const registry = new OciRegistry();
  const server = serveHandler(registry.handler);
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(server.host, `127.0.0.1:${server.port}`);
    const res = await fetch(`${server.url}/v2/`);
    assert.equal(await res.text(), "{}");
    assert.equal(registry.requests, 1);
  } finally {
    await server.close();
  }
});

/**
 * Blobs, blob upload sessions and tag lists of the in-memory OCI test server.
 *
 * @module
 */

import { isDigest, sha256Digest } from "../../lib/types/digest.ts";
import {
  apiResponse,
  concatBytes,
  errorResponse,
  nameUnknown,
  type OciRoute,
  unsupported,
} from "./_oci_protocol.ts";
import type { OciStore } from "./_oci_store.ts";

/**
 * Answers GET, HEAD and DELETE on `/v2/<name>/blobs/<digest>`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { handleBlob } from "./_oci_blobs.ts";
 * import { OciStore } from "./_oci_store.ts";
 * const res = handleBlob(new OciStore(), "GET", `sha256:${"0".repeat(64)}`);
 * assert(res.status === 404);
 * ```
 */
export function handleBlob(
  store: OciStore,
  method: string,
  digest: string,
): Response {
  if (!isDigest(digest)) {
    return errorResponse(
      400,
      "DIGEST_INVALID",
      "provided digest did not match uploaded content",
      digest,
    );
  }
  const bytes = store.blobs.get(digest);
  if (bytes === undefined) {
    return errorResponse(
      404,
      "BLOB_UNKNOWN",
      "blob unknown to registry",
      digest,
    );
  }
  if (method === "DELETE") {
    store.blobs.delete(digest);
    return apiResponse(202, null, {
      "Content-Length": "0",
      "Docker-Content-Digest": digest,
    });
  }
  if (method !== "GET" && method !== "HEAD") return unsupported(method);
  return apiResponse(200, method === "HEAD" ? null : bytes, {
    "Content-Type": "application/octet-stream",
    "Content-Length": String(bytes.length),
    "Docker-Content-Digest": digest,
  });
}

/**
 * Answers `/v2/<name>/blobs/uploads/[<id>]`: POST (new session, monolithic
 * with `?digest=`, or cross-repository `?mount=`), PATCH, PUT `?digest=`, GET
 * and DELETE.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { handleUpload } from "./_oci_blobs.ts";
 * import { OciStore } from "./_oci_store.ts";
 * const store = new OciStore();
 * const url = new URL("http://r/v2/a/blobs/uploads/");
 * const res = await handleUpload(store, new Request(url, { method: "POST" }), url, {
 *   kind: "upload", name: "a", id: "",
 * });
 * assert(res.status === 202);
 * ```
 */
export async function handleUpload(
  store: OciStore,
  request: Request,
  url: URL,
  route: Extract<OciRoute, { kind: "upload" }>,
): Promise<Response> {
  const method = request.method;
  const body = new Uint8Array(await request.arrayBuffer());
  const digest = url.searchParams.get("digest");
  if (method === "POST" && route.id === "") {
    store.repository(route.name, true);
    const mount = url.searchParams.get("mount");
    if (mount !== null && store.blobs.has(mount)) {
      return blobCreated(route.name, mount);
    }
    if (digest !== null) {
      return await finishUpload(store, route.name, [body], digest);
    }
    const id = crypto.randomUUID();
    store.uploads.set(id, body.length ? [body] : []);
    return uploadAccepted(202, route.name, id, body.length);
  }
  const chunks = store.uploads.get(route.id);
  if (chunks === undefined) {
    return errorResponse(
      404,
      "BLOB_UPLOAD_UNKNOWN",
      "blob upload unknown to registry",
      route.id,
    );
  }
  const size = () => chunks.reduce((n, c) => n + c.length, 0);
  switch (method) {
    case "PATCH":
      chunks.push(body);
      return uploadAccepted(202, route.name, route.id, size());
    case "GET":
      return uploadAccepted(204, route.name, route.id, size());
    case "DELETE":
      store.uploads.delete(route.id);
      return apiResponse(204, null);
    case "PUT":
      if (digest === null) {
        return errorResponse(
          400,
          "DIGEST_INVALID",
          "provided digest did not match uploaded content",
          "no digest",
        );
      }
      store.uploads.delete(route.id);
      return await finishUpload(store, route.name, [...chunks, body], digest);
    default:
      return unsupported(method);
  }
}

async function finishUpload(
  store: OciStore,
  name: string,
  chunks: Uint8Array[],
  digest: string,
): Promise<Response> {
  const bytes = concatBytes(chunks);
  const actual = await sha256Digest(bytes);
  if (actual !== digest) {
    return errorResponse(
      400,
      "DIGEST_INVALID",
      "provided digest did not match uploaded content",
      {
        expected: digest,
        actual,
      },
    );
  }
  store.blobs.set(digest, bytes);
  return blobCreated(name, digest);
}

/**
 * Answers `/v2/<name>/tags/list` with the sorted tags.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { handleTags } from "./_oci_blobs.ts";
 * import { OciStore } from "./_oci_store.ts";
 * const store = new OciStore();
 * await store.putManifest("a", "v1", new Uint8Array([123, 125]), "x");
 * assert((await handleTags(store, "a").json()).tags[0] === "v1");
 * ```
 */
export function handleTags(store: OciStore, name: string): Response {
  const repo = store.repository(name);
  if (repo === undefined) {
    return nameUnknown(name);
  }
  const body = JSON.stringify({ name, tags: [...repo.tags.keys()].sort() });
  return apiResponse(200, body, {
    "Content-Type": "application/json; charset=utf-8",
  });
}

function blobCreated(name: string, digest: string): Response {
  return apiResponse(201, null, {
    Location: `/v2/${name}/blobs/${digest}`,
    "Docker-Content-Digest": digest,
    "Content-Length": "0",
  });
}

function uploadAccepted(
  status: number,
  name: string,
  id: string,
  size: number,
): Response {
  return apiResponse(status, null, {
    Location: `/v2/${name}/blobs/uploads/${id}`,
    Range: `0-${Math.max(0, size - 1)}`,
    "Docker-Upload-UUID": id,
    "Content-Length": "0",
  });
}

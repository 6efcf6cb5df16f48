/**
 * The project's own minimal OCI distribution server, in memory, as a fetch
 * handler. It is lenient on purpose: it stores any manifest bytes and does not
 * check that referenced blobs or children exist, so tests can build broken
 * mirrors. Blobs are shared by all repositories.
 *
 * @module
 */

import { isDigest, sha256Digest } from "../../lib/types/digest.ts";
import {
  apiResponse,
  errorResponse,
  isRepositoryName,
  isTag,
  mediaTypeOf,
  nameUnknown,
  parseRoute,
  unsupported,
} from "./_oci_protocol.ts";
import { OciStore } from "./_oci_store.ts";
import { handleBlob, handleTags, handleUpload } from "./_oci_blobs.ts";
import { handleReferrers } from "./_oci_referrers.ts";

export {
  type ServedHandler,
  serveHandler,
  type ServeHandlerOptions,
} from "./_serve.ts";

/** Options of {@linkcode OciRegistry}. */
export interface OciRegistryOptions {
  /**
   * A name for the registry, kept on {@linkcode OciRegistry.name} to tell
   * registries apart in test output.
   * @default "oci-registry"
   */
  name?: string;
  /**
   * Serve the OCI 1.1 referrers API (`GET /v2/<name>/referrers/<digest>`);
   * false answers it with distribution 2.8.2's `404 page not found`.
   * @default true
   */
  referrersApi?: boolean;
}

/**
 * An in-memory OCI distribution registry.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { OciRegistry } from "./oci_server.ts";
 * const registry = new OciRegistry();
 * const body = new TextEncoder().encode("{}");
 * const digest = await registry.putManifest("a/b", "v1", body, "application/vnd.oci.image.manifest.v1+json");
 * const res = await registry.handler(new Request("http://r/v2/a/b/manifests/v1", { method: "HEAD" }));
 * assert(res.headers.get("Docker-Content-Digest") === digest);
 * assert(registry.requests === 1);
 * ```
 */
export class OciRegistry {
  /** The name given in the options. */
  readonly name: string;
  #requests = 0;
  #store = new OciStore();
  #referrersApi: boolean;

  constructor(options: OciRegistryOptions = {}) {
    this.name = options.name ?? "oci-registry";
    this.#referrersApi = options.referrersApi ?? true;
  }

  /** Answers one distribution API request; counts it. */
  handler = (request: Request): Promise<Response> => {
    this.#requests++;
    return this.#handle(request);
  };

  /** How many requests {@linkcode OciRegistry.handler} answered since the last reset. */
  get requests(): number {
    return this.#requests;
  }

  /** Sets the request count back to 0. */
  resetCount(): void {
    this.#requests = 0;
  }

  /** Stores a blob (visible from every repository) and returns its digest. */
  async putBlob(bytes: Uint8Array): Promise<string> {
    const digest = await sha256Digest(bytes);
    this.#store.blobs.set(digest, new Uint8Array(bytes));
    return digest;
  }

  /**
   * Stores any manifest bytes under a tag or a digest (which must match) and
   * returns the digest: `putManifest(repository, reference, body, mediaType)`.
   */
  putManifest(...args: Parameters<OciStore["putManifest"]>): Promise<string> {
    return this.#store.putManifest(...args);
  }

  /**
   * Deletes a manifest by digest (with the tags pointing at it) or only a tag.
   * Returns whether something was deleted.
   */
  deleteManifest(repository: string, reference: string): boolean {
    return this.#store.deleteManifest(repository, reference);
  }

  /** Deletes a blob from every repository; returns whether it existed. */
  deleteBlob(digest: string): boolean {
    return this.#store.blobs.delete(digest);
  }

  /** Tells whether a blob is stored. */
  hasBlob(digest: string): boolean {
    return this.#store.blobs.has(digest);
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const route = parseRoute(url.pathname);
    if (
      route === undefined || (route.kind === "referrers" && !this.#referrersApi)
    ) {
      return apiResponse(404, "404 page not found\n", {
        "Content-Type": "text/plain",
      });
    }
    if (route.kind === "base") {
      return apiResponse(200, "{}", {
        "Content-Type": "application/json; charset=utf-8",
      });
    }
    if (!isRepositoryName(route.name)) {
      return errorResponse(
        400,
        "NAME_INVALID",
        "invalid repository name",
        route.name,
      );
    }
    switch (route.kind) {
      case "manifest":
        return await this.#manifest(request, route.name, route.reference);
      case "blob":
        return handleBlob(this.#store, request.method, route.digest);
      case "upload":
        return await handleUpload(this.#store, request, url, route);
      case "tags":
        return handleTags(this.#store, route.name);
      case "referrers":
        return handleReferrers(this.#store, request, route.name, route.digest);
    }
  }

  async #manifest(
    request: Request,
    name: string,
    reference: string,
  ): Promise<Response> {
    const byDigest = isDigest(reference);
    if (!byDigest && !isTag(reference)) {
      return errorResponse(
        400,
        "TAG_INVALID",
        "manifest tag did not match URI",
        reference,
      );
    }
    const method = request.method;
    if (method === "PUT") {
      const body = new Uint8Array(await request.arrayBuffer());
      const mediaType = request.headers.get("Content-Type") ??
        mediaTypeOf(body);
      if (!mediaType) {
        return errorResponse(
          400,
          "MANIFEST_INVALID",
          "manifest invalid",
          "no media type",
        );
      }
      const digest = await sha256Digest(body);
      if (byDigest && digest !== reference) {
        return errorResponse(
          400,
          "DIGEST_INVALID",
          "provided digest did not match uploaded content",
          {
            expected: reference,
            actual: digest,
          },
        );
      }
      await this.putManifest(name, reference, body, mediaType);
      return apiResponse(201, null, {
        Location: `/v2/${name}/manifests/${digest}`,
        "Docker-Content-Digest": digest,
        "Content-Length": "0",
      });
    }
    const repo = this.#store.repository(name);
    if (repo === undefined) {
      return nameUnknown(name);
    }
    const digest = byDigest ? reference : repo.tags.get(reference);
    const stored = digest === undefined
      ? undefined
      : repo.manifests.get(digest);
    if (digest === undefined || stored === undefined) {
      const detail = byDigest ? { Digest: reference } : { Tag: reference };
      return errorResponse(404, "MANIFEST_UNKNOWN", "manifest unknown", detail);
    }
    if (method === "DELETE") {
      this.deleteManifest(name, reference);
      return apiResponse(202, null, { "Content-Length": "0" });
    }
    if (method !== "GET" && method !== "HEAD") return unsupported(method);
    return apiResponse(200, method === "HEAD" ? null : stored.body, {
      "Content-Type": stored.mediaType,
      "Content-Length": String(stored.body.length),
      "Docker-Content-Digest": digest,
      ETag: `"${digest}"`,
    });
  }
}

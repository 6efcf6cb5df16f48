/**
 * A client for one registry: resolves and reads manifests and reads blobs over
 * the transport stack base fetch -> scheme fallback -> retry -> auth, verifying
 * every body it reads against its digest.
 *
 * @module
 */
import { isDigest } from "../types/digest.ts";
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES } from "../types/manifest.ts";
import type {
  GetBlobOptions,
  RegistryClientOptions,
} from "./_client_options.ts";
import { ClientTransport } from "./_client_transport.ts";
import { RegistryCheck } from "./_not_registry.ts";
import {
  type FetchedManifest,
  readBlobAnswer,
  readHeadAnswer,
  readManifestAnswer,
  type ResolvedManifest,
} from "./_manifest_reads.ts";
import { type ClientCall, headBlob } from "./_blob_head.ts";
import { listTags } from "./_tags.ts";
import {
  type ReferrerDescriptor,
  type Referrers,
  ReferrersLookup,
} from "./_referrers.ts";

export type {
  FetchedManifest,
  ReferrerDescriptor,
  Referrers,
  ResolvedManifest,
};
export type { GetBlobOptions, RegistryClientOptions };

/**
 * Talks to one registry (`docker.io` means `registry-1.docker.io`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { RegistryClient } from "./client.ts";
 * const body = new TextEncoder().encode("{}");
 * const client = new RegistryClient("reg.io", {
 *   fetch: () => Promise.resolve(new Response(body, { headers: { "content-type": "application/json" } })),
 * });
 * const manifest = await client.getManifest("a/b", "latest");
 * assert(manifest.digest ===
 *   "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
 * ```
 */
export class RegistryClient {
  /** The registry name as given. */
  readonly registry: string;
  #transport: ClientTransport;
  #send = <T>(call: ClientCall<T>): Promise<T> => this.#transport.send(call);
  #registryCheck: RegistryCheck;
  #referrers = new ReferrersLookup(this.#send);

  /** A client for `registry` (`host[:port]`) with `options`. */
  constructor(registry: string, options: RegistryClientOptions = {}) {
    this.registry = registry;
    this.#transport = new ClientTransport(registry, options);
    this.#registryCheck = new RegistryCheck((read, acceptStatus) =>
      this.#send({
        method: "GET",
        path: "/v2/",
        read,
        acceptStatus,
        activity: "checking the registry",
      })
    );
  }

  /**
   * Checks that the registry answers `GET /v2/` (authenticating when asked).
   *
   * @example Usage
   * ```ts
   * import { RegistryClient } from "./client.ts";
   * const client = new RegistryClient("reg.io", { fetch: () => Promise.resolve(new Response("{}")) });
   * await client.ping();
   * ```
   */
  async ping(signal?: AbortSignal): Promise<void> {
    await this.#send({
      method: "GET",
      path: "/v2/",
      ...(signal ? { signal } : {}),
      read: async (response) => {
        await response.body?.cancel();
      },
      activity: "checking the registry",
    });
  }

  /**
   * Learns a manifest's digest with a HEAD, falling back to a GET (whose body is
   * returned) when the registry sends no valid `Docker-Content-Digest` or refuses HEAD.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RegistryClient } from "./client.ts";
   * const digest = `sha256:${"a".repeat(64)}`;
   * const client = new RegistryClient("reg.io", {
   *   fetch: () => Promise.resolve(new Response(null, { headers: { "docker-content-digest": digest } })),
   * });
   * assert((await client.resolveManifest("a/b", "1")).digest === digest);
   * ```
   */
  async resolveManifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<ResolvedManifest> {
    const path = `/v2/${repository}/manifests/${reference}`;
    const head = await this.#send({
      method: "HEAD",
      path,
      headers: { Accept: MANIFEST_ACCEPT },
      ...(signal ? { signal } : {}),
      read: (response, url) => readHeadAnswer(response, url, reference),
      acceptStatus: (status) => status === 405 || status === 501,
      activity: "resolving the manifest",
    }).catch((error) => this.#registryCheck.rethrow(error, signal));
    if (head !== undefined) return head;
    const fetched = await this.getManifest(repository, reference, signal);
    return { ...fetched, size: fetched.body.byteLength };
  }

  /**
   * Reads a manifest (at most 4 MiB), hashes it and checks it against the
   * requested digest and the announced `Docker-Content-Digest`.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RegistryClient } from "./client.ts";
   * const client = new RegistryClient("reg.io", {
   *   fetch: () => Promise.resolve(new Response("{}", { headers: { "content-type": "application/vnd.oci.image.index.v1+json; x=y" } })),
   * });
   * assert((await client.getManifest("a", "1")).mediaType === "application/vnd.oci.image.index.v1+json");
   * ```
   */
  async getManifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<FetchedManifest> {
    const path = `/v2/${repository}/manifests/${reference}`;
    return await this.#send({
      method: "GET",
      path,
      headers: { Accept: MANIFEST_ACCEPT },
      ...(signal ? { signal } : {}),
      read: (response, url) => readManifestAnswer(response, url, reference),
      activity: "reading the manifest",
    }).catch((error) => this.#registryCheck.rethrow(error, signal));
  }

  /**
   * Reads a blob (following up to 5 redirects), capped at `maxBytes`, and
   * verifies its digest.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RegistryClient } from "./client.ts";
   * const client = new RegistryClient("reg.io", { fetch: () => Promise.resolve(new Response("")) });
   * const empty = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
   * assert((await client.getBlob("a", empty)).length === 0);
   * ```
   */
  async getBlob(
    repository: string,
    digest: string,
    options: GetBlobOptions = {},
  ): Promise<Uint8Array> {
    if (!isDigest(digest)) {
      throw new TypeError(`Cannot fetch blob "${digest}": not a digest`);
    }
    const maxBytes = options.maxBytes ?? MAX_MANIFEST_BYTES;
    const path = `/v2/${repository}/blobs/${digest}`;
    return await this.#send({
      method: "GET",
      path,
      ...(options.signal ? { signal: options.signal } : {}),
      read: (response, url) => readBlobAnswer(response, url, digest, maxBytes),
      activity: "reading the blob",
    });
  }

  /**
   * Tells whether `repository` holds a blob, with one `HEAD` and no body: 404
   * (any error code) is false, a redirect (to storage) true without following it.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RegistryClient } from "./client.ts";
   * const client = new RegistryClient("reg.io", { fetch: () => Promise.resolve(new Response(null, { status: 404 })) });
   * assert.equal(await client.blobExists("a", `sha256:${"a".repeat(64)}`), false);
   * ```
   */
  async blobExists(
    repository: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
    return await headBlob(this.#send, {
      repository,
      digest,
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * Lists the artifacts that refer to `digest` (OCI 1.1): the referrers API,
   * or the referrers tag schema `<alg>-<hex>` once the API answered 404 (asked
   * once per client; concurrent first calls share that request).
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RegistryClient } from "./client.ts";
   * const client = new RegistryClient("reg.io", { fetch: () => Promise.resolve(new Response(null, { status: 404 })) });
   * const found = await client.listReferrers("a", `sha256:${"a".repeat(64)}`);
   * assert.deepEqual(found, { descriptors: [], via: "tag-schema" });
   * ```
   */
  async listReferrers(
    repository: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<Referrers> {
    return await this.#referrers.list(repository, digest, signal);
  }

  /**
   * Lists the tags of `repository` (`GET /v2/<name>/tags/list`, every
   * page); a repository that does not exist throws kind `missing`.
   *
   * @example Usage
   * ```ts
   * import assert from "node:assert/strict";
   * import { RegistryClient } from "./client.ts";
   * const client = new RegistryClient("reg.io", {
   *   fetch: () => Promise.resolve(Response.json({ name: "a", tags: ["1"] })),
   * });
   * assert.deepEqual(await client.listTags("a"), ["1"]);
   * ```
   */
  async listTags(repository: string, signal?: AbortSignal): Promise<string[]> {
    return await listTags(this.#send, {
      repository,
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * Notes that `repository` will be read soon: on a registry with token auth
   * its pull scope is fetched ahead, in one token request with the other
   * repositories noted (at most 20 scopes a request).
   *
   * @example Usage
   * ```ts
   * import { RegistryClient } from "./client.ts";
   * const client = new RegistryClient("reg.io", { fetch: () => Promise.reject(new Error("unused")) });
   * client.prefetch("library/nginx"); // nothing is sent before a challenge is known
   * ```
   */
  prefetch(repository: string): void {
    this.#transport.prefetch([repository]);
  }

  /**
   * Releases the HTTP client this client created (not a fetch passed in).
   *
   * @example Usage
   * ```ts
   * import { RegistryClient } from "./client.ts";
   * new RegistryClient("reg.io").close();
   * ```
   */
  close(): void {
    this.#transport.close();
  }
}

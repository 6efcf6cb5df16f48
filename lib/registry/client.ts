/**
 * A client for one registry: resolves and reads manifests and reads blobs over
 * the transport stack base fetch -> scheme fallback -> retry -> auth, verifying
 * every body it reads against its digest.
 *
 * @module
 */
import { isDigest } from "../types/digest.ts";
import {
  type ClosableFetch,
  createFetch,
  type Fetch,
} from "../transport/fetch.ts";
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES } from "../types/manifest.ts";
import { registryEndpoint } from "../types/reference.ts";
import type {
  GetBlobOptions,
  RegistryClientOptions,
} from "./_client_options.ts";
import { type RequestSpec, sendRequest } from "./_request.ts";
import { settledWithin } from "../transport/deadlines.ts";
import { buildStack } from "./_transport_stack.ts";
import { RegistryCheck } from "./_not_registry.ts";
import {
  retryDelay,
  type RetryPolicyOptions,
} from "../transport/retry_policy.ts";
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
 * How long the first request waits for what was sent ahead to be on its way:
 * about the first-run code it overlaps. A slower connect overlaps that code
 * as before, and a host that never answers costs no more than this.
 */
const READY_WAIT_MS = 20;

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
  #base: string;
  #fetch: Fetch;
  #prefetch: (repositories: Iterable<string>) => void;
  #route: (url: string) => string;
  #registryCheck: RegistryCheck;
  #referrers = new ReferrersLookup((call) => this.#call(call));
  #closable: ClosableFetch | undefined;
  #timeoutMs: number;
  #userAgent: string;
  #retry: RetryPolicyOptions & {
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  };
  #debug: ((line: string) => void) | undefined;
  /** What the base fetch sent ahead, on its way (awaited by the first request). */
  #ready: Promise<void> | undefined;

  /** A client for `registry` (`host[:port]`) with `options`. */
  constructor(registry: string, options: RegistryClientOptions = {}) {
    this.registry = registry;
    this.#base = `https://${registryEndpoint(registry)}`;
    const tlsVerify = options.tlsVerify ?? true;
    this.#timeoutMs = options.requestTimeoutMs ?? 60_000;
    this.#userAgent = options.userAgent ?? "hangar-mirror-validate/0.1.0";
    this.#retry = options.retry ?? {};
    this.#debug = options.debug;
    let base = options.fetch;
    if (base === undefined) base = this.#closable = createFetch({ tlsVerify });
    const stack = buildStack(base, registry, { ...options, tlsVerify });
    this.#fetch = stack;
    // The first repository noted lets the base fetch learn ahead what the
    // first request will need (the ClientHello of --tls-verify=false).
    let prepare = (base as Partial<ClosableFetch>).prepare?.bind(base);
    this.#prefetch = (repositories) => {
      const sent = prepare?.(`${this.#base}/v2/`);
      prepare = undefined;
      if (sent !== undefined) this.#ready = settledWithin(sent, READY_WAIT_MS);
      stack.prefetch(repositories);
    };
    this.#route = stack.route;
    this.#registryCheck = new RegistryCheck((read, acceptStatus) =>
      this.#request(
        "GET",
        "/v2/",
        {},
        undefined,
        read,
        acceptStatus,
        "checking the registry",
      )
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
    await this.#request(
      "GET",
      "/v2/",
      {},
      signal,
      async (response) => {
        await response.body?.cancel();
      },
      undefined,
      "checking the registry",
    );
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
    const head = await this.#request(
      "HEAD",
      path,
      { Accept: MANIFEST_ACCEPT },
      signal,
      (response, url) => readHeadAnswer(response, url, reference),
      (status) => status === 405 || status === 501,
      "resolving the manifest",
    ).catch((error) => this.#registryCheck.rethrow(error, signal));
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
    return await this.#request(
      "GET",
      path,
      { Accept: MANIFEST_ACCEPT },
      signal,
      (response, url) => readManifestAnswer(response, url, reference),
      undefined,
      "reading the manifest",
    ).catch((error) => this.#registryCheck.rethrow(error, signal));
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
    return await this.#request(
      "GET",
      path,
      {},
      options.signal,
      (response, url) => readBlobAnswer(response, url, digest, maxBytes),
      undefined,
      "reading the blob",
    );
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
    return await headBlob((call) => this.#call(call), {
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
    return await listTags((call) => this.#call(call), {
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
    this.#prefetch([repository]);
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
    this.#closable?.close();
  }

  #call<T>(call: ClientCall<T>): Promise<T> {
    return this.#request(
      call.method,
      call.path,
      call.headers ?? {},
      call.signal,
      call.read,
      call.acceptStatus,
      call.activity,
      call.wrap?.(this.#fetch),
    );
  }

  #request<T>(
    method: string,
    path: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    read: (response: Response, url: string) => Promise<T>,
    acceptStatus?: (status: number) => boolean,
    activity?: string,
    fetch: Fetch = this.#fetch,
  ): Promise<T> {
    const spec: RequestSpec = {
      method,
      url: `${this.#base}${path}`,
      headers: { ...headers, "User-Agent": this.#userAgent },
      timeoutMs: this.#timeoutMs,
      route: this.#route,
      ...(activity ? { activity } : {}),
      ...(signal ? { signal } : {}),
      ...(acceptStatus ? { acceptStatus } : {}),
      retryRead: (attempt, error) =>
        retryDelay(attempt, { error }, this.#retry),
      ...(this.#retry.sleep ? { sleep: this.#retry.sleep } : {}),
      ...(this.#debug ? { debug: this.#debug } : {}),
    };
    // The first request lets the event loop write what prepare() started
    // (a ClientHello waits for its connect) before building itself: a first
    // request runs much code for the first time, which then overlaps the
    // answer's round trip instead of holding back the write.
    const ready = this.#ready;
    if (ready === undefined) return sendRequest(fetch, spec, read);
    this.#ready = undefined;
    return ready.then(() => sendRequest(fetch, spec, read));
  }
}

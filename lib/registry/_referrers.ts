/**
 * The artifacts that refer to a manifest (OCI distribution spec 1.1): the
 * referrers API, or the referrers tag schema where a registry lacks the API
 * (learnt once per client). Private helper of client.ts.
 *
 * @module
 */
import { isDigest } from "../types/digest.ts";
import { abortable } from "../transport/abortable.ts";
import type { ClientSend } from "./_blob_head.ts";
import { readManifestAnswer } from "./_manifest_reads.ts";
import { collectPages, nextPage } from "./_pages.ts";
import {
  parseReferrersIndex,
  type ReferrerDescriptor,
} from "./_referrers_index.ts";

export type { ReferrerDescriptor };

/** What {@linkcode ReferrersLookup.list} found, and how. */
export interface Referrers {
  /** The referrers' descriptors, in the registry's order. */
  descriptors: ReferrerDescriptor[];
  /** `api`: the referrers API answered; `tag-schema`: the `<alg>-<hex>` tag was read. */
  via: "api" | "tag-schema";
}

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const MAX_PAGES = 100;

/**
 * The referrers tag schema's tag for a digest: `<alg>-<hex>`, the algorithm
 * cut to 32 characters and the hex to 64, other characters than a tag allows
 * replaced with `-`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { referrersTag } from "./_referrers.ts";
 * assert.equal(referrersTag(`sha256:${"ab".repeat(32)}`), `sha256-${"ab".repeat(32)}`);
 * assert.equal(referrersTag(`sha512:${"c".repeat(128)}`), `sha512-${"c".repeat(64)}`);
 * ```
 */
export function referrersTag(digest: string): string {
  const at = digest.indexOf(":");
  const clean = (text: string) => text.replace(/[^a-zA-Z0-9_.-]/g, "-");
  return `${clean(digest.slice(0, at)).slice(0, 32)}-${
    clean(digest.slice(at + 1)).slice(0, 64)
  }`;
}

/**
 * Lists referrers for one client (one registry). The first call asks the
 * referrers API; a 404 there means the registry has none, and from then on
 * this lookup reads the referrers tag schema only. Calls made while that
 * first answer is awaited wait for it instead of asking too.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReferrersLookup } from "./_referrers.ts";
 * const paths: string[] = [];
 * const lookup = new ReferrersLookup(<T>(call: { path: string; read: (r: Response, url: string) => Promise<T> }) => {
 *   paths.push(call.path);
 *   return call.read(new Response(null, { status: 404 }), `https://r.io${call.path}`);
 * });
 * const digest = `sha256:${"a".repeat(64)}`;
 * assert.deepEqual(await lookup.list("a", digest), { descriptors: [], via: "tag-schema" });
 * assert.deepEqual(await lookup.list("a", digest), { descriptors: [], via: "tag-schema" });
 * assert.deepEqual(paths, [
 *   `/v2/a/referrers/${digest}`,
 *   `/v2/a/manifests/sha256-${"a".repeat(64)}`,
 *   `/v2/a/manifests/sha256-${"a".repeat(64)}`,
 * ]);
 * ```
 */
export class ReferrersLookup {
  #send: ClientSend;
  /** Whether the registry has the API; undefined until it answered once. */
  #api: boolean | undefined;
  /** The first API request while it is in flight. */
  #probe: Promise<void> | undefined;

  constructor(send: ClientSend) {
    this.#send = send;
  }

  /** Whether the registry was seen to have the referrers API; undefined before it answered. */
  get hasApi(): boolean | undefined {
    return this.#api;
  }

  /** Lists the referrers of `digest` in `repository`. */
  async list(
    repository: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<Referrers> {
    if (!isDigest(digest)) {
      throw new TypeError(`Cannot list referrers of "${digest}": not a digest`);
    }
    // wait for a probe in flight; a failed one leaves #api undefined and
    // the next caller probes again
    while (this.#api === undefined && this.#probe !== undefined) {
      await (signal ? abortable(this.#probe, signal) : this.#probe);
    }
    if (this.#api === false) {
      return await this.#fromTag(repository, digest, signal);
    }
    const asked = this.#fromApi(repository, digest, signal);
    if (this.#api === undefined) {
      const probe = asked.then(() => {}, () => {}).finally(() => {
        if (this.#probe === probe) this.#probe = undefined;
      });
      this.#probe = probe;
    }
    const descriptors = await asked;
    if (descriptors !== undefined) return { descriptors, via: "api" };
    return await this.#fromTag(repository, digest, signal);
  }

  /** The API's answer, following `Link` pages; undefined (and learnt) on a 404. */
  async #fromApi(
    repository: string,
    digest: string,
    signal: AbortSignal | undefined,
  ): Promise<ReferrerDescriptor[] | undefined> {
    return await collectPages<ReferrerDescriptor>(
      `/v2/${repository}/referrers/${digest}`,
      async (path, page) => {
        const answer = await this.#send({
          method: "GET",
          path,
          headers: { Accept: OCI_INDEX },
          ...(signal ? { signal } : {}),
          acceptStatus: (status) => page === 1 && status === 404,
          activity: "listing the referrers",
          read: async (response, url) => {
            if (response.status === 404) {
              await response.body?.cancel();
              return undefined;
            }
            const next = nextPage(response.headers.get("link"), url);
            const read = await readManifestAnswer(response, url, "referrers");
            return { found: parseReferrersIndex(read.body, url), next, url };
          },
        });
        this.#api = answer !== undefined;
        return answer;
      },
      { what: "referrers list", maxPages: MAX_PAGES },
    );
  }

  /** The index under the referrers tag; no tag is no referrers. */
  async #fromTag(
    repository: string,
    digest: string,
    signal: AbortSignal | undefined,
  ): Promise<Referrers> {
    const tag = referrersTag(digest);
    const descriptors = await this.#send({
      method: "GET",
      path: `/v2/${repository}/manifests/${tag}`,
      headers: { Accept: OCI_INDEX },
      ...(signal ? { signal } : {}),
      acceptStatus: (status) => status === 404,
      activity: "reading the referrers tag",
      read: async (response, url) => {
        if (response.status === 404) {
          await response.body?.cancel();
          return [];
        }
        const read = await readManifestAnswer(response, url, tag);
        return parseReferrersIndex(read.body, url);
      },
    });
    return { descriptors, via: "tag-schema" };
  }
}

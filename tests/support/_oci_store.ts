/**
 * The in-memory storage behind the OCI test server: blobs shared by every
 * repository, manifests and tags per repository, open upload sessions.
 *
 * @module
 */

import { isDigest, sha256Digest } from "../../lib/types/digest.ts";

/** Manifest bytes with the media type they were stored with. */
export interface StoredManifest {
  body: Uint8Array<ArrayBuffer>;
  mediaType: string;
}

/** Tags and manifests of one repository. */
export interface StoredRepository {
  tags: Map<string, string>;
  manifests: Map<string, StoredManifest>;
}

/**
 * Maps holding the server's state, with the few operations on them that both
 * the HTTP routes and the direct API use.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { OciStore } from "./_oci_store.ts";
 * const store = new OciStore();
 * const digest = await store.putManifest("a", "v1", new Uint8Array([123, 125]), "x");
 * assert(store.repository("a")?.tags.get("v1") === digest);
 * ```
 */
export class OciStore {
  /** Blobs by digest, visible from every repository. */
  readonly blobs: Map<string, Uint8Array<ArrayBuffer>> = new Map();
  /** Repositories by name. */
  readonly repositories: Map<string, StoredRepository> = new Map();
  /** Chunks received so far, by upload session id. */
  readonly uploads: Map<string, Uint8Array[]> = new Map();

  /** The repository called `name`, made when missing if `create` is set. */
  repository(name: string, create = false): StoredRepository | undefined {
    let repo = this.repositories.get(name);
    if (repo === undefined && create) {
      repo = { tags: new Map(), manifests: new Map() };
      this.repositories.set(name, repo);
    }
    return repo;
  }

  /** Stores manifest bytes under a tag or their digest; returns the digest. */
  async putManifest(
    repository: string,
    reference: string,
    body: Uint8Array,
    mediaType: string,
  ): Promise<string> {
    const digest = await sha256Digest(body);
    if (isDigest(reference) && reference !== digest) {
      throw new TypeError(
        `Cannot store manifest under "${reference}": its digest is "${digest}"`,
      );
    }
    const repo = this.repository(repository, true)!;
    repo.manifests.set(digest, { body: new Uint8Array(body), mediaType });
    if (!isDigest(reference)) repo.tags.set(reference, digest);
    return digest;
  }

  /** Deletes a manifest (and its tags) by digest, or only a tag. */
  deleteManifest(repository: string, reference: string): boolean {
    const repo = this.repositories.get(repository);
    if (repo === undefined) return false;
    if (!isDigest(reference)) return repo.tags.delete(reference);
    for (const [tag, digest] of repo.tags) {
      if (digest === reference) repo.tags.delete(tag);
    }
    return repo.manifests.delete(reference);
  }
}

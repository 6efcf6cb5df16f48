/**
 * What the engine needs from a source of manifests, named by the engine: the
 * registry layer implements it (structurally, without importing the engine),
 * and so will any other source (a snapshot, an OCI layout).
 *
 * @module
 */

import type { Descriptor } from "../types/descriptor.ts";
import type { Manifest } from "../types/manifest.ts";
import type { Platform } from "../types/platform.ts";
import type { Side } from "../registry/clients.ts";

// One `Side` for the whole API: declared by the registry layer (below this
// one), named here too so that the engine's users find it with the engine.
export type { Side };

/** What the engine needs from a registry. `RegistryClient` implements it. */
export interface ManifestSource {
  /** Resolves a tag or digest to a digest (HEAD first; a body when it had to GET). */
  resolveManifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<{ digest: string; mediaType: string; body?: Uint8Array }>;
  /** Fetches a manifest body, verified against the digest it was asked by. */
  getManifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<{ digest: string; mediaType: string; body: Uint8Array }>;
  /** Fetches a blob, verified against its digest. */
  getBlob(
    repository: string,
    digest: string,
    options?: { maxBytes?: number; signal?: AbortSignal },
  ): Promise<Uint8Array>;
  /**
   * Tells whether `repository` holds a blob (`HEAD /v2/<repo>/blobs/<digest>`,
   * no body read): a 404 is false, a redirect to storage true; other failures
   * throw as for manifests. Optional until every source has it.
   */
  blobExists?(
    repository: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<boolean>;
  /**
   * Lists the artifacts that refer to `digest` (OCI 1.1 `subject`): from the
   * referrers API (`via: "api"`), or from the referrers tag schema
   * `<alg>-<hex>` where the registry lacks the API (`via: "tag-schema"`;
   * no such tag is an empty list). Optional until every source has it.
   */
  listReferrers?(
    repository: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<{
    descriptors: (Descriptor & { artifactType?: string })[];
    via: "api" | "tag-schema";
  }>;
  /**
   * Lists the tags of a repository (`GET /v2/<name>/tags/list`, every
   * page); a repository that does not exist throws kind `missing`. Optional
   * until every source has it.
   */
  listTags?(repository: string, signal?: AbortSignal): Promise<string[]>;
  /**
   * A hint that `repository` will be read soon (a registry fetches its token
   * ahead, batched with others). Optional; never throws.
   */
  prefetch?(repository: string): void;
}

/** Gives the client for a registry on one side; called once per pair. */
export type ClientFactory = (registry: string, side: Side) => ManifestSource;

/** A manifest with the digest it was fetched by. */
export interface ResolvedImage {
  /** Digest of the manifest body. */
  digest: string;
  /** The parsed manifest. */
  manifest: Manifest;
  /**
   * Platform of a single image (from its config blob, or from a schema1
   * manifest). Unused for indexes.
   */
  platform?: Platform;
}

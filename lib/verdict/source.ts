/**
 * What the engine needs from a source of manifests, named by the engine: the
 * registry layer implements it (structurally, without importing the engine),
 * and so will any other source (a snapshot, an OCI layout).
 *
 * @module
 */

import type { Manifest } from "../types/manifest.ts";
import type { Platform } from "../types/platform.ts";

/** Which side of the mirror a registry is on. */
export type Side = "source" | "destination";

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

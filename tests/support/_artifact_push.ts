/**
 * Builds and pushes one artifact manifest (config, one layer, manifest) for
 * artifacts.ts.
 *
 * @module
 */

import { sha256Digest } from "../../lib/types/digest.ts";
import { pushBlob, type PushOptions, putManifestBytes } from "./_push.ts";

/** Media types cosign and oras use. */
export const ARTIFACT_TYPES = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  index: "application/vnd.oci.image.index.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  empty: "application/vnd.oci.empty.v1+json",
  signature: "application/vnd.dev.cosign.simplesigning.v1+json",
  attestation: "application/vnd.dsse.envelope.v1+json",
  sbom: "text/spdx+json",
  /** The default `artifactType` of {@linkcode pushReferrer}. */
  referrer: "application/vnd.example.sbom.v1+json",
} as const;

const encoder = new TextEncoder();

/** What {@linkcode pushArtifact} builds. */
export interface ArtifactParts {
  /** Tag to push under; by digest when absent. */
  tag?: string;
  layer: {
    mediaType: string;
    bytes: Uint8Array;
    annotations?: Record<string, string>;
  };
  artifactType?: string;
  subject?: { mediaType: string; digest: string; size: number };
}

/**
 * Pushes the config and the layer, then the manifest (by tag, else by
 * digest): cosign's image config for cosign artifacts, the empty config for
 * referrers (`artifactType` set). Returns the manifest's digest and bytes.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { pushArtifact } from "./_artifact_push.ts";
 * import { OciRegistry } from "./oci_server.ts";
 * const registry = new OciRegistry();
 * const layer = { mediaType: "text/plain", bytes: new Uint8Array([1]) };
 * const pushed = await pushArtifact("http://r", "a", { tag: "t", layer }, {
 *   fetch: (r: Request) => registry.handler(r),
 * });
 * assert.equal(JSON.parse(new TextDecoder().decode(pushed.bytes)).layers[0].size, 1);
 * ```
 */
export async function pushArtifact(
  baseUrl: string,
  repository: string,
  parts: ArtifactParts,
  options: PushOptions,
): Promise<{ digest: string; bytes: Uint8Array }> {
  const config = parts.artifactType
    ? { mediaType: ARTIFACT_TYPES.empty, bytes: encoder.encode("{}") }
    : {
      mediaType: ARTIFACT_TYPES.config,
      bytes: encoder.encode(JSON.stringify({
        architecture: "",
        os: "",
        config: {},
        rootfs: {
          type: "layers",
          diff_ids: [await sha256Digest(parts.layer.bytes)],
        },
      })),
    };
  const describe = async (
    blob: { mediaType: string; bytes: Uint8Array },
    annotations?: Record<string, string>,
  ) => ({
    mediaType: blob.mediaType,
    digest: await pushBlob(baseUrl, repository, blob.bytes, options),
    size: blob.bytes.length,
    ...(annotations ? { annotations } : {}),
  });
  const manifest = {
    schemaVersion: 2,
    mediaType: ARTIFACT_TYPES.manifest,
    ...(parts.artifactType ? { artifactType: parts.artifactType } : {}),
    config: await describe(config),
    layers: [await describe(parts.layer, parts.layer.annotations)],
    ...(parts.subject ? { subject: parts.subject } : {}),
  };
  const bytes = encoder.encode(JSON.stringify(manifest));
  const digest = await putManifestBytes(
    baseUrl,
    { repository, reference: parts.tag ?? await sha256Digest(bytes) },
    bytes,
    ARTIFACT_TYPES.manifest,
    options,
  );
  return { digest, bytes };
}

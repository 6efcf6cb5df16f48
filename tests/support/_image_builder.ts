/**
 * Builds tiny deterministic images (layer, config, manifest) and BuildKit-style
 * attestation manifests for seeding registries.
 *
 * @module
 */

import { sha256Digest } from "../../lib/types/digest.ts";
import type { Platform } from "../../lib/types/platform.ts";
import { gzipStored, tarFile } from "./_tar_gzip.ts";

/** Media types of each seeding format. */
export const MEDIA_TYPES = {
  docker: {
    index: "application/vnd.docker.distribution.manifest.list.v2+json",
    manifest: "application/vnd.docker.distribution.manifest.v2+json",
    config: "application/vnd.docker.container.image.v1+json",
    layer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  },
  oci: {
    index: "application/vnd.oci.image.index.v1+json",
    manifest: "application/vnd.oci.image.manifest.v1+json",
    config: "application/vnd.oci.image.config.v1+json",
    layer: "application/vnd.oci.image.layer.v1.tar+gzip",
  },
} as const;

/** A content-addressed piece of an image. */
export interface BuiltBlob {
  digest: string;
  size: number;
  mediaType: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** A manifest with the blobs it references. */
export interface BuiltManifest extends BuiltBlob {
  platform: Platform;
  blobs: BuiltBlob[];
}

const encoder = new TextEncoder();

/**
 * Writes a platform as `os/arch[/variant][:os.version]`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { platformText } from "./_image_builder.ts";
 * assert(platformText({ os: "linux", architecture: "arm", variant: "v7" }) === "linux/arm/v7");
 * ```
 */
export function platformText(platform: Platform): string {
  let text = `${platform.os}/${platform.architecture}`;
  if (platform.variant) text += `/${platform.variant}`;
  if (platform["os.version"]) text += `:${platform["os.version"]}`;
  return text;
}

/**
 * Copies the platform fields in the canonical order, leaving out empty ones.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { cleanPlatform } from "./_image_builder.ts";
 * assert(JSON.stringify(cleanPlatform({ os: "linux", architecture: "amd64" })) ===
 *   '{"architecture":"amd64","os":"linux"}');
 * ```
 */
export function cleanPlatform(platform: Platform): Platform {
  const out: Platform = {
    architecture: platform.architecture,
    os: platform.os,
  };
  if (platform["os.version"]) out["os.version"] = platform["os.version"];
  if (platform.variant) out.variant = platform.variant;
  return out;
}

async function blob(
  bytes: Uint8Array<ArrayBuffer>,
  mediaType: string,
): Promise<BuiltBlob> {
  return {
    digest: await sha256Digest(bytes),
    size: bytes.length,
    mediaType,
    bytes,
  };
}

function descriptor(b: BuiltBlob, annotations?: Record<string, string>) {
  return {
    mediaType: b.mediaType,
    size: b.size,
    digest: b.digest,
    ...(annotations ? { annotations } : {}),
  };
}

async function manifest(
  format: "docker" | "oci",
  config: BuiltBlob,
  layers: { blob: BuiltBlob; annotations?: Record<string, string> }[],
  platform: Platform,
): Promise<BuiltManifest> {
  const mediaType = MEDIA_TYPES[format].manifest;
  const body = encoder.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: descriptor(config),
    layers: layers.map((l) => descriptor(l.blob, l.annotations)),
  }));
  return {
    ...(await blob(body, mediaType)),
    platform,
    blobs: [config, ...layers.map((l) => l.blob)],
  };
}

/**
 * Builds one image whose content depends only on `format`, `platform` and `seed`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildImage } from "./_image_builder.ts";
 * const a = await buildImage("oci", { os: "linux", architecture: "amd64" }, "s");
 * const b = await buildImage("oci", { os: "linux", architecture: "amd64" }, "s");
 * assert(a.digest === b.digest && a.blobs.length === 2);
 * ```
 */
export async function buildImage(
  format: "docker" | "oci",
  platform: Platform,
  seed: string,
): Promise<BuiltManifest> {
  const clean = cleanPlatform(platform);
  const text = `hangar test layer: seed=${JSON.stringify(seed)} platform=${
    platformText(clean)
  }\n`;
  const tar = tarFile("hangar-seed.txt", encoder.encode(text));
  const layer = await blob(gzipStored(tar), MEDIA_TYPES[format].layer);
  const config = await blob(
    encoder.encode(JSON.stringify({
      ...clean,
      config: { Labels: { "io.hangar.seed": seed } },
      rootfs: { type: "layers", diff_ids: [await sha256Digest(tar)] },
    })),
    MEDIA_TYPES[format].config,
  );
  return await manifest(format, config, [{ blob: layer }], clean);
}

/**
 * Builds a BuildKit-style attestation manifest (OCI, platform unknown/unknown)
 * for `image`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildAttestation, buildImage } from "./_image_builder.ts";
 * const image = await buildImage("oci", { os: "linux", architecture: "amd64" }, "s");
 * const att = await buildAttestation(image, "s");
 * assert(att.platform.os === "unknown");
 * ```
 */
export async function buildAttestation(
  image: BuiltManifest,
  seed: string,
): Promise<BuiltManifest> {
  const predicateType = "https://spdx.dev/Document";
  const statement = await blob(
    encoder.encode(JSON.stringify({
      _type: "https://in-toto.io/Statement/v0.1",
      predicateType,
      subject: [{
        name: `seed-${seed}`,
        digest: { sha256: image.digest.slice("sha256:".length) },
      }],
      predicate: { name: platformText(image.platform) },
    })),
    "application/vnd.in-toto+json",
  );
  const platform = { architecture: "unknown", os: "unknown" };
  const config = await blob(
    encoder.encode(JSON.stringify({
      ...platform,
      config: {},
      rootfs: { type: "layers", diff_ids: [statement.digest] },
    })),
    MEDIA_TYPES.oci.config,
  );
  return await manifest("oci", config, [{
    blob: statement,
    annotations: { "in-toto.io/predicate-type": predicateType },
  }], platform);
}

/**
 * Seeds registries with tiny deterministic images over plain HTTP: works
 * against {@linkcode ./oci_server.ts} handlers and real registries alike.
 *
 * @module
 */

import type { Platform } from "../../lib/types/platform.ts";
import {
  buildAttestation,
  buildImage,
  type BuiltManifest,
  cleanPlatform,
  MEDIA_TYPES,
} from "./_image_builder.ts";
import { pushBlob, type PushOptions, putManifestBytes } from "./_push.ts";

export type { PushOptions } from "./_push.ts";

/** Which media types a seeded image uses. */
export type SeedFormat = "docker" | "oci";

/**
 * What to seed: one image, or an index of images (with BuildKit-style
 * attestation entries when asked, OCI only). Same `seed` and platform give
 * the same digests; another `seed` gives other digests.
 */
export type ImageSpec =
  | { kind: "image"; format: SeedFormat; platform: Platform; seed?: string }
  | {
    kind: "index";
    format: SeedFormat;
    platforms: readonly Platform[];
    attestations?: boolean;
    seed?: string;
  };

/** An entry of a seeded index. */
export interface SeededChild {
  digest: string;
  mediaType: string;
  size: number;
  platform: Platform;
}

/** What {@linkcode seedImage} pushed under the tag. */
export interface SeededImage {
  digest: string;
  mediaType: string;
  size: number;
  body: Uint8Array;
  /** Index entries in order (images, then attestations); empty for an image. */
  children: SeededChild[];
}

/** An entry for {@linkcode indexBody}. */
export interface IndexEntry {
  digest: string;
  mediaType: string;
  size: number;
  /** Left out of the entry when absent. */
  platform?: Platform;
  /** Left out of the entry when absent. */
  annotations?: Record<string, string>;
}

const ATTESTATION_TYPE = "attestation-manifest";

/**
 * Pushes a deterministic image or index: blobs, then child manifests by
 * digest, then the top manifest by tag.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { seedImage } from "./seed.ts";
 * import { OciRegistry } from "./oci_server.ts";
 * const registry = new OciRegistry();
 * const seeded = await seedImage("http://r", { repository: "lib/app", tag: "v1" }, {
 *   kind: "index",
 *   format: "oci",
 *   platforms: [{ os: "linux", architecture: "amd64" }],
 *   attestations: true,
 * }, { fetch: (r) => registry.handler(r) });
 * assert(seeded.children.length === 2);
 * assert(seeded.children[1]?.platform.os === "unknown");
 * ```
 */
export async function seedImage(
  baseUrl: string,
  ref: { repository: string; tag: string },
  spec: ImageSpec,
  options: PushOptions = {},
): Promise<SeededImage> {
  const seed = spec.seed ?? "";
  const push = async (manifest: BuiltManifest, reference: string) => {
    for (const blob of manifest.blobs) {
      await pushBlob(baseUrl, ref.repository, blob.bytes, options);
    }
    const repoRef = { repository: ref.repository, reference };
    await putManifestBytes(
      baseUrl,
      repoRef,
      manifest.bytes,
      manifest.mediaType,
      options,
    );
  };
  if (spec.kind === "image") {
    const image = await buildImage(spec.format, spec.platform, seed);
    await push(image, ref.tag);
    return { ...summary(image), children: [] };
  }
  if (spec.attestations && spec.format !== "oci") {
    throw new TypeError(
      `Cannot seed attestations into a "${spec.format}" index: they need the "oci" format`,
    );
  }
  const images: BuiltManifest[] = [];
  for (const platform of spec.platforms) {
    images.push(await buildImage(spec.format, platform, seed));
  }
  const attestations: BuiltManifest[] = [];
  if (spec.attestations) {
    for (const image of images) {
      attestations.push(await buildAttestation(image, seed));
    }
  }
  for (const child of [...images, ...attestations]) {
    await push(child, child.digest);
  }
  const entries: IndexEntry[] = [
    ...images.map((image) => ({ ...summary(image), platform: image.platform })),
    ...attestations.map((att, i) => ({
      ...summary(att),
      platform: att.platform,
      annotations: {
        "vnd.docker.reference.digest": images[i]!.digest,
        "vnd.docker.reference.type": ATTESTATION_TYPE,
      },
    })),
  ];
  const body = indexBody(spec.format, entries);
  const mediaType = MEDIA_TYPES[spec.format].index;
  const digest = await putManifestBytes(
    baseUrl,
    { repository: ref.repository, reference: ref.tag },
    body,
    mediaType,
    options,
  );
  return {
    digest,
    mediaType,
    size: body.length,
    body,
    children: entries.map((e) => ({
      digest: e.digest,
      mediaType: e.mediaType,
      size: e.size,
      platform: e.platform!,
    })),
  };
}

/**
 * Pushes raw manifest bytes under a tag or digest and returns their digest;
 * for building broken mirrors (partial indexes, wrong platform labels, ...).
 */
export { putManifestBytes as pushManifest };

/**
 * Serialises a Docker manifest list or an OCI index (both carry `mediaType`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { indexBody } from "./seed.ts";
 * const body = indexBody("docker", [{
 *   digest: `sha256:${"a".repeat(64)}`,
 *   mediaType: "application/vnd.docker.distribution.manifest.v2+json",
 *   size: 10,
 *   platform: { architecture: "amd64", os: "linux" },
 * }]);
 * const parsed = JSON.parse(new TextDecoder().decode(body));
 * assert(parsed.mediaType === "application/vnd.docker.distribution.manifest.list.v2+json");
 * ```
 */
export function indexBody(
  format: SeedFormat,
  entries: IndexEntry[],
): Uint8Array<ArrayBuffer> {
  const manifests = entries.map((e) => ({
    mediaType: e.mediaType,
    size: e.size,
    digest: e.digest,
    ...(e.platform ? { platform: cleanPlatform(e.platform) } : {}),
    ...(e.annotations ? { annotations: e.annotations } : {}),
  }));
  const text = JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES[format].index,
    manifests,
  });
  return new TextEncoder().encode(text);
}

function summary(
  m: BuiltManifest,
): { digest: string; mediaType: string; size: number; body: Uint8Array } {
  return {
    digest: m.digest,
    mediaType: m.mediaType,
    size: m.size,
    body: m.bytes,
  };
}

const MIX_AMD64: Platform = { architecture: "amd64", os: "linux" };
const MIX_ARM64: Platform = { architecture: "arm64", os: "linux" };
const MIX_ARMV7: Platform = { architecture: "arm", os: "linux", variant: "v7" };

/**
 * Image `i` of a realistic mix: Docker and OCI single images, Docker lists and
 * OCI indexes of 2-3 platforms, some with attestations. The same `i` and
 * `prefix` always give the same image (and digests).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { mixedImageSpec } from "./seed.ts";
 * assert(mixedImageSpec(2, "x").kind === "index");
 * ```
 */
export function mixedImageSpec(i: number, prefix: string): ImageSpec {
  const seed = `${prefix}-${i}`;
  const platforms = i % 3 === 0
    ? [MIX_AMD64, MIX_ARM64, MIX_ARMV7]
    : [MIX_AMD64, MIX_ARM64];
  switch (i % 4) {
    case 0:
      return { kind: "image", format: "docker", platform: MIX_AMD64, seed };
    case 1:
      return {
        kind: "image",
        format: "oci",
        platform: i % 8 === 1 ? MIX_ARM64 : MIX_AMD64,
        seed,
      };
    case 2:
      return { kind: "index", format: "docker", platforms, seed };
    default:
      return {
        kind: "index",
        format: "oci",
        platforms,
        attestations: i % 8 === 7,
        seed,
      };
  }
}

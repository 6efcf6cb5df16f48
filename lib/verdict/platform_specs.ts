/**
 * srcSpec / dstSpec: the digest and platform of each entry that a comparison
 * looked at, built in one place for the verdict rules and the log.
 *
 * @module
 */

import type { ResolvedImage } from "./source.ts";
import type { Descriptor } from "../types/manifest.ts";
import {
  isSelected,
  type Platform,
  type PlatformSelection,
} from "../types/platform.ts";

/** One entry of srcSpec / dstSpec: a digest and the platform it is for. */
export interface PlatformSpec {
  /** Digest of the platform's manifest. */
  digest: string;
  /** The platform, when known. */
  platform?: Platform;
}

/** The entries a comparison looked at, on each side. */
export interface PlatformSpecs {
  /** The selected source entries (an empty list when none is selected). */
  srcSpec: PlatformSpec[];
  /**
   * The destination entries for the selected platforms (an index), or the
   * destination image itself with its platform when known; absent when the
   * destination was not read.
   */
  dstSpec?: PlatformSpec[];
}

/**
 * The source platforms that the selection covers, as digest + platform pairs.
 * An index entry without a platform, or with unknown/unknown, is never selected.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectedSourcePlatforms } from "./platform_specs.ts";
 * const manifest = {
 *   kind: "image" as const,
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   config: { mediaType: "x", digest: "sha256:" + "c".repeat(64), size: 2 },
 *   layers: [],
 * };
 * const specs = selectedSourcePlatforms(
 *   { digest: "sha256:" + "a".repeat(64), manifest, platform: { architecture: "s390x", os: "linux" } },
 *   { architectures: ["amd64"], oses: ["linux"] },
 * );
 * assert.deepEqual(specs, []);
 * ```
 */
export function selectedSourcePlatforms(
  source: ResolvedImage,
  selection: PlatformSelection,
): PlatformSpec[] {
  if (source.manifest.kind === "index") {
    return source.manifest.manifests
      .filter((entry) => isSelected(entry.platform, selection))
      .map(specOf);
  }
  const platform = source.manifest.kind === "schema1"
    ? source.manifest.platform
    : source.platform;
  return platform !== undefined && isSelected(platform, selection)
    ? [{ digest: source.digest, platform }]
    : [];
}

/**
 * srcSpec and dstSpec of a comparison: the selected source entries, and the
 * destination entries for the selected platforms. A single destination image
 * is its own entry, with its platform (read from its config, or the platform
 * of the source entry with the same digest) when known.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { platformSpecs } from "./platform_specs.ts";
 * const amd64 = { architecture: "amd64", os: "linux" };
 * const a = "sha256:" + "a".repeat(64);
 * const source = {
 *   digest: "sha256:" + "1".repeat(64),
 *   manifest: {
 *     kind: "index" as const,
 *     mediaType: "application/vnd.oci.image.index.v1+json",
 *     manifests: [{ mediaType: "x", digest: a, size: 1, platform: amd64 }],
 *   },
 * };
 * const destination = {
 *   digest: a,
 *   manifest: {
 *     kind: "image" as const,
 *     mediaType: "application/vnd.oci.image.manifest.v1+json",
 *     config: { mediaType: "x", digest: "sha256:" + "c".repeat(64), size: 2 },
 *     layers: [],
 *   },
 * };
 * assert.deepEqual(
 *   platformSpecs(source, destination, { architectures: ["amd64"], oses: ["linux"] }),
 *   { srcSpec: [{ digest: a, platform: amd64 }], dstSpec: [{ digest: a, platform: amd64 }] },
 * );
 * ```
 */
export function platformSpecs(
  source: ResolvedImage,
  destination: ResolvedImage | undefined,
  selection: PlatformSelection,
): PlatformSpecs {
  const srcSpec = selectedSourcePlatforms(source, selection);
  if (destination === undefined) return { srcSpec };
  const manifest = destination.manifest;
  if (manifest.kind === "index") {
    return {
      srcSpec,
      dstSpec: manifest.manifests
        .filter((entry) => isSelected(entry.platform, selection))
        .map(specOf),
    };
  }
  const platform = manifest.kind === "schema1"
    ? manifest.platform
    : destination.platform ??
      srcSpec.find((spec) => spec.digest === destination.digest)?.platform;
  return {
    srcSpec,
    dstSpec: [
      platform === undefined
        ? { digest: destination.digest }
        : { digest: destination.digest, platform },
    ],
  };
}

function specOf(entry: Descriptor): PlatformSpec {
  return entry.platform === undefined
    ? { digest: entry.digest }
    : { digest: entry.digest, platform: entry.platform };
}

/**
 * Recognises a destination that holds the source converted to the other
 * format (Docker list vs OCI index, Docker vs OCI manifest), where every
 * digest differs although the image is the same. Private helper of compare.ts.
 *
 * @module
 */

import { MEDIA_TYPES } from "../types/manifest.ts";

type Format = {
  family: "docker" | "oci";
  kind: "index" | "image";
  name: string;
};

/** The formats a mirror may convert between, by media type. */
const FORMATS: Record<string, Format> = {
  [MEDIA_TYPES.dockerList]: {
    family: "docker",
    kind: "index",
    name: "Docker manifest list",
  },
  [MEDIA_TYPES.ociIndex]: { family: "oci", kind: "index", name: "OCI index" },
  [MEDIA_TYPES.dockerManifest]: {
    family: "docker",
    kind: "image",
    name: "Docker manifest",
  },
  [MEDIA_TYPES.ociManifest]: {
    family: "oci",
    kind: "image",
    name: "OCI manifest",
  },
};

/**
 * The FAIL reason for a converted copy, or undefined when the two media types
 * are not the same kind (index or image) in different formats. The caller has
 * found every selected platform in place with every digest different.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { convertedCopy } from "./_converted_copy.ts";
 * assert.equal(
 *   convertedCopy(
 *     "application/vnd.docker.distribution.manifest.list.v2+json",
 *     "application/vnd.oci.image.index.v1+json",
 *   ),
 *   "destination is a converted copy (OCI index instead of Docker manifest list): every digest differs",
 * );
 * assert.equal(
 *   convertedCopy(
 *     "application/vnd.oci.image.index.v1+json",
 *     "application/vnd.oci.image.index.v1+json",
 *   ),
 *   undefined,
 * );
 * ```
 */
export function convertedCopy(
  sourceType: string,
  destinationType: string,
): string | undefined {
  const src = FORMATS[sourceType];
  const dst = FORMATS[destinationType];
  if (!src || !dst || src.family === dst.family || src.kind !== dst.kind) {
    return undefined;
  }
  const what = dst.kind === "index"
    ? "every digest differs"
    : "the digest differs";
  return `destination is a converted copy (${dst.name} instead of ${src.name}): ${what}`;
}

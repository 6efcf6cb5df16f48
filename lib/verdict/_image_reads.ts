/**
 * The reads of the verdict rules on one side: the manifest a HEAD announced
 * and the platform in an image's config; a body that does not parse becomes
 * a RegistryError of kind "invalid-manifest".
 *
 * @module
 */

import type { ResolvedImage } from "./compare.ts";
import type { ManifestSource } from "./source.ts";
import { errorMessage, RegistryError } from "../errors.ts";
import {
  MAX_MANIFEST_BYTES,
  parseImageConfig,
  parseManifest,
} from "../types/manifest.ts";
import { type ImageReference, manifestTarget } from "../types/reference.ts";

/**
 * Reads the manifest a HEAD announced (its body when the HEAD brought one),
 * and for a single image with `withPlatform` its platform.
 */
export async function readImage(
  client: ManifestSource,
  ref: ImageReference,
  head: { digest: string; mediaType: string; body?: Uint8Array },
  withPlatform: boolean,
  signal: AbortSignal | undefined,
): Promise<ResolvedImage> {
  const fetched = head.body === undefined
    ? await fetchAnnounced(client, ref, head.digest, signal)
    : { digest: head.digest, mediaType: head.mediaType, body: head.body };
  let manifest;
  try {
    manifest = parseManifest(fetched.body, fetched.mediaType);
  } catch (error) {
    throw new RegistryError(
      "invalid-manifest",
      `manifest is invalid: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  const image: ResolvedImage = { digest: fetched.digest, manifest };
  if (withPlatform && manifest.kind === "image") {
    image.platform = await readPlatform(client, ref, image, signal);
  }
  return image;
}

/**
 * GETs the manifest by the digest its HEAD announced. A registry that
 * announced a digest it cannot serve is caught here: the body served for the
 * tag is hashed and the disagreement reported, never a "missing" image.
 */
async function fetchAnnounced(
  client: ManifestSource,
  ref: ImageReference,
  announced: string,
  signal: AbortSignal | undefined,
) {
  try {
    return await client.getManifest(ref.repository, announced, signal);
  } catch (error) {
    if (!(error instanceof RegistryError) || error.kind !== "missing") {
      throw error;
    }
    const target = manifestTarget(ref);
    const served = await client.getManifest(ref.repository, target, signal);
    if (served.digest === announced) return served;
    throw new RegistryError(
      "digest-mismatch",
      `registry announced ${announced} for "${target}" but serves ${served.digest}`,
      { cause: error },
    );
  }
}

/** Reads the platform of a single image from its config blob. */
export async function readPlatform(
  client: ManifestSource,
  ref: ImageReference,
  image: ResolvedImage,
  signal: AbortSignal | undefined,
) {
  if (image.manifest.kind !== "image") return undefined;
  const body = await client.getBlob(
    ref.repository,
    image.manifest.config.digest,
    {
      maxBytes: MAX_MANIFEST_BYTES,
      signal,
    },
  );
  try {
    return parseImageConfig(body);
  } catch (error) {
    throw new RegistryError(
      "invalid-manifest",
      `image config is invalid: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
}

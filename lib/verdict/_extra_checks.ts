/**
 * The checks after the verdict rules passed an image: `--provenance`,
 * `--deep` and `--referrers`, in that order; the first that fails is the
 * image's verdict. Private helper of validate_image.ts.
 *
 * @module
 */

import type { ImageEntry } from "../list/image_list.ts";
import {
  formatPlatform,
  type Platform,
  type PlatformSelection,
  samePlatform,
} from "../types/platform.ts";
import { readImage } from "./_image_reads.ts";
import { checkDeep } from "./deep_check.ts";
import type { ImageOutcome, ValidateImageOptions } from "./outcome.ts";
import { selectedSourcePlatforms } from "./platform_specs.ts";
import { provenanceFailure } from "./provenance.ts";
import { checkReferrers, SideError, type Subject } from "./referrers_check.ts";
import type { ManifestSource, ResolvedImage, Side } from "./source.ts";

/** Whether any extra check was asked for. */
export function wantsExtraChecks(options: ValidateImageOptions): boolean {
  const extra = options.extra;
  return !!(extra?.deep || extra?.referrers || extra?.provenance);
}

/** What the rules knew when the image passed. */
export interface PassedImage {
  /** The image's entry. */
  entry: Pick<ImageEntry, "source" | "destination">;
  /** The source client. */
  src: ManifestSource;
  /** The destination client. */
  dst: ManifestSource;
  /** The destination's HEAD answer. */
  dstHead: { digest: string; mediaType: string; body?: Uint8Array };
  /** The source manifest, when the rules read it. */
  source?: ResolvedImage;
  /** The destination manifest, when the rules read it. */
  destination?: ResolvedImage;
  /** The outcome the rules gave. */
  outcome: ImageOutcome;
}

/**
 * Runs the extra checks on an image that passed the verdict rules; an
 * error names its side as a failure of the rules would.
 */
export async function extraChecks(
  image: PassedImage,
  options: ValidateImageOptions,
  sideFailure: (side: Side, error: unknown) => ImageOutcome["verdict"],
): Promise<ImageOutcome> {
  const { entry, src, dst, outcome } = image;
  const { extra = {}, selection, signal } = options;
  const checks: Record<string, number> = {};
  const debug: string[] = [];
  const done = (verdict = outcome.verdict): ImageOutcome => ({
    ...outcome,
    verdict,
    ...(Object.keys(checks).length ? { checks } : {}),
    ...(debug.length ? { debug } : {}),
  });
  if (extra.provenance && image.source && image.destination) {
    const srcSpec = selectedSourcePlatforms(image.source, selection);
    const failure = provenanceFailure(
      image.source,
      image.destination,
      srcSpec,
    );
    if (failure) return done(failure);
  }
  if (!extra.deep && !extra.referrers) return done();
  let top: ResolvedImage;
  try {
    top = image.destination ??
      await readImage(dst, entry.destination, image.dstHead, false, signal);
  } catch (error) {
    return done(sideFailure("destination", error));
  }
  if (extra.deep) {
    try {
      const deep = await checkDeep(dst, entry.destination, top, {
        registry: entry.destination.registry,
        selection,
        blobs: extra.deep,
        signal,
      });
      Object.assign(checks, deep.checks);
      if (deep.verdict) return done(deep.verdict);
    } catch (error) {
      return done(sideFailure("destination", error));
    }
  }
  if (extra.referrers) {
    const subjects = referrerSubjects(image.source ?? top, top, selection);
    try {
      const found = await checkReferrers(
        { source: src, destination: dst },
        subjects,
        {
          registries: {
            source: entry.source.registry,
            destination: entry.destination.registry,
          },
          repositories: {
            source: entry.source.repository,
            destination: entry.destination.repository,
          },
          tags: extra.referrers,
          signal,
        },
      );
      Object.assign(checks, found.checks);
      debug.push(...found.debug);
      if (found.verdict) return done(found.verdict);
    } catch (error) {
      if (error instanceof SideError) {
        return done(sideFailure(error.side, error.cause));
      }
      return done(sideFailure("destination", error));
    }
  }
  return done();
}

/**
 * The digests whose referrers are compared, paired across the sides: the
 * source's top digest with the destination's, and each selected source
 * platform with the destination's entry for it (as the verdict rules paired
 * them). Where a mirror changed a digest (legacy hangar's index of the
 * selected platforms), the source's artifacts are still looked up by the
 * source's digest, as a snapshot recorded them.
 */
function referrerSubjects(
  source: ResolvedImage,
  top: ResolvedImage,
  selection: PlatformSelection,
): Subject[] {
  const entries = top.manifest.kind === "index" ? top.manifest.manifests : [];
  const held = (digest: string, platform?: Platform) =>
    top.manifest.kind !== "index"
      ? top.digest
      : (entries.find((e) => e.digest === digest) ??
        entries.find((e) =>
          platform && e.platform && samePlatform(platform, e.platform)
        ))?.digest ?? digest;
  if (source.manifest.kind !== "index") {
    return [{
      source: source.digest,
      digest: held(source.digest, source.platform),
      label: "image",
    }];
  }
  return [
    { source: source.digest, digest: top.digest, label: "image" },
    ...selectedSourcePlatforms(source, selection).map((spec) => ({
      source: spec.digest,
      digest: held(spec.digest, spec.platform),
      label: formatPlatform(spec.platform!),
    })),
  ];
}

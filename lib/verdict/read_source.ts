/**
 * The source side of the verdict rules on its own: what `hangar mirror
 * snapshot` reads for each line, so that a validation from the snapshot can
 * answer every rule without the source.
 *
 * @module
 */

import type { ImageEntry } from "../list/image_list.ts";
import { manifestTarget } from "../types/reference.ts";
import { selectedSourcePlatforms } from "./platform_specs.ts";
import { readImage } from "./_image_reads.ts";
import { findArtifacts } from "./referrers_check.ts";
import {
  type ImageOutcome,
  sideFailure,
  type ValidateImageOptions,
} from "./validate_image.ts";

/**
 * Reads everything the verdict rules may need from the source of `entry`:
 * its digest, its manifest and, for a single image, its config; with
 * `extra.deep` every selected platform manifest, with `extra.referrers` the
 * artifacts that refer to the image and its selected platforms. Passes with
 * the reason `recorded <digest>`, or fails as a validation would for the
 * source side. The destination is not contacted.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSourceImage } from "./read_source.ts";
 * import { RegistryError } from "../errors.ts";
 * const ref = { registry: "r.io", repository: "a/b", tag: "1" };
 * const outcome = await readSourceImage({ source: ref, destination: ref }, {
 *   clients: () => ({
 *     resolveManifest: () => Promise.reject(new RegistryError("missing", "gone")),
 *     getManifest: () => Promise.reject(new Error("unused")),
 *     getBlob: () => Promise.reject(new Error("unused")),
 *   }),
 *   selection: { architectures: ["amd64"], oses: ["linux"] },
 * });
 * assert.deepEqual(outcome.verdict, {
 *   status: "failed", kind: "missing", reason: "source manifest does not exist",
 * });
 * ```
 */
export async function readSourceImage(
  entry: Pick<ImageEntry, "source" | "destination">,
  options: ValidateImageOptions,
): Promise<ImageOutcome> {
  const { signal, selection } = options;
  const src = options.clients(entry.source.registry, "source");
  try {
    const head = await src.resolveManifest(
      entry.source.repository,
      manifestTarget(entry.source),
      signal,
    );
    const image = await readImage(src, entry.source, head, true, signal);
    const srcSpec = selectedSourcePlatforms(image, selection);
    const checks: Record<string, number> = {};
    const platforms = image.manifest.kind === "index" ? srcSpec : [];
    if (options.extra?.deep) {
      // Every selected platform manifest, so that its blobs are known.
      await Promise.all(
        platforms.map((spec) =>
          src.getManifest(entry.source.repository, spec.digest, signal)
        ),
      );
      checks.manifestsRead = platforms.length;
    }
    if (options.extra?.referrers) {
      const subjects = [image.digest, ...platforms.map((s) => s.digest)];
      const tags = options.extra.referrers;
      const found = await Promise.all(
        subjects.map((subject) =>
          findArtifacts(src, entry.source.repository, subject, {
            registry: entry.source.registry,
            tags,
            signal,
          })
        ),
      );
      checks.referrersSource = found.reduce((n, list) => n + list.length, 0);
    }
    return {
      ...(Object.keys(checks).length ? { checks } : {}),
      verdict: {
        status: "passed",
        reason: `recorded ${image.digest}`,
        warnings: [],
      },
      srcSpec,
    };
  } catch (error) {
    return { verdict: sideFailure("source", error) };
  }
}

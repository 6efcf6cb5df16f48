/**
 * The verdict layer's entry point: the platform matching and verdict rules
 * (pure, no I/O), the interface the engine needs from a source of manifests,
 * and the engine that applies the rules to one image or a whole list.
 *
 * @example Compare two resolved images
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareImages } from "./compare.ts";
 * const manifest = {
 *   kind: "image" as const,
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   config: { mediaType: "", digest: "sha256:" + "c".repeat(64), size: 1 },
 *   layers: [],
 * };
 * const image = (digest: string) => ({
 *   digest,
 *   manifest,
 *   platform: { architecture: "amd64", os: "linux" },
 * });
 * const verdict = compareImages(
 *   image("sha256:" + "a".repeat(64)),
 *   image("sha256:" + "b".repeat(64)),
 *   { architectures: ["amd64"], oses: ["linux"] },
 * );
 * assert.equal(verdict.status, "failed");
 * ```
 *
 * @module
 */

export {
  compareImages,
  needsDestinationConfig,
  SCHEMA1_WARNING,
  SKIP_REASON,
  type Verdict,
} from "./verdict/compare.ts";
export {
  type PlatformSpec,
  type PlatformSpecs,
  platformSpecs,
  selectedSourcePlatforms,
} from "./verdict/platform_specs.ts";
export type {
  ClientFactory,
  ManifestSource,
  ResolvedImage,
  Side,
} from "./verdict/source.ts";
export {
  DEFAULT_ARCHITECTURES,
  DEFAULT_OSES,
  type ImageOutcome,
  internalFailure,
  sideFailure,
  validateImage,
  type ValidateImageOptions,
} from "./verdict/validate_image.ts";
export type { ExtraChecks, ImageCheck } from "./verdict/outcome.ts";
export { BlobChecks } from "./verdict/deep_check.ts";
export { TagLists } from "./verdict/referrers_check.ts";
export {
  clampJobs,
  type LineResult,
  MAX_JOBS,
  validateList,
  type ValidateListOptions,
} from "./verdict/validate.ts";

/**
 * What the engine gives for one image and takes to validate it: the
 * outcome (verdict, the platforms compared, the checks done) and the
 * options, with the run-wide state of the extra checks.
 *
 * @module
 */

import type { ImageEntry } from "../list/image_list.ts";
import type { PlatformSelection } from "../types/platform.ts";
import type { Verdict } from "./compare.ts";
import type { BlobChecks } from "./deep_check.ts";
import type { PlatformSpec } from "./platform_specs.ts";
import type { TagLists } from "./referrers_check.ts";
import type { ClientFactory } from "./source.ts";

/**
 * The checks beyond the verdict rules, each with the state its run shares:
 * `--deep` (blobs), `--referrers` (tag lists), `--provenance`.
 */
export interface ExtraChecks {
  /** `--deep`: the run's blob checks. */
  deep?: BlobChecks;
  /** `--referrers`: the run's tag lists. */
  referrers?: TagLists;
  /** `--provenance`: attestation manifests of the selected platforms. */
  provenance?: boolean;
}

/** Options of `validateImage`. */
export interface ValidateImageOptions {
  /** The client for a registry and side. */
  clients: ClientFactory;
  /** The platforms that count. */
  selection: PlatformSelection;
  /** Aborts the work of this image. */
  signal?: AbortSignal;
  /** Checks beyond the verdict rules, for images that pass them. */
  extra?: ExtraChecks;
}

/** The verdict of one image, with the platforms compared. */
export interface ImageOutcome {
  /** The verdict. */
  verdict: Verdict;
  /**
   * srcSpec: the selected source entries, when the source was read and one is
   * selected (see `platformSpecs`).
   */
  srcSpec?: PlatformSpec[];
  /**
   * dstSpec: the destination entries for the selected platforms, or the single
   * destination image with its platform, when the destination was read.
   */
  dstSpec?: PlatformSpec[];
  /** What the extra checks did, by name (`blobsChecked`, `referrersSource`, ...). */
  checks?: Record<string, number>;
  /** What the extra checks found, for `--debug`. */
  debug?: string[];
}

/** The work done for one image of a list: `validateImage` or another check. */
export type ImageCheck = (
  entry: Pick<ImageEntry, "source" | "destination">,
  options: ValidateImageOptions,
) => Promise<ImageOutcome>;

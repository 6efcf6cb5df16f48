/**
 * The verdict rules of mirror-validate as pure functions over manifests that
 * were already fetched: whether the destination holds each selected source
 * platform with the same digest.
 *
 * @module
 */

import type { FailureHint, FailureKind } from "../errors.ts";
import type { Manifest } from "../types/manifest.ts";
import {
  formatPlatform,
  normalizePlatform,
  type Platform,
  type PlatformSelection,
  samePlatform,
} from "../types/platform.ts";
import {
  type PlatformSpec,
  selectedSourcePlatforms,
} from "./platform_specs.ts";
import { convertedCopy } from "./_converted_copy.ts";
import type { ResolvedImage, Side } from "./source.ts";

export type { ResolvedImage };

/** The outcome of validating one image. */
export type Verdict =
  | {
    status: "passed";
    /** How it passed, e.g. "identical". */
    reason: string;
    /** Things the operator should know although the image passed. */
    warnings: string[];
  }
  | {
    status: "skipped";
    /** Why it was not compared. */
    reason: string;
  }
  | {
    status: "failed";
    /** Why it failed, for programs. */
    kind: FailureKind;
    /** Why it failed, for people. */
    reason: string;
    /** The stack of a programming error (kind `internal`), for `--debug`. */
    stack?: string;
    /** Advice the report renders for the side that failed. */
    hint?: { kind: FailureHint; side: Side };
  };

/** The reason of a skip when no source platform is selected. */
export const SKIP_REASON =
  "no image available for the specified arch & OS list";

/** The warning given when a schema1 source could not be compared by digest. */
export const SCHEMA1_WARNING =
  "source is a schema1 manifest: its digest cannot survive conversion and was not compared";

/**
 * Decides whether the destination is a faithful mirror of the source (verdict
 * rules 2 and 5-7). The caller has already handled missing images and skips.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareImages } from "./compare.ts";
 * const digest = "sha256:" + "a".repeat(64);
 * const manifest = {
 *   kind: "index" as const,
 *   mediaType: "application/vnd.oci.image.index.v1+json",
 *   manifests: [],
 * };
 * const verdict = compareImages(
 *   { digest, manifest },
 *   { digest, manifest },
 *   { architectures: ["amd64"], oses: ["linux"] },
 * );
 * assert(verdict.status === "passed");
 * ```
 */
export function compareImages(
  source: ResolvedImage,
  destination: ResolvedImage,
  selection: PlatformSelection,
): Verdict {
  if (source.digest === destination.digest) {
    return { status: "passed", reason: "identical", warnings: [] };
  }
  const selected = selectedSourcePlatforms(source, selection);
  if (selected.length === 0) return { status: "skipped", reason: SKIP_REASON };
  if (source.manifest.kind === "schema1") {
    return compareSchema1(selected[0]!, destination);
  }
  if (destination.manifest.kind !== "index") {
    return compareWithSingle(selected, source, destination);
  }
  return compareWithIndex(
    selected,
    source.manifest.mediaType,
    destination.manifest,
  );
}

function compareWithIndex(
  selected: PlatformSpec[],
  sourceType: string,
  index: Extract<Manifest, { kind: "index" }>,
): Verdict {
  const entries = index.manifests;
  const problems: string[] = [];
  let differing = 0;
  for (const spec of selected) {
    const platform = spec.platform!;
    const match = entries.find((entry) =>
      entry.platform !== undefined && samePlatform(platform, entry.platform)
    );
    if (match === undefined) {
      problems.push(`${label(platform)} missing in destination`);
    } else if (match.digest !== spec.digest) {
      differing++;
      problems.push(
        `${
          label(platform)
        } source ${spec.digest} != destination ${match.digest}`,
      );
    }
  }
  if (problems.length === 0) {
    return {
      status: "passed",
      reason: "all selected platforms match",
      warnings: [],
    };
  }
  const converted = differing === selected.length
    ? convertedCopy(sourceType, index.mediaType)
    : undefined;
  return {
    status: "failed",
    kind: "mismatch",
    reason: converted ?? `platform mismatch: ${problems.join("; ")}`,
  };
}

function compareWithSingle(
  selected: PlatformSpec[],
  source: ResolvedImage,
  destination: ResolvedImage,
): Verdict {
  if (source.manifest.kind === "index" && selected.length > 1) {
    return {
      status: "failed",
      kind: "mismatch",
      reason:
        `destination is a single image but ${selected.length} platforms are selected: ${
          selected.map((s) => label(s.platform!)).join(", ")
        }`,
    };
  }
  const expected = selected[0]!;
  if (expected.digest === destination.digest) {
    return {
      status: "passed",
      reason: "single platform matches",
      warnings: [],
    };
  }
  const samePlace = source.manifest.kind === "image" &&
    destination.platform !== undefined && expected.platform !== undefined &&
    samePlatform(expected.platform, destination.platform);
  const converted = samePlace
    ? convertedCopy(source.manifest.mediaType, destination.manifest.mediaType)
    : undefined;
  return {
    status: "failed",
    kind: "mismatch",
    reason: converted ??
      `digest mismatch: source ${expected.digest} != destination ${destination.digest}`,
  };
}

function compareSchema1(
  expected: PlatformSpec,
  destination: ResolvedImage,
): Verdict {
  const platform = expected.platform!;
  const manifest = destination.manifest;
  let held: boolean;
  if (manifest.kind === "index") {
    held = manifest.manifests.some((entry) =>
      entry.platform !== undefined && samePlatform(platform, entry.platform)
    );
  } else {
    const dstPlatform = manifest.kind === "schema1"
      ? manifest.platform
      : destination.platform;
    held = dstPlatform !== undefined && samePlatform(platform, dstPlatform);
  }
  if (held) {
    return {
      status: "passed",
      reason: "platform present",
      warnings: [SCHEMA1_WARNING],
    };
  }
  return {
    status: "failed",
    kind: "mismatch",
    reason: `platform mismatch: ${label(platform)} missing in destination`,
  };
}

/**
 * Whether comparing needs the destination's platform from its config blob:
 * only for a schema1 source against a single (non-schema1) destination image.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { needsDestinationConfig } from "./compare.ts";
 * assert(
 *   needsDestinationConfig(
 *     { kind: "index", mediaType: "x", manifests: [] },
 *     { kind: "index", mediaType: "x", manifests: [] },
 *   ) === false,
 * );
 * ```
 */
export function needsDestinationConfig(
  source: Manifest,
  destination: Manifest,
): boolean {
  return source.kind === "schema1" && destination.kind === "image";
}

function label(platform: Platform): string {
  return formatPlatform(normalizePlatform(platform));
}

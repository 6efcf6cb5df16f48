/**
 * The steps of the verdict rules for one image: which request to send when,
 * and what each answer means.
 *
 * @module
 */

export type { ClientFactory, ManifestSource, Side };
export type {
  ExtraChecks,
  ImageCheck,
  ImageOutcome,
  ValidateImageOptions,
} from "./outcome.ts";

import {
  compareImages,
  needsDestinationConfig,
  type ResolvedImage,
  SKIP_REASON,
  type Verdict,
} from "./compare.ts";
import { platformSpecs, selectedSourcePlatforms } from "./platform_specs.ts";
import type { ClientFactory, ManifestSource, Side } from "./source.ts";
import type { ImageOutcome, ValidateImageOptions } from "./outcome.ts";
import { extraChecks, wantsExtraChecks } from "./_extra_checks.ts";
import { readImage, readPlatform } from "./_image_reads.ts";
import { errorMessage, type FailureKind, RegistryError } from "../errors.ts";
import type { ImageEntry } from "../list/image_list.ts";
import { manifestTarget } from "../types/reference.ts";

/** Default architectures checked. */
export const DEFAULT_ARCHITECTURES: readonly string[] = ["amd64", "arm64"];
/** Default operating systems checked. */
export const DEFAULT_OSES: readonly string[] = ["linux", "windows"];

/**
 * Validates one image following verdict rules 1-8: HEAD both sides at once,
 * stop at equal digests, then read only what the rules need.
 *
 * @example Usage
 * ```ts ignore
 * const outcome = await validateImage(entry, { clients, selection });
 * ```
 */
export async function validateImage(
  entry: Pick<ImageEntry, "source" | "destination">,
  options: ValidateImageOptions,
): Promise<ImageOutcome> {
  const { signal, selection } = options;
  const src = options.clients(entry.source.registry, "source");
  const dst = options.clients(entry.destination.registry, "destination");
  const [srcHead, dstHead] = await Promise.allSettled([
    src.resolveManifest(
      entry.source.repository,
      manifestTarget(entry.source),
      signal,
    ),
    dst.resolveManifest(
      entry.destination.repository,
      manifestTarget(entry.destination),
      signal,
    ),
  ]);
  if (
    srcHead.status === "fulfilled" && dstHead.status === "fulfilled" &&
    srcHead.value.digest === dstHead.value.digest
  ) {
    const outcome: ImageOutcome = {
      verdict: { status: "passed", reason: "identical", warnings: [] },
    };
    if (!wantsExtraChecks(options)) return outcome;
    return await extraChecks(
      { entry, src, dst, dstHead: dstHead.value, outcome },
      options,
      sideFailure,
    );
  }
  if (srcHead.status === "rejected") {
    return { verdict: sideFailure("source", srcHead.reason) };
  }
  // Stopped (--timeout) while the destination was answering: that request
  // is the one to name, not the source read that can no longer start.
  if (dstHead.status === "rejected" && signal?.aborted) {
    return { verdict: sideFailure("destination", dstHead.reason) };
  }

  let source: ResolvedImage;
  try {
    source = await readImage(src, entry.source, srcHead.value, true, signal);
  } catch (error) {
    return { verdict: sideFailure("source", error) };
  }
  const srcSpec = selectedSourcePlatforms(source, selection);
  if (srcSpec.length === 0) {
    return { verdict: { status: "skipped", reason: SKIP_REASON } };
  }
  if (dstHead.status === "rejected") {
    return { verdict: sideFailure("destination", dstHead.reason), srcSpec };
  }

  let destination: ResolvedImage;
  try {
    destination = await readImage(
      dst,
      entry.destination,
      dstHead.value,
      false,
      signal,
    );
    if (needsDestinationConfig(source.manifest, destination.manifest)) {
      destination.platform = await readPlatform(
        dst,
        entry.destination,
        destination,
        signal,
      );
    }
  } catch (error) {
    return { verdict: sideFailure("destination", error), srcSpec };
  }
  if (
    source.manifest.kind !== "schema1" &&
    destination.manifest.kind === "image" &&
    !srcSpec.some((spec) => spec.digest === destination.digest)
  ) {
    // A single destination image that cannot pass: its platform (best
    // effort) says what the mirror holds instead, in dstSpec and for a
    // converted copy. A schema1 source needed it above (rule 7).
    destination.platform = await readPlatform(
      dst,
      entry.destination,
      destination,
      signal,
    ).catch(() => undefined);
  }
  const verdict = compareImages(source, destination, selection);
  const outcome = {
    verdict,
    ...platformSpecs(source, destination, selection),
  };
  if (verdict.status !== "passed" || !wantsExtraChecks(options)) {
    return outcome;
  }
  return await extraChecks(
    { entry, src, dst, dstHead: dstHead.value, source, destination, outcome },
    options,
    sideFailure,
  );
}

/**
 * Turns an error on one side into a FAIL verdict that names the real cause;
 * only a 404 is reported as "does not exist". Advice to skip TLS
 * verification names the flag of that side.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { sideFailure } from "./validate_image.ts";
 * import { RegistryError } from "../errors.ts";
 * const verdict = sideFailure("source", new RegistryError("tls",
 *   'TLS connection to "reg.io" failed: x', { hint: "tls-verify" }));
 * assert.deepEqual(verdict, {
 *   status: "failed",
 *   kind: "tls",
 *   reason: 'source: TLS connection to "reg.io" failed: x',
 *   hint: { kind: "tls-verify", side: "source" },
 * });
 * ```
 */
export function sideFailure(side: Side, error: unknown): Verdict {
  const kind = kindOf(error);
  if (kind === "internal") return internalFailure(error, `${side}: `);
  if (kind === "missing") {
    return {
      status: "failed",
      kind,
      reason: `${side} manifest does not exist`,
    };
  }
  const hint = error instanceof RegistryError ? error.hint : undefined;
  return {
    status: "failed",
    kind,
    reason: `${side}: ${errorMessage(error)}`,
    ...(hint ? { hint: { kind: hint, side } } : {}),
  };
}

/**
 * The FAIL verdict for a programming error (a `TypeError` and the like thrown
 * inside the engine): kind `internal`, never blamed on a registry, with the
 * stack for `--debug`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { internalFailure } from "./validate_image.ts";
 * const verdict = internalFailure(new TypeError("x is undefined"));
 * assert.equal(verdict.status === "failed" && verdict.reason, "internal error: TypeError: x is undefined");
 * assert.equal(verdict.status === "failed" && verdict.kind, "internal");
 * ```
 */
export function internalFailure(error: unknown, prefix = ""): Verdict {
  const text = error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
  const verdict: Verdict = {
    status: "failed",
    kind: "internal",
    reason: `${prefix}internal error: ${text}`,
  };
  if (error instanceof Error && error.stack) verdict.stack = error.stack;
  return verdict;
}

function kindOf(error: unknown): FailureKind {
  if (error instanceof RegistryError) return error.kind;
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return "timeout";
  }
  if (error instanceof DOMException && error.name === "AbortError") {
    return "interrupted";
  }
  // Registry and transport failures arrive as RegistryError: anything else
  // is a programming error, never blamed on the registry.
  return "internal";
}

/**
 * LineResults built by hand for the report tests: one of every status and
 * failure kind, with list text holding the bytes that are hard to escape.
 *
 * @module
 */

import assert from "node:assert/strict";
import { FAILURE_KINDS, type FailureKind } from "../../lib/errors.ts";
import { parseListLine } from "../../lib/list/image_list.ts";
import type { RunSummary } from "../../lib/report/reporter.ts";
import { countResult, emptyTally } from "../../lib/report/summary.ts";
import type { ImageOutcome, LineResult } from "../../lib/verdict/validate.ts";

export const AMD64 = { architecture: "amd64", os: "linux" };
export const ARM64 = { architecture: "arm64", os: "linux" };
export const DIGEST_A = "sha256:" + "a".repeat(64);
export const DIGEST_B = "sha256:" + "b".repeat(64);
export const DIGEST_C = "sha256:" + "c".repeat(64);
export const SELECTION = { architectures: ["amd64", "arm64"], oses: ["linux"] };

/** An image line of the mirror format `src.io/REPO dst.io/REPO TAG`. */
export function image(
  line: number,
  outcome: ImageOutcome | undefined,
  options: { repo?: string; tag?: string; durationMs?: number } = {},
): LineResult {
  const repo = options.repo ?? `team/app${line}`;
  const entry = parseListLine(
    `src.io/${repo} dst.io:5000/${repo} ${options.tag ?? "1.0"}`,
    line,
  );
  assert.ok(entry?.kind === "image");
  const result: LineResult = {
    kind: "image",
    id: line,
    line,
    text: entry.text,
    entry,
    durationMs: options.durationMs ?? 12,
  };
  if (outcome !== undefined) result.outcome = outcome;
  return result;
}

/** A failed image of a kind. */
export function failed(
  line: number,
  kind: FailureKind,
  reason = `${kind} happened`,
): LineResult {
  return image(line, { verdict: { status: "failed", kind, reason } });
}

/** The mismatch of a two-platform index: arm64 differs, srcSpec/dstSpec set. */
export function mismatch(line: number): LineResult {
  return image(line, {
    verdict: {
      status: "failed",
      kind: "mismatch",
      reason: "platform linux/arm64: digest differs",
    },
    srcSpec: [
      { digest: DIGEST_A, platform: AMD64 },
      { digest: DIGEST_B, platform: ARM64 },
    ],
    dstSpec: [
      { digest: DIGEST_A, platform: AMD64 },
      { digest: DIGEST_C, platform: ARM64 },
    ],
  });
}

/** An invalid line. */
export function invalid(
  line: number,
  text: string,
  reason: string,
): LineResult {
  return { kind: "invalid", line, text, reason };
}

/** A line with every status, and every failure kind once. */
export function everyStatus(): LineResult[] {
  const results: LineResult[] = [
    image(1, {
      verdict: { status: "passed", reason: "identical", warnings: [] },
    }),
    image(2, {
      verdict: {
        status: "passed",
        reason: "schema1",
        warnings: ["digest not compared"],
      },
      checks: { manifests: 2, blobs: 5 },
    } as ImageOutcome),
    image(3, {
      verdict: { status: "skipped", reason: "no image available" },
    }),
    mismatch(4),
    invalid(5, `bad<&"'>\x01line`, "expected 3 fields"),
    invalid(6, "caf\\xff\\xfe", "line is not UTF-8"),
    image(7, undefined, { durationMs: 0 }),
  ];
  let line = 10;
  for (const kind of FAILURE_KINDS) {
    if (kind !== "mismatch") results.push(failed(line++, kind));
  }
  return results;
}

/** The summary of some results. */
export function summaryOf(
  results: LineResult[],
  options: { interrupted?: boolean; durationMs?: number } = {},
): RunSummary {
  const tally = emptyTally();
  for (const result of results) countResult(tally, result);
  return {
    tally,
    durationMs: options.durationMs ?? 1204,
    interrupted: options.interrupted ?? false,
    selection: SELECTION,
  };
}

/**
 * The tally of a run and the end-of-run messages made from it: the summary
 * line, the failed-file line, the one no-destination line and the
 * all-skipped warning. Pure.
 *
 * @module
 */

import type { LineResult } from "../verdict/validate.ts";

/** Counts of a run; every line with content is in exactly one of them. */
export interface Tally {
  /** Images that passed. */
  passed: number;
  /** Images skipped (no selected platform). */
  skipped: number;
  /** Images that failed. */
  failed: number;
  /** Lines that are not a valid entry. */
  invalid: number;
  /** Images not validated because the run was interrupted. */
  notRun: number;
}

/**
 * A tally with every count at zero.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyTally } from "./summary.ts";
 * assert(emptyTally().passed === 0);
 * ```
 */
export function emptyTally(): Tally {
  return { passed: 0, skipped: 0, failed: 0, invalid: 0, notRun: 0 };
}

/**
 * Adds one result to a tally.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { countResult, emptyTally } from "./summary.ts";
 * const tally = emptyTally();
 * countResult(tally, { kind: "invalid", line: 1, text: "x", reason: "y" });
 * assert(tally.invalid === 1);
 * ```
 */
export function countResult(tally: Tally, result: LineResult): void {
  if (result.kind === "invalid") tally.invalid++;
  else if (result.outcome === undefined) tally.notRun++;
  else if (result.outcome.verdict.status === "passed") tally.passed++;
  else if (result.outcome.verdict.status === "skipped") tally.skipped++;
  else tally.failed++;
}

/**
 * The lines a tally counts: the sum of its parts, the one place it is
 * computed.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyTally, tallyTotal } from "./summary.ts";
 * assert.equal(tallyTotal({ ...emptyTally(), passed: 2, invalid: 1, notRun: 3 }), 6);
 * ```
 */
export function tallyTotal(tally: Tally): number {
  return tally.passed + tally.skipped + tally.failed + tally.invalid +
    tally.notRun;
}

/**
 * A count with its noun, singular for one: "1 line", "2 lines".
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { count } from "./summary.ts";
 * assert.deepEqual([count(1, "line"), count(0, "line"), count(2, "line")], ["1 line", "0 lines", "2 lines"]);
 * ```
 */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * The summary line: the total equals the sum of the parts, always.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyTally, summaryLine } from "./summary.ts";
 * assert(
 *   summaryLine({ ...emptyTally(), passed: 2 }, 1500, false) ===
 *     "Validated 2 lines in 1.500s: 2 passed, 0 skipped, 0 failed, 0 invalid, 0 not run",
 * );
 * ```
 */
export function summaryLine(
  tally: Tally,
  elapsedMs: number,
  interrupted: boolean,
  mode: "validate" | "snapshot" = "validate",
): string {
  if (mode === "snapshot") {
    const head = interrupted ? "Interrupted: snapshot of" : "Snapshot of";
    return `${head} ${count(tallyTotal(tally), "line")} in ${
      (elapsedMs / 1000).toFixed(3)
    }s: ${tally.passed} recorded, ${tally.failed} failed, ` +
      `${tally.invalid} invalid, ${tally.notRun} not run`;
  }
  const head = interrupted ? "Interrupted: validated" : "Validated";
  return `${head} ${count(tallyTotal(tally), "line")} in ${
    (elapsedMs / 1000).toFixed(3)
  }s: ` +
    `${tally.passed} passed, ${tally.skipped} skipped, ${tally.failed} failed, ` +
    `${tally.invalid} invalid, ${tally.notRun} not run`;
}

/**
 * The line that tells where the failed file went: failed lines only, or,
 * after an interruption, failed and not-run lines counted apart.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyTally, failedFileLine } from "./summary.ts";
 * assert.equal(
 *   failedFileLine("out.txt", { ...emptyTally(), failed: 1 }),
 *   '1 failed line written to "out.txt"',
 * );
 * assert.equal(
 *   failedFileLine("out.txt", { ...emptyTally(), failed: 1, notRun: 2 }),
 *   '3 lines written to "out.txt" (1 failed, 2 not run)',
 * );
 * ```
 */
export function failedFileLine(
  file: string,
  tally: Pick<Tally, "failed" | "notRun">,
): string {
  if (tally.notRun === 0) {
    return `${count(tally.failed, "failed line")} written to "${file}"`;
  }
  return `${count(tally.failed + tally.notRun, "line")} written to "${file}" ` +
    `(${tally.failed} failed, ${tally.notRun} not run)`;
}

/**
 * The one error line for every default-format line that names no
 * destination registry (no `-d`, no `DEST_REGISTRY`), instead of one a line.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { noDestinationMessage } from "./summary.ts";
 * assert.equal(
 *   noDestinationMessage(12, "list.txt:3"),
 *   "12 lines name no destination registry (first: list.txt:3): give -d REGISTRY or set DEST_REGISTRY",
 * );
 * ```
 */
export function noDestinationMessage(lines: number, first: string): string {
  const subject = lines === 1 ? "1 line names" : `${lines} lines name`;
  return `${subject} no destination registry (first: ${first}): give -d REGISTRY or set DEST_REGISTRY`;
}

/**
 * The warning of a run in which every image was skipped, naming the
 * selection that matched none of them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { allSkippedMessage } from "./summary.ts";
 * assert.equal(
 *   allSkippedMessage(["amd64", "arm64"], ["linux"]),
 *   "Every image was skipped: none has a platform in --arch amd64,arm64 --os linux",
 * );
 * ```
 */
export function allSkippedMessage(
  architectures: readonly string[],
  oses: readonly string[],
): string {
  return `Every image was skipped: none has a platform in --arch ${
    architectures.join(",")
  } --os ${oses.join(",")}`;
}

/**
 * The line that tells what the extra checks did in a run, or undefined
 * when none ran.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksLine } from "./summary.ts";
 * assert.equal(
 *   checksLine({ manifestsRead: 2, blobsChecked: 5, blobsSeen: 3, blobsForeign: 0 }),
 *   "Deep: 2 platform manifests read, 5 blobs checked, 3 already seen, 0 foreign",
 * );
 * assert.equal(
 *   checksLine({ referrersSource: 2, referrersDestination: 1 }),
 *   "Referrers: 2 found at the source, 1 of them at the destination",
 * );
 * ```
 */
export function checksLine(
  checks: Record<string, number> | undefined,
): string | undefined {
  if (checks === undefined) return undefined;
  const parts: string[] = [];
  if (checks.blobsChecked !== undefined) {
    parts.push(
      `Deep: ${count(checks.manifestsRead ?? 0, "platform manifest")} read, ${
        count(checks.blobsChecked, "blob")
      } checked, ${checks.blobsSeen ?? 0} already seen, ${
        checks.blobsForeign ?? 0
      } foreign`,
    );
  }
  if (checks.referrersSource !== undefined) {
    parts.push(
      `Referrers: ${checks.referrersSource} found at the source, ${
        checks.referrersDestination ?? 0
      } of them at the destination`,
    );
  }
  return parts.length ? parts.join("; ") : undefined;
}

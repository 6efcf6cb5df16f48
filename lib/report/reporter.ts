/**
 * The seam between a run and its output: a run calls a {@linkcode Reporter}
 * with each result as it comes, with notices along the way, and once with a
 * {@linkcode RunSummary} at the end. Plain data, so that a new output format
 * (JSON, JUnit, progress) is one file that implements the interface.
 *
 * @module
 */

import type { LineResult } from "../verdict/validate.ts";
import type { Tally } from "./summary.ts";

/**
 * Something that happened during a run that is not a result: an interrupt
 * (`interrupted`: no new image starts; `interrupted-again`: images in flight
 * are abandoned), or a warning or debug message from the set-up or the
 * registry clients.
 */
export type RunNotice =
  | { kind: "interrupted" }
  | { kind: "interrupted-again" }
  | { kind: "warning"; message: string }
  | { kind: "debug"; message: string };

/** The architectures and operating systems a run checked. */
export interface Selection {
  /** Architectures, as given (`-a`). */
  architectures: readonly string[];
  /** Operating systems, as given (`--os`). */
  oses: readonly string[];
}

/**
 * What became of the failed file at the end of a run: written with the
 * failed and not-run lines, or, when there were none, an old one removed.
 */
export interface FailedFileOutcome {
  /** The file's path (`-o`). */
  path: string;
  /** Lines written; 0 when nothing needed a retry (the file is not touched). */
  written: number;
  /** Of the written lines, those of failed images. */
  failed: number;
  /** Of the written lines, those of images an interrupt left unchecked. */
  notRun: number;
  /** Why an old failed file was left in place or could not be removed. */
  removalWarning?: string;
  /** Why the file could not be written (the exit code is then 2). */
  writeError?: string;
}

/** The end of a run, given once to {@linkcode Reporter.onSummary}. */
export interface RunSummary {
  /** Every line with content, counted once. */
  tally: Tally;
  /** Time from the start of the run to the end of the results, in ms. */
  durationMs: number;
  /** Whether the run was interrupted. */
  interrupted: boolean;
  /** The platforms checked. */
  selection: Selection;
  /**
   * What the extra checks did in the whole run, by name (`blobsChecked`,
   * `blobsSeen`, `referrersSource`, ...); absent when none ran.
   */
  checks?: Record<string, number>;
  /**
   * Why the list could not be read to its end (the lines read before were
   * validated and reported; the exit code is then 2).
   */
  listError?: string;
  /** The shard of the list the run validated (`--shard I/N`), if any. */
  shard?: { index: number; count: number };
  /**
   * The failed file's fate; undefined when the list had no image, in which
   * case the run did not touch the file and ends with exit code 2.
   */
  failedFile?: FailedFileOutcome;
}

/**
 * Receives a run as it goes. Calls come in order: `onResult` and `onNotice`
 * interleaved while images are checked, then `onSummary` exactly once.
 *
 * @example A reporter that counts
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Reporter } from "./reporter.ts";
 * let results = 0;
 * const reporter: Reporter = {
 *   onResult: () => void results++,
 *   onSummary: (summary) => assert.equal(summary.tally.passed, results),
 * };
 * reporter.onResult({ kind: "invalid", line: 1, text: "x", reason: "y" });
 * assert.equal(results, 1);
 * ```
 */
export interface Reporter {
  /** One line's result, in the order results complete. */
  onResult(result: LineResult): void;
  /** A notice: an interrupt, a warning, a debug message. */
  onNotice?(notice: RunNotice): void;
  /** The end of the run. */
  onSummary(summary: RunSummary): void;
}

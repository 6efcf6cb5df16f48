/**
 * Turns results into hangar-style log lines. Pure: a reporter decides where
 * the lines go. The tally and the summary line are in summary.ts,
 * re-exported here so that this module stays the report layer's entry.
 *
 * @module
 */

import type { FailureHint } from "../errors.ts";
import type { PlatformSpec } from "../verdict/platform_specs.ts";
import {
  formatReference,
  type ImageReference,
  manifestTarget,
} from "../types/reference.ts";
import type { ImageOutcome, LineResult } from "../verdict/validate.ts";

export {
  escapeControls,
  formatLogLine,
  type Level,
  type LogLine,
} from "./log_format.ts";
import type { Level, LogLine } from "./log_format.ts";
export {
  count,
  countResult,
  emptyTally,
  failedFileLine,
  summaryLine,
  type Tally,
  tallyTotal,
} from "./summary.ts";

/** Options of {@linkcode resultLines}. */
export interface ResultLinesOptions {
  /** The list file name, for `FILE:LINE` of invalid lines. */
  file: string;
  /**
   * Whether srcSpec / dstSpec of every compared image are logged at DEBU.
   *
   * @default {false}
   */
  debug?: boolean;
  /**
   * `snapshot` for `hangar mirror snapshot`: a line names only its source,
   * and a passed line is a recorded one.
   *
   * @default {"validate"}
   */
  mode?: "validate" | "snapshot";
}

/**
 * Shows a reference with the tag or digest that was checked.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { displayReference } from "./report.ts";
 * assert(
 *   displayReference({ registry: "docker.io", repository: "library/nginx" }) ===
 *     "docker.io/library/nginx:latest",
 * );
 * ```
 */
export function displayReference(ref: ImageReference): string {
  if (ref.tag === undefined && ref.digest === undefined) {
    return formatReference({ ...ref, tag: manifestTarget(ref) });
  }
  return formatReference(ref);
}

/**
 * The log lines for one result.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultLines } from "./report.ts";
 * const lines = resultLines(
 *   { kind: "invalid", line: 3, text: "a b", reason: "bad" },
 *   { file: "list.txt" },
 * );
 * assert(lines[0]!.message === 'list.txt:3: invalid line "a b": bad');
 * ```
 */
export function resultLines(
  result: LineResult,
  options: ResultLinesOptions,
): LogLine[] {
  if (result.kind === "invalid") {
    return [{
      level: "ERRO",
      message:
        `${options.file}:${result.line}: invalid line "${result.text}": ${result.reason}`,
    }];
  }
  const id = `[M_ID:${result.id}]`;
  const src = displayReference(result.entry.source);
  const dst = displayReference(result.entry.destination);
  const outcome = result.outcome;
  if (options.mode === "snapshot") {
    return snapshotLines(id, src, outcome, options);
  }
  if (outcome === undefined) {
    return [{
      level: "WARN",
      message: `${id} NOT RUN [${src}] => [${dst}]: interrupted`,
    }];
  }
  const lines: LogLine[] = [];
  const verdict = outcome.verdict;
  if (options.debug) {
    for (const message of outcome.debug ?? []) {
      lines.push({ level: "DEBU", message: `${id} ${message}` });
    }
  }
  const specs = (level: Level) => {
    if (outcome.srcSpec !== undefined) {
      lines.push({
        level,
        message: `${id} srcSpec: ${specJson(outcome.srcSpec)}`,
      });
    }
    if (outcome.dstSpec !== undefined) {
      lines.push({
        level,
        message: `${id} dstSpec: ${specJson(outcome.dstSpec)}`,
      });
    }
  };
  if (verdict.status === "passed") {
    if (options.debug) specs("DEBU");
    for (const warning of verdict.warnings) {
      lines.push({ level: "WARN", message: `${id} [${src}]: ${warning}` });
    }
    lines.push({ level: "INFO", message: `${id} PASS [${src}] == [${dst}]` });
  } else if (verdict.status === "skipped") {
    if (options.debug) specs("DEBU");
    lines.push({
      level: "WARN",
      message: `${id} SKIP [${src}] => [${dst}]: ${verdict.reason}`,
    });
  } else {
    if (verdict.kind === "mismatch") specs("ERRO");
    else if (options.debug) specs("DEBU");
    if (options.debug && verdict.stack !== undefined) {
      lines.push({ level: "DEBU", message: `${id} stack: ${verdict.stack}` });
    }
    const label = verdict.kind === "rate-limited" ? " (rate limited)" : "";
    lines.push({
      level: "ERRO",
      message: `${id} FAILED [${src}] => [${dst}]${label}: ${verdict.reason}${
        verdict.hint ? hintText(verdict.hint.kind, verdict.hint.side) : ""
      }`,
    });
  }
  return lines;
}

/** The lines of one image of `hangar mirror snapshot`: its source only. */
function snapshotLines(
  id: string,
  src: string,
  outcome: ImageOutcome | undefined,
  options: ResultLinesOptions,
): LogLine[] {
  if (outcome === undefined) {
    return [{ level: "WARN", message: `${id} NOT RUN [${src}]: interrupted` }];
  }
  const verdict = outcome.verdict;
  const lines: LogLine[] = [];
  if (options.debug && outcome.srcSpec !== undefined) {
    lines.push({
      level: "DEBU",
      message: `${id} srcSpec: ${specJson(outcome.srcSpec)}`,
    });
  }
  if (verdict.status === "failed") {
    const label = verdict.kind === "rate-limited" ? " (rate limited)" : "";
    lines.push({
      level: "ERRO",
      message: `${id} FAILED [${src}]${label}: ${verdict.reason}${
        verdict.hint ? hintText(verdict.hint.kind, verdict.hint.side) : ""
      }`,
    });
  } else {
    const digest = verdict.reason.replace(/^recorded /, "");
    lines.push({ level: "INFO", message: `${id} RECORDED [${src}] ${digest}` });
  }
  return lines;
}

function specJson(specs: PlatformSpec[]): string {
  return JSON.stringify(specs, null, 2);
}

/**
 * Renders a failure's advice: for `tls-verify`, the flag that skips TLS
 * verification, for one side of the mirror or (without `side`) for the run.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { hintText } from "./report.ts";
 * assert.equal(hintText("tls-verify"), "; use --tls-verify=false to skip verification");
 * assert.equal(
 *   hintText("tls-verify", "source"),
 *   "; use --src-tls-verify=false or --tls-verify=false to skip verification",
 * );
 * ```
 */
export function hintText(
  hint: FailureHint,
  side?: "source" | "destination",
): string {
  switch (hint) {
    case "tls-verify": {
      const flag = side === undefined
        ? ""
        : `--${side === "source" ? "src" : "dest"}-tls-verify=false or `;
      return `; use ${flag}--tls-verify=false to skip verification`;
    }
  }
}

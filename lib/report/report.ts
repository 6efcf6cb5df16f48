/**
 * Turns results into hangar-style log lines and the summary. Pure: the CLI
 * decides where the lines go.
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
import type { LineResult } from "../verdict/validate.ts";

/** A log level, printed as hangar prints it. */
export type Level = "DEBU" | "INFO" | "WARN" | "ERRO";

/** One line of output and the stream it belongs to. */
export interface LogLine {
  /** The level; INFO and DEBU go to stdout, WARN and ERRO to stderr. */
  level: Level;
  /** The message, without time or level. */
  message: string;
}

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
  if (outcome === undefined) {
    return [{
      level: "WARN",
      message: `${id} NOT RUN [${src}] => [${dst}]: interrupted`,
    }];
  }
  const lines: LogLine[] = [];
  const verdict = outcome.verdict;
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

function specJson(specs: PlatformSpec[]): string {
  return JSON.stringify(specs, null, 2);
}

/**
 * A count with its noun, singular for one: "1 line", "2 lines".
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { count } from "./report.ts";
 * assert.deepEqual([count(1, "line"), count(0, "line"), count(2, "line")], ["1 line", "0 lines", "2 lines"]);
 * ```
 */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * The line that tells where the failed file went: failed lines only, or,
 * after an interruption, failed and not-run lines counted apart.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyTally, failedFileLine } from "./report.ts";
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
 * Adds one result to a tally.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { countResult, emptyTally } from "./report.ts";
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
 * A tally with every count at zero.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyTally } from "./report.ts";
 * assert(emptyTally().passed === 0);
 * ```
 */
export function emptyTally(): Tally {
  return { passed: 0, skipped: 0, failed: 0, invalid: 0, notRun: 0 };
}

/**
 * The summary line: the total equals the sum of the parts, always.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyTally, summaryLine } from "./report.ts";
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
): string {
  const total = tally.passed + tally.skipped + tally.failed + tally.invalid +
    tally.notRun;
  const head = interrupted ? "Interrupted: validated" : "Validated";
  return `${head} ${count(total, "line")} in ${
    (elapsedMs / 1000).toFixed(3)
  }s: ` +
    `${tally.passed} passed, ${tally.skipped} skipped, ${tally.failed} failed, ` +
    `${tally.invalid} invalid, ${tally.notRun} not run`;
}

/**
 * Formats a log line as `HH:MM:SS [LEVEL] message`, coloured when asked.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatLogLine } from "./report.ts";
 * const at = new Date(2024, 0, 1, 9, 5, 7);
 * assert(formatLogLine({ level: "INFO", message: "hi" }, at, false) === "09:05:07 [INFO] hi");
 * ```
 */
export function formatLogLine(line: LogLine, at: Date, color: boolean): string {
  const time = [at.getHours(), at.getMinutes(), at.getSeconds()]
    .map((n) => String(n).padStart(2, "0")).join(":");
  const tag = color
    ? `\x1b[${COLORS[line.level]}m${line.level}\x1b[0m`
    : line.level;
  return `${time} [${tag}] ${line.message}`;
}

const COLORS: Record<Level, number> = {
  DEBU: 90,
  INFO: 36,
  WARN: 33,
  ERRO: 31,
};

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

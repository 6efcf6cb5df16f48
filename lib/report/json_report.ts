/**
 * The JSON report: JSON Lines, one object per list line as its result
 * arrives, then one summary object. Every object carries
 * `schema: "hangar.mirror-validate/v1"`; the README documents the fields.
 *
 * @module
 */

import type { FailureKind } from "../errors.ts";
import type { PlatformSpec } from "../verdict/platform_specs.ts";
import type { LineResult } from "../verdict/validate.ts";
import { displayReference } from "./report.ts";
import type { ReportOutput } from "./report_file.ts";
import type { Reporter, RunSummary, Selection } from "./reporter.ts";
import { tallyTotal } from "./summary.ts";

/** The schema name every object of the JSON report carries. */
export const REPORT_SCHEMA = "hangar.mirror-validate/v1";

/** What became of a list line, as the reports name it. */
export type LineStatus =
  | "passed"
  | "skipped"
  | "failed"
  | "invalid"
  | "not-run";

/** One list line in the JSON report. */
export interface JsonLine {
  /** Always {@linkcode REPORT_SCHEMA}. */
  schema: typeof REPORT_SCHEMA;
  /** Discriminant. */
  type: "line";
  /** 1-based line number in the list. */
  line: number;
  /** The line as written (trimmed). */
  text: string;
  /** M_ID of the log, for valid lines. */
  id?: number;
  /** Source reference as the log shows it; absent for invalid lines. */
  source?: string;
  /** Destination reference as the log shows it; absent for invalid lines. */
  destination?: string;
  /** The line's fate. */
  status: LineStatus;
  /** Failure kind, for failed lines. */
  kind?: FailureKind;
  /** Why: the verdict's reason, the invalid line's reason, or `interrupted`. */
  reason?: string;
  /** Selected source entries (digest + platform), when read. */
  srcSpec?: PlatformSpec[];
  /** Destination entries for the selected platforms, when read. */
  dstSpec?: PlatformSpec[];
  /** Warnings of a passed image. */
  warnings?: string[];
  /** Checks done, by name, with how many of each. */
  checks?: Record<string, number>;
  /** Time the image took, in ms (0 for invalid and repeated lines). */
  durationMs: number;
}

/** The last object of the JSON report. */
export interface JsonSummary {
  /** Always {@linkcode REPORT_SCHEMA}. */
  schema: typeof REPORT_SCHEMA;
  /** Discriminant. */
  type: "summary";
  /** Lines with content; the sum of the five counts. */
  total: number;
  /** Images that passed. */
  passed: number;
  /** Images skipped. */
  skipped: number;
  /** Images that failed. */
  failed: number;
  /** Invalid lines. */
  invalid: number;
  /** Images an interruption left unchecked. */
  notRun: number;
  /** Run time in ms. */
  durationMs: number;
  /** Whether the run was interrupted. */
  interrupted: boolean;
  /** The platforms checked. */
  selection: Selection;
}

/**
 * A result as a JSON report object (without the trailing newline).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonLine } from "./json_report.ts";
 * assert.deepEqual(jsonLine({ kind: "invalid", line: 4, text: "a b", reason: "bad" }), {
 *   schema: "hangar.mirror-validate/v1", type: "line", line: 4, text: "a b",
 *   status: "invalid", reason: "bad", durationMs: 0,
 * });
 * ```
 */
export function jsonLine(result: LineResult): JsonLine {
  const head = {
    schema: REPORT_SCHEMA,
    type: "line",
    line: result.line,
    text: result.text,
  } as const;
  if (result.kind === "invalid") {
    return { ...head, status: "invalid", reason: result.reason, durationMs: 0 };
  }
  const line: JsonLine = {
    ...head,
    id: result.id,
    source: displayReference(result.entry.source),
    destination: displayReference(result.entry.destination),
    status: "not-run",
    durationMs: Math.round(result.durationMs),
  };
  const outcome = result.outcome;
  if (outcome === undefined) {
    line.reason = "interrupted";
    return reorder(line);
  }
  const verdict = outcome.verdict;
  line.status = verdict.status;
  if (verdict.status === "failed") line.kind = verdict.kind;
  line.reason = verdict.reason;
  if (outcome.srcSpec !== undefined) line.srcSpec = outcome.srcSpec;
  if (outcome.dstSpec !== undefined) line.dstSpec = outcome.dstSpec;
  if (verdict.status === "passed" && verdict.warnings.length > 0) {
    line.warnings = verdict.warnings;
  }
  const checks = checksOf(outcome);
  if (checks !== undefined) line.checks = checks;
  return reorder(line);
}

/** The engine may add `checks` to an outcome: read it defensively. */
function checksOf(outcome: object): Record<string, number> | undefined {
  const checks = (outcome as { checks?: unknown }).checks;
  if (typeof checks !== "object" || checks === null) return undefined;
  const copy: Record<string, number> = {};
  for (const [name, value] of Object.entries(checks)) {
    if (typeof value === "number") copy[name] = value;
  }
  return copy;
}

/** Puts `durationMs` last, as the README shows the object. */
function reorder(line: JsonLine): JsonLine {
  const { durationMs, ...rest } = line;
  return { ...rest, durationMs };
}

/**
 * The summary object of the JSON report.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonSummary } from "./json_report.ts";
 * import { emptyTally } from "./summary.ts";
 * const summary = jsonSummary({
 *   tally: { ...emptyTally(), passed: 2, failed: 1 },
 *   durationMs: 1204,
 *   interrupted: false,
 *   selection: { architectures: ["amd64"], oses: ["linux"] },
 * });
 * assert.equal(summary.total, 3);
 * assert.equal(summary.type, "summary");
 * ```
 */
export function jsonSummary(summary: RunSummary): JsonSummary {
  const { tally } = summary;
  return {
    schema: REPORT_SCHEMA,
    type: "summary",
    total: tallyTotal(tally),
    passed: tally.passed,
    skipped: tally.skipped,
    failed: tally.failed,
    invalid: tally.invalid,
    notRun: tally.notRun,
    durationMs: Math.round(summary.durationMs),
    interrupted: summary.interrupted,
    selection: {
      architectures: [...summary.selection.architectures],
      oses: [...summary.selection.oses],
    },
  };
}

/**
 * Writes the JSON report as the run goes: a line per result, as it arrives,
 * then the summary, then closes the output.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsonReport } from "./json_report.ts";
 * import { emptyTally } from "./summary.ts";
 * const out: string[] = [];
 * const report = new JsonReport({ write: (text) => out.push(text) });
 * report.onResult({ kind: "invalid", line: 1, text: "x", reason: "y" });
 * report.onSummary({
 *   tally: { ...emptyTally(), invalid: 1 },
 *   durationMs: 3,
 *   interrupted: false,
 *   selection: { architectures: ["amd64"], oses: ["linux"] },
 * });
 * assert.equal(out.length, 2);
 * assert.equal(JSON.parse(out[1]!).type, "summary");
 * ```
 */
export class JsonReport implements Reporter {
  #output: ReportOutput;

  /** Makes a report that writes each object, newline included, to `output`. */
  constructor(output: ReportOutput) {
    this.#output = output;
  }

  /** Writes the result's object. */
  onResult(result: LineResult): void {
    this.#output.write(JSON.stringify(jsonLine(result)) + "\n");
  }

  /** Writes the summary object and closes the output. */
  onSummary(summary: RunSummary): void {
    this.#output.write(JSON.stringify(jsonSummary(summary)) + "\n");
    this.#output.close?.();
  }
}

/**
 * Several reporters as one: the log, the progress line and each report all
 * receive the same result stream, in the order given.
 *
 * @module
 */

import type { LineResult } from "../verdict/validate.ts";
import type { Reporter, RunNotice, RunSummary } from "./reporter.ts";

/**
 * One reporter that calls each of `reporters` in order. Every reporter gets
 * the summary even when an earlier one throws (a report file that cannot be
 * written); the first error is thrown after all of them ran.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { fanOut } from "./fan_out.ts";
 * const calls: string[] = [];
 * const reporter = fanOut(
 *   { onResult: () => calls.push("a"), onSummary: () => calls.push("a end") },
 *   { onResult: () => calls.push("b"), onSummary: () => calls.push("b end") },
 * );
 * reporter.onResult({ kind: "invalid", line: 1, text: "x", reason: "y" });
 * assert.deepEqual(calls, ["a", "b"]);
 * ```
 */
export function fanOut(...reporters: Reporter[]): Reporter {
  const each = (call: (reporter: Reporter) => void) => {
    let failure: { error: unknown } | undefined;
    for (const reporter of reporters) {
      try {
        call(reporter);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  };
  return {
    onResult(result: LineResult): void {
      each((reporter) => reporter.onResult(result));
    },
    onNotice(notice: RunNotice): void {
      each((reporter) => reporter.onNotice?.(notice));
    },
    onSummary(summary: RunSummary): void {
      each((reporter) => reporter.onSummary(summary));
    },
  };
}

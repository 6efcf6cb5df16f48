// fanOut(): several reporters receive the same stream, in the order given,
// and every one of them gets the summary even when an earlier one throws.

import assert from "node:assert/strict";
import { fanOut } from "../lib/report/fan_out.ts";
import type { Reporter } from "../lib/report/reporter.ts";
import { everyStatus, summaryOf } from "./support/line_results.ts";

function recorder(name: string, calls: string[], fail = false): Reporter {
  return {
    onResult: (result) => void calls.push(`${name} result ${result.line}`),
    onNotice: (notice) => void calls.push(`${name} ${notice.kind}`),
    onSummary: () => {
      calls.push(`${name} summary`);
      if (fail) throw new Error(`${name} failed`);
    },
  };
}

Deno.test("fanOut() calls each reporter in order for results, notices and the summary", () => {
  const calls: string[] = [];
  const reporter = fanOut(recorder("a", calls), recorder("b", calls), {
    onResult: (result) => void calls.push(`c result ${result.line}`),
    onSummary: () => void calls.push("c summary"),
  });
  const [first] = everyStatus();
  reporter.onResult(first!);
  reporter.onNotice?.({ kind: "interrupted" });
  reporter.onSummary(summaryOf([first!]));
  assert.deepEqual(calls, [
    "a result 1",
    "b result 1",
    "c result 1",
    "a interrupted",
    "b interrupted",
    "a summary",
    "b summary",
    "c summary",
  ]);
});

Deno.test("fanOut() gives every reporter the summary and then throws the first error", () => {
  const calls: string[] = [];
  const reporter = fanOut(
    recorder("a", calls, true),
    recorder("b", calls, true),
    recorder("c", calls),
  );
  assert.throws(() => reporter.onSummary(summaryOf([])), {
    message: "a failed",
  });
  assert.deepEqual(calls, ["a summary", "b summary", "c summary"]);
});

// Log lines and summaries made from results: levels, exact wording, the
// srcSpec / dstSpec JSON and what --debug adds.

import assert from "node:assert/strict";
import { SCHEMA1_WARNING, type Verdict } from "../lib/verdict/compare.ts";
import { parseListLine } from "../lib/list/image_list.ts";
import type { PlatformSpec } from "../lib/verdict/platform_specs.ts";
import {
  count,
  countResult,
  emptyTally,
  failedFileLine,
  resultLines,
  summaryLine,
} from "../lib/report/report.ts";
import type { LineResult } from "../lib/verdict/validate.ts";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
const SRC: PlatformSpec[] = [{
  digest: A,
  platform: { architecture: "amd64", os: "linux" },
}];
const DST: PlatformSpec[] = [{
  digest: B,
  platform: { architecture: "amd64", os: "linux" },
}];

function result(
  verdict: Verdict,
  specs: { srcSpec?: PlatformSpec[]; dstSpec?: PlatformSpec[] } = {},
): LineResult {
  const entry = parseListLine("src.io/a/b dst.io/a/b 1", 4);
  assert.ok(entry?.kind === "image");
  return {
    kind: "image",
    id: 2,
    line: 4,
    text: entry.text,
    entry,
    durationMs: 1,
    outcome: { verdict, ...specs },
  };
}

const lines = (r: LineResult, debug = false) =>
  resultLines(r, { file: "list.txt", debug }).map((l) =>
    `${l.level} ${l.message}`
  );

const SPEC_TEXT = {
  src:
    `[\n  {\n    "digest": "${A}",\n    "platform": {\n      "architecture": "amd64",\n      "os": "linux"\n    }\n  }\n]`,
  dst:
    `[\n  {\n    "digest": "${B}",\n    "platform": {\n      "architecture": "amd64",\n      "os": "linux"\n    }\n  }\n]`,
};

Deno.test("resultLines() prints srcSpec and dstSpec of a mismatch at ERRO, before the FAILED line", () => {
  const reason = `digest mismatch: source ${A} != destination ${B}`;
  assert.deepEqual(
    lines(result({ status: "failed", kind: "mismatch", reason }, {
      srcSpec: SRC,
      dstSpec: DST,
    })),
    [
      `ERRO [M_ID:2] srcSpec: ${SPEC_TEXT.src}`,
      `ERRO [M_ID:2] dstSpec: ${SPEC_TEXT.dst}`,
      `ERRO [M_ID:2] FAILED [src.io/a/b:1] => [dst.io/a/b:1]: ${reason}`,
    ],
  );
});

Deno.test("resultLines() prints srcSpec and dstSpec of a passed image only under --debug, at DEBU", () => {
  const passed = result({
    status: "passed",
    reason: "all selected platforms match",
    warnings: [],
  }, { srcSpec: SRC, dstSpec: SRC });
  assert.deepEqual(lines(passed), [
    "INFO [M_ID:2] PASS [src.io/a/b:1] == [dst.io/a/b:1]",
  ]);
  assert.deepEqual(lines(passed, true), [
    `DEBU [M_ID:2] srcSpec: ${SPEC_TEXT.src}`,
    `DEBU [M_ID:2] dstSpec: ${SPEC_TEXT.src}`,
    "INFO [M_ID:2] PASS [src.io/a/b:1] == [dst.io/a/b:1]",
  ]);
});

Deno.test("resultLines() gives the schema1 warning its own WARN line", () => {
  assert.deepEqual(
    lines(result({
      status: "passed",
      reason: "platform present",
      warnings: [SCHEMA1_WARNING],
    })),
    [
      `WARN [M_ID:2] [src.io/a/b:1]: ${SCHEMA1_WARNING}`,
      "INFO [M_ID:2] PASS [src.io/a/b:1] == [dst.io/a/b:1]",
    ],
  );
});

Deno.test("resultLines() labels a rate-limited failure", () => {
  assert.deepEqual(
    lines(result({
      status: "failed",
      kind: "rate-limited",
      reason: "source: response status code 429",
    })),
    [
      "ERRO [M_ID:2] FAILED [src.io/a/b:1] => [dst.io/a/b:1] (rate limited): source: response status code 429",
    ],
  );
});

Deno.test("resultLines() shows the stack of an internal error only under --debug", () => {
  const verdict: Verdict = {
    status: "failed",
    kind: "internal",
    reason: "internal error: TypeError: x",
    stack: "TypeError: x\n    at f (file.ts:1:1)",
  };
  const failed =
    "ERRO [M_ID:2] FAILED [src.io/a/b:1] => [dst.io/a/b:1]: internal error: TypeError: x";
  assert.deepEqual(lines(result(verdict)), [failed]);
  assert.deepEqual(lines(result(verdict), true), [
    "DEBU [M_ID:2] stack: TypeError: x\n    at f (file.ts:1:1)",
    failed,
  ]);
});

Deno.test("summaryLine() and failedFileLine() say 1 line, not 1 lines", () => {
  const tally = emptyTally();
  countResult(
    tally,
    result({ status: "failed", kind: "missing", reason: "x" }),
  );
  assert.equal(
    summaryLine(tally, 20, false),
    "Validated 1 line in 0.020s: 0 passed, 0 skipped, 1 failed, 0 invalid, 0 not run",
  );
  assert.equal(
    failedFileLine("f.txt", tally),
    '1 failed line written to "f.txt"',
  );
  assert.equal(
    failedFileLine("f.txt", { failed: 2, notRun: 0 }),
    '2 failed lines written to "f.txt"',
  );
  assert.equal(count(1, "line"), "1 line");
});

Deno.test("failedFileLine() after an interruption counts failed and not-run lines apart", () => {
  assert.equal(
    failedFileLine("f.txt", { failed: 1, notRun: 3 }),
    '4 lines written to "f.txt" (1 failed, 3 not run)',
  );
  assert.equal(
    failedFileLine("f.txt", { failed: 0, notRun: 1 }),
    '1 line written to "f.txt" (0 failed, 1 not run)',
  );
});

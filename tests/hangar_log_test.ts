// The hangar log reporter on its own: which stream each line goes to, the one
// line for every line without a destination, the order of the end-of-run
// lines, and the notices.

import assert from "node:assert/strict";
import { NO_DESTINATION, parseListLine } from "../lib/list/image_list.ts";
import { HangarLog } from "../lib/report/hangar_log.ts";
import type { RunSummary } from "../lib/report/reporter.ts";
import { emptyTally, tallyTotal } from "../lib/report/summary.ts";
import type { LineResult } from "../lib/verdict/validate.ts";

const AT = new Date(2024, 0, 1, 9, 5, 7);

function hangarLog(options: { color?: boolean } = {}) {
  const out: string[] = [];
  const log = new HangarLog({
    stdout: (text) => out.push(`out ${text}`),
    stderr: (text) => out.push(`err ${text}`),
    list: "list.txt",
    now: () => AT,
    ...options,
  });
  return { log, out };
}

function skipped(line: number): LineResult {
  const entry = parseListLine("src.io/a/b dst.io/a/b 1", line);
  assert.ok(entry?.kind === "image");
  return {
    kind: "image",
    id: line,
    line,
    text: entry.text,
    entry,
    durationMs: 1,
    outcome: { verdict: { status: "skipped", reason: "no platform" } },
  };
}

const SELECTION = { architectures: ["amd64"], oses: ["linux"] };

Deno.test("HangarLog gathers lines without a destination into one ERRO line before the summary", () => {
  const { log, out } = hangarLog();
  for (const line of [2, 5, 9]) {
    log.onResult({
      kind: "invalid",
      line,
      text: "nginx",
      reason: NO_DESTINATION,
    });
  }
  log.onResult(skipped(10));
  log.onSummary({
    tally: { ...emptyTally(), invalid: 3, skipped: 1 },
    durationMs: 1500,
    interrupted: false,
    selection: SELECTION,
    failedFile: { path: "failed.txt", written: 0, failed: 0, notRun: 0 },
  });
  assert.deepEqual(out, [
    "err 09:05:07 [WARN] [M_ID:10] SKIP [src.io/a/b:1] => [dst.io/a/b:1]: no platform\n",
    "err 09:05:07 [ERRO] 3 lines name no destination registry (first: list.txt:2): give -d REGISTRY or set DEST_REGISTRY\n",
    "err 09:05:07 [WARN] Every image was skipped: none has a platform in --arch amd64 --os linux\n",
    "out 09:05:07 [INFO] Validated 4 lines in 1.500s: 0 passed, 1 skipped, 0 failed, 3 invalid, 0 not run\n",
  ]);
});

Deno.test("HangarLog ends with the summary, then the failed file's warning and line", () => {
  const { log, out } = hangarLog();
  const summary: RunSummary = {
    tally: { ...emptyTally(), passed: 1, failed: 1, notRun: 2 },
    durationMs: 20,
    interrupted: true,
    selection: SELECTION,
    failedFile: {
      path: "failed.txt",
      written: 3,
      failed: 1,
      notRun: 2,
      removalWarning: 'Cannot remove old failed list "failed.txt": busy',
    },
  };
  log.onSummary(summary);
  log.onSummary({
    ...summary,
    failedFile: { ...summary.failedFile!, writeError: "disk full" },
  });
  const head = [
    "out 09:05:07 [INFO] Interrupted: validated 4 lines in 0.020s: 1 passed, 0 skipped, 1 failed, 0 invalid, 2 not run\n",
    'err 09:05:07 [WARN] Cannot remove old failed list "failed.txt": busy\n',
  ];
  assert.deepEqual(out, [
    ...head,
    'out 09:05:07 [INFO] 3 lines written to "failed.txt" (1 failed, 2 not run)\n',
    ...head,
    'err 09:05:07 [ERRO] Cannot write "failed.txt": disk full\n',
  ]);
});

Deno.test("HangarLog writes only the no-image ERRO for a list without images", () => {
  const { log, out } = hangarLog();
  log.onSummary({
    tally: emptyTally(),
    durationMs: 3,
    interrupted: false,
    selection: SELECTION,
  });
  assert.deepEqual(out, [
    'err 09:05:07 [ERRO] Image list "list.txt" has no image to validate\n',
  ]);
});

Deno.test("HangarLog writes interrupts and warnings at WARN, debug messages at DEBU, coloured on request", () => {
  const { log, out } = hangarLog({ color: true });
  log.onNotice({ kind: "interrupted" });
  log.onNotice({ kind: "interrupted-again" });
  log.onNotice({ kind: "warning", message: "w" });
  log.onNotice({ kind: "debug", message: "d" });
  const warn = "09:05:07 [\x1b[33mWARN\x1b[0m]";
  assert.deepEqual(out, [
    `err ${warn} Interrupted: no new image starts, images in flight get 3s to finish; interrupt again to stop them at once\n`,
    `err ${warn} Interrupted again: images in flight are abandoned; writing the summary and the failed list\n`,
    `err ${warn} w\n`,
    "out 09:05:07 [\x1b[90mDEBU\x1b[0m] d\n",
  ]);
});

Deno.test("tallyTotal() adds every part of a tally", () => {
  assert.equal(
    tallyTotal({ passed: 1, skipped: 2, failed: 3, invalid: 4, notRun: 5 }),
    15,
  );
});

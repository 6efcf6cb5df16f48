// The progress line: its text for a table of states, redraws in place at
// most every 100 ms (a fake clock and fake timers, no sleeps), cleared before
// each log line and put back after it, cleared for good by the summary.

import assert from "node:assert/strict";
import {
  CLEAR_LINE,
  formatEta,
  ProgressLine,
  progressText,
} from "../lib/report/progress.ts";
import { failed, image, invalid, summaryOf } from "./support/line_results.ts";

Deno.test("progressText() renders done, total, rate, ETA and failures", () => {
  const table: [Parameters<typeof progressText>, string][] = [
    [[{ done: 0, total: 600, failed: 0 }, 0], "0/600 (0%) · -/s · 0 failed"],
    [
      [{ done: 150, total: 600, failed: 2 }, 30_000],
      "150/600 (25%) · 5.0/s · ETA 1m30s · 2 failed",
    ],
    [
      [{ done: 599, total: 600, failed: 0 }, 59_900],
      "599/600 (99%) · 10/s · ETA 1s · 0 failed",
    ],
    [
      [{ done: 600, total: 600, failed: 3 }, 60_000],
      "600/600 (100%) · 10/s · 3 failed",
    ],
    [
      [{ done: 1, total: 100_000, failed: 0 }, 4_000],
      "1/100000 (0%) · 0.3/s · ETA 111h06m · 0 failed",
    ],
    [[{ done: 42, failed: 1 }, 2_000], "42 done · 21/s · 1 failed"],
    [[{ done: 42, total: 0, failed: 0 }, 2_000], "42 done · 21/s · 0 failed"],
    [
      [{ done: 3, total: 2, failed: 0 }, 1_000],
      "3/2 (100%) · 3.0/s · 0 failed",
    ],
  ];
  for (const [args, text] of table) {
    assert.equal(progressText(...args), text, JSON.stringify(args));
  }
});

Deno.test("formatEta() rounds up to seconds, minutes with seconds, hours with minutes", () => {
  assert.deepEqual(
    [0.2, 59, 59.5, 60, 3599, 3600, 86_400].map(formatEta),
    ["1s", "59s", "1m00s", "1m00s", "59m59s", "1h00m", "24h00m"],
  );
});

function fake(total?: number, columns?: number) {
  let clock = 1_000;
  const out: string[] = [];
  const pending = new Map<number, { fn: () => void; at: number }>();
  let next = 1;
  const progress = new ProgressLine({
    write: (text) => out.push(text),
    total,
    columns,
    now: () => clock,
    timers: {
      set: (fn, ms) => {
        pending.set(next, { fn, at: clock + ms });
        return next++;
      },
      clear: (id) => void pending.delete(id as number),
    },
  });
  /** Moves the clock, firing the timers that fall due on the way. */
  const advance = (ms: number) => {
    const end = clock + ms;
    while (true) {
      const due = [...pending].filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      pending.delete(due[0]);
      clock = due[1].at;
      due[1].fn();
    }
    clock = end;
  };
  return { progress, out, advance, pending };
}

const PASS = () =>
  image(1, {
    verdict: { status: "passed", reason: "identical", warnings: [] },
  });

Deno.test("ProgressLine draws the first result at once and redraws in place at most every 100 ms", () => {
  const { progress, out, advance } = fake(10);
  advance(1_000);
  progress.onResult(PASS());
  assert.deepEqual(out, [
    `${CLEAR_LINE}1/10 (10%) · 1.0/s · ETA 9s · 0 failed`,
  ]);
  advance(10);
  progress.onResult(failed(2, "missing"));
  advance(10);
  progress.onResult(invalid(3, "x", "y"));
  assert.equal(out.length, 1, "no redraw within 100 ms");
  advance(79);
  assert.equal(out.length, 1);
  advance(1);
  assert.deepEqual(out.slice(1), [
    `${CLEAR_LINE}3/10 (30%) · 2.7/s · ETA 3s · 2 failed`,
  ]);
});

Deno.test("ProgressLine refreshes the rate and ETA every second when nothing finishes", () => {
  const { progress, out, advance } = fake(4);
  advance(1_000);
  progress.onResult(PASS());
  advance(999);
  assert.equal(out.length, 1);
  advance(1);
  assert.deepEqual(out.slice(1), [
    `${CLEAR_LINE}1/4 (25%) · 0.5/s · ETA 6s · 0 failed`,
  ]);
  advance(1_000);
  assert.equal(
    out.at(-1),
    `${CLEAR_LINE}1/4 (25%) · 0.3/s · ETA 9s · 0 failed`,
  );
});

Deno.test("ProgressLine.wrap() clears the line, writes the log line, then puts the line back", () => {
  const { progress, out, advance } = fake(2);
  const log: string[] = [];
  const write = progress.wrap((text) => {
    out.push(text);
    log.push(text);
  });
  write("before any progress\n");
  assert.deepEqual(out, ["before any progress\n"], "nothing to clear yet");
  advance(500);
  progress.onResult(PASS());
  const line = out.at(-1)!;
  write("10:02:03 [INFO] [M_ID:1] PASS\n");
  assert.deepEqual(out.slice(-3), [
    CLEAR_LINE,
    "10:02:03 [INFO] [M_ID:1] PASS\n",
    line,
  ]);
  assert.deepEqual(log.length, 2);
});

Deno.test("ProgressLine.onSummary() clears the line for good and stops the timers", () => {
  const { progress, out, advance, pending } = fake(2);
  advance(500);
  progress.onResult(PASS());
  progress.onResult(PASS());
  progress.onSummary(summaryOf([PASS(), PASS()]));
  assert.equal(out.at(-1), CLEAR_LINE);
  assert.equal(pending.size, 0);
  const count = out.length;
  advance(5_000);
  progress.wrap((text) => out.push(text))("summary\n");
  assert.deepEqual(out.slice(count), ["summary\n"]);
});

Deno.test("ProgressLine.setTotal() adds the total once it is counted; columns cut the line", () => {
  const { progress, out, advance } = fake(undefined, 12);
  advance(1_000);
  progress.onResult(PASS());
  assert.equal(out.at(-1), `${CLEAR_LINE}1 done · 1.`);
  advance(100);
  progress.setTotal(5);
  assert.equal(progress.render(3_100), "1/5 (20%) ·");
});

import assert from "node:assert/strict";
import {
  durationProblem,
  formatDuration,
  MAX_TIMER_MS,
  parseDuration,
} from "../lib/types/duration.ts";

// deno-fmt-ignore
const VALID: [string, number][] = [
  ["0", 0],
  ["00", 0],
  ["0.0", 0],
  [" 0 ", 0],
  ["250ms", 250],
  ["30s", 30_000],
  ["1.5s", 1_500],
  ["10m", 600_000],
  ["1h30m", 5_400_000],
  ["1h0m5s", 3_605_000],
  ["720h", 2_592_000_000],
  ["0s", 0],
];

for (const [text, ms] of VALID) {
  Deno.test(`parseDuration() reads "${text}" as ${ms} ms`, () => {
    assert.equal(parseDuration(text), ms);
    assert.equal(durationProblem(text), undefined);
  });
}

// deno-fmt-ignore
const INVALID: [string, string][] = [
  ["5", "add a unit, e.g. 5s or 5m"],
  ["30", "add a unit, e.g. 30s or 30m"],
  ["1.5", "add a unit, e.g. 1.5s or 1.5m"],
  ["", "duration is empty"],
  ["  ", "duration is empty"],
  ["ten", 'expected a number with a unit such as "30s", "10m" or "1h"'],
  ["5d", 'expected a number with a unit such as "30s", "10m" or "1h"'],
  ["-5s", 'expected a number with a unit such as "30s", "10m" or "1h"'],
];

for (const [text, problem] of INVALID) {
  Deno.test(`parseDuration() refuses "${text}": ${problem}`, () => {
    assert.equal(durationProblem(text), problem);
    assert.throws(
      () => parseDuration(text),
      new SyntaxError(`Cannot parse duration "${text}": ${problem}`),
    );
  });
}

Deno.test("MAX_TIMER_MS is the runtime's timer limit, below 720h", () => {
  assert.equal(MAX_TIMER_MS, 2_147_483_647);
  assert.ok(parseDuration("720h") > MAX_TIMER_MS);
  assert.ok(parseDuration("596h") < MAX_TIMER_MS);
});

Deno.test("formatDuration() writes what parseDuration() reads", () => {
  for (const ms of [250, 30_000, 600_000, 5_400_000, 3_605_000]) {
    assert.equal(parseDuration(formatDuration(ms)), ms);
  }
});

import assert from "node:assert/strict";
import process from "node:process";
import { startDeadline } from "../lib/transport/deadlines.ts";

function after(ms: number): Promise<void> {
  return new Promise((resolve) => startDeadline(ms, resolve));
}

Deno.test("startDeadline() runs deadlines of one duration in order, skipping cancelled ones", async () => {
  const ran: string[] = [];
  const first = after(20).then(() => ran.push("first"));
  const cancel = startDeadline(20, () => ran.push("cancelled"));
  const second = after(20).then(() => ran.push("second"));
  cancel();
  await Promise.all([first, second]);
  assert.deepEqual(ran, ["first", "second"]);
});

Deno.test("startDeadline() waits at least the duration and keeps durations apart", async () => {
  const start = performance.now();
  const ran: number[] = [];
  await Promise.all([
    after(30).then(() => ran.push(30)),
    after(5).then(() => ran.push(5)),
  ]);
  assert.deepEqual(ran, [5, 30]);
  assert.ok(performance.now() - start >= 29);
});

Deno.test("startDeadline() leaves no timer once every deadline is cancelled", () => {
  const cancels = Array.from(
    { length: 3000 },
    () => startDeadline(60_000, () => assert.fail("cancelled deadline ran")),
  );
  for (const cancel of cancels) cancel();
  cancels[0]!();
});

Deno.test("startDeadline() waits out a duration beyond the timer limit in parts, without an overflowing timer", async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on("warning", onWarning);
  try {
    let ran = false;
    const cancel = startDeadline(2 ** 31 + 1000, () => ran = true);
    await after(20);
    assert.equal(ran, false);
    cancel();
    assert.deepEqual(warnings, []);
  } finally {
    process.off("warning", onWarning);
  }
});

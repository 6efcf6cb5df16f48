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

Deno.test("startDeadline() never calls the global setTimeout or clearTimeout (Deno's Node timers cost about 15 ms to load)", async () => {
  const saved = [globalThis.setTimeout, globalThis.clearTimeout] as const;
  const refuse = (() => {
    throw new Error("the global timers were called");
  }) as never;
  globalThis.setTimeout = refuse;
  globalThis.clearTimeout = refuse;
  try {
    startDeadline(7_777, () => assert.fail("cancelled deadline ran"))();
    let ran = 0;
    await new Promise<void>((resolve) => {
      startDeadline(7, () => ran++);
      startDeadline(7, () => {
        ran++;
        resolve();
      });
    });
    assert.equal(ran, 2);
  } finally {
    [globalThis.setTimeout, globalThis.clearTimeout] = saved;
  }
});

Deno.test("startDeadline() lets a process end at once when its deadlines were cancelled", async () => {
  const module = new URL("../lib/transport/deadlines.ts", import.meta.url).href;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { startDeadline } from "${module}";
      startDeadline(3_600_000, () => console.log("ran"))();
      startDeadline(3_600_000, () => console.log("ran"))();
      console.log("done");`,
    ],
    stdout: "piped",
    stderr: "piped",
    // A deadline left armed keeps the child an hour: the bound is a failure.
    signal: AbortSignal.timeout(60_000),
  });
  const { code, stdout, stderr } = await child.output();
  assert.equal(new TextDecoder().decode(stderr), "");
  assert.deepEqual([code, new TextDecoder().decode(stdout)], [0, "done\n"]);
});

Deno.test("startDeadline() keeps one timer for deadlines that come and go one after another", () => {
  const timeout = AbortSignal.timeout;
  let made = 0;
  AbortSignal.timeout = (ms: number) => {
    made++;
    return timeout(ms);
  };
  try {
    for (let i = 0; i < 1000; i++) {
      startDeadline(8_888, () => assert.fail("cancelled deadline ran"))();
    }
  } finally {
    AbortSignal.timeout = timeout;
  }
  assert.equal(made, 1);
});

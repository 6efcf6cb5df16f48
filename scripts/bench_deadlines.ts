/**
 * Why lib/transport/deadlines.ts exists: per-request deadlines for N
 * requests that finish long before their limit, with the shared-timer queue
 * against one `AbortSignal.timeout()` per request (a timer that stays armed
 * until it expires, since it cannot be cancelled).
 *
 * Usage: deno run -A scripts/bench_deadlines.ts [N]   (each mode in its own process)
 */

import { startDeadline } from "../lib/transport/deadlines.ts";

const LIMIT_MS = 15_000;

async function run(mode: string, count: number): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    if (mode === "queue") {
      const controller = new AbortController();
      const cancel = startDeadline(LIMIT_MS, () => controller.abort());
      await Promise.resolve(controller.signal);
      cancel();
    } else {
      await Promise.resolve(AbortSignal.timeout(LIMIT_MS));
    }
  }
  const ms = performance.now() - started;
  const rss = Deno.memoryUsage().rss / 1e6;
  console.log(`${mode}\t${ms.toFixed(0)} ms\t${rss.toFixed(0)} MB rss`);
}

if (Deno.args[0] === "--mode") {
  await run(Deno.args[1]!, Number(Deno.args[2]));
  Deno.exit(0);
}
const count = Number(Deno.args[0] ?? 200_000);
console.log(
  `${count} request deadlines of ${LIMIT_MS} ms, each cancelled at once`,
);
for (const mode of ["queue", "AbortSignal.timeout"]) {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", import.meta.filename!, "--mode", mode, String(count)],
  }).output();
  await Deno.stdout.write(stdout);
}

/**
 * Compares checkouts of the project on the benchmark's exact-mirror scenario,
 * in one world and interleaved with the bare-HEADs floor, so that a change
 * worth a few percent can be told from the machine's drift: `deno task bench`
 * measures one checkout, and two of its runs minutes apart on a shared 2-CPU
 * machine differ by more than that.
 *
 * Each round runs the bare HEADs from this process (the benchmark's floor),
 * the same HEADs as a script in a new process (`_bench_bare_process.ts`:
 * what any Deno program pays to start), then `cli.ts mirror-validate` of
 * every checkout in turn (every other round in reverse order); the report
 * gives, per row, the median wall time and the median of its per-round
 * ratios to the bare row of the same round, then each later checkout's
 * per-round ratio to the first one.
 *
 * Usage: deno task bench:ab [--rounds 7] [--images 300] [--delay 10]
 * [--jobs 10] DIR... (each DIR a checkout, e.g. made with
 * `git worktree add /tmp/before HEAD~3`, `.` for this one; or a bundle, a
 * `.js` file from `deno task bundle`, run without deno.json as users run it).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { startSides } from "./_bench_sides.ts";
import { mirrorLines, seedMirror, writeInputs } from "./_bench_seed.ts";
import { bareHeads, measure } from "./_bench_measure.ts";
import {
  worldOptions,
  type WorldSettings,
  worldSettings,
} from "./_bench_flags.ts";

const { values: flags, positionals: dirs } = parseArgs({
  args: Deno.args,
  options: {
    ...worldOptions({ images: 300, delay: 10, jobs: 10, rounds: 7 }),
  },
  allowPositionals: true,
});
let settings: WorldSettings;
try {
  settings = worldSettings(flags);
} catch (error) {
  console.error((error as Error).message);
  Deno.exit(2);
}
const { rounds, images, delayMs, jobs } = settings;
if (dirs.length === 0) {
  console.error("Name at least one checkout: deno task bench:ab DIR...");
  Deno.exit(2);
}
const checkouts = await Promise.all(dirs.map((dir) => Deno.realPath(dir)));
const isBundle = (dir: string) => dir.endsWith(".js");
for (const dir of checkouts) {
  await Deno.stat(isBundle(dir) ? dir : `${dir}/cli.ts`);
}

await using stack = new AsyncDisposableStack();
const scratch = await Deno.makeTempDir();
stack.defer(() => Deno.remove(scratch, { recursive: true }));
const sides = await startSides(stack, { delayMs });
console.log(`Seeding ${images} images, ${delayMs} ms each way, -j ${jobs}`);
await seedMirror([sides[0].registry, sides[1].registry], images);
await writeInputs(
  scratch,
  mirrorLines([sides[0].proxy.host, sides[1].proxy.host], images),
);
const signal = new AbortController().signal;
const validate = (dir: string) =>
  measure([
    Deno.execPath(),
    ...(isBundle(dir)
      ? ["run", "-A", "--no-config", dir, "mirror-validate"]
      : ["run", "-A", `${dir}/cli.ts`, "mirror-validate"]),
    ...["-f", `${scratch}/list.txt`, "--tls-verify=false", "-j", `${jobs}`],
    ...["-o", `${scratch}/failed.txt`],
  ], { sides, dir: scratch, cwd: isBundle(dir) ? scratch : dir, signal });

// One run each first: Deno's caches of each checkout are filled.
for (const dir of checkouts) await validate(dir);
const bareScript =
  new URL("./_bench_bare_process.ts", import.meta.url).pathname;
const bareProcess = () =>
  measure([
    Deno.execPath(),
    ...["run", "-A", bareScript, sides[0].proxy.host, sides[1].proxy.host],
    ...[`${images}`, `${jobs}`],
  ], { sides, dir: scratch, cwd: scratch, signal });
await bareProcess();
const bare: number[] = [];
const processWalls: number[] = [];
const walls = checkouts.map((): number[] => []);
for (let round = 0; round < rounds; round++) {
  bare.push((await bareHeads(sides, { images, jobs })).wallMs);
  const own = await bareProcess();
  if (own.code !== 0) throw new Error(`bare script: ${own.tail.trim()}`);
  processWalls.push(own.wallMs);
  // Every other round in reverse order: no checkout always runs first.
  const order = [...checkouts.keys()];
  if (round % 2 === 1) order.reverse();
  for (const i of order) {
    const dir = checkouts[i]!;
    const run = await validate(dir);
    if (run.code !== 0) {
      throw new Error(`${dir}: exit ${run.code}: ${run.tail.trim()}`);
    }
    walls[i]!.push(run.wallMs);
  }
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `\n${rounds} rounds, ${Deno.build.os} ${navigator.hardwareConcurrency} CPUs`,
);
console.log(`bare HEADs  median ${median(bare).toFixed(0)} ms`);
const rows: [string, number[]][] = [
  ["bare HEADs, own process", processWalls],
  ...checkouts.map((dir, i): [string, number[]] => [dir, walls[i]!]),
];
for (const [name, row] of rows) {
  const ratios = row.map((wall, round) => wall / bare[round]!);
  console.log(
    `${name}  median ${median(row).toFixed(0)} ms, ` +
      `${median(ratios).toFixed(2)}x bare (rounds ${
        ratios.map((r) => r.toFixed(2)).join(", ")
      })`,
  );
}
// Paired with the first checkout, round by round: the machine's drift
// between rounds cancels out.
for (const [i, dir] of checkouts.entries()) {
  if (i === 0) continue;
  const ratios = walls[i]!.map((wall, round) => wall / walls[0]![round]!);
  console.log(
    `${dir} / ${checkouts[0]}  median ${median(ratios).toFixed(3)} (rounds ${
      ratios.map((r) => r.toFixed(2)).join(", ")
    })`,
  );
}

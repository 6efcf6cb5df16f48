/**
 * The benchmark of issue "Fast: the fewest round trips, measured against
 * skopeo": two real registries behind latency proxies, an exact mirror of N
 * images, `hangar mirror-validate` against a `skopeo inspect --raw` + `xargs`
 * script, a repeated list, a 100,000-line list and start-up time, then peak
 * RSS of 100,000 distinct lines, all passing and all failing (_bench_memory.ts);
 * `--deep` and `--referrers` on the same list against bare blob HEADs
 * (_bench_extra.ts).
 *
 * This file holds the flags and the flow; its parts sit beside it:
 * `_bench_sides.ts` (the registries, proxies and their counters),
 * `_bench_seed.ts` (the mirror, the lists, the skopeo script),
 * `_bench_measure.ts` (one measured run) and `_bench_table.ts` (the report).
 *
 * The headline ratio (hangar against bare HEADs) is the median of `--rounds`
 * interleaved runs of both (`_bench_rounds.ts`).
 *
 * Usage: deno task bench [--images 300] [--delay 10] [--jobs 10] [--rounds 3] [--big-lines 100000] [--no-big]
 *        deno task bench --scenario hub [--images 600] [--delay 25] [--jobs 20] [--rounds 3] (scripts/bench_hub.ts)
 *
 * @module
 */

import { parseArgs } from "node:util";
import { benchMemory } from "./_bench_memory.ts";
import { bareBlobHeads, deepWork, printExtraReport } from "./_bench_extra.ts";
import { bareHeads, measure, RSS_METHOD, type Run } from "./_bench_measure.ts";
import {
  mirrorLines,
  SEED_JOBS,
  seedMirror,
  writeCycledList,
  writeInputs,
} from "./_bench_seed.ts";
import { type Side, startSides } from "./_bench_sides.ts";
import {
  positive,
  worldOptions,
  type WorldSettings,
  worldSettings,
} from "./_bench_flags.ts";
import { printReport, secs } from "./_bench_table.ts";
import {
  type FirstRequests,
  firstRequests,
  interleaved,
  medianRun,
} from "./_bench_rounds.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;

/** The benchmark's settings, from its flags. */
interface Settings extends WorldSettings {
  bigLines: number;
  big: boolean;
}

function parseFlags(args: string[]): Settings {
  const { values: flags } = parseArgs({
    args,
    options: {
      ...worldOptions({ images: 300, delay: 10, jobs: 10, rounds: 3 }),
      "big-lines": { type: "string", default: "100000" },
      "no-big": { type: "boolean", default: false },
    },
  });
  return {
    ...worldSettings(flags),
    bigLines: positive("--big-lines", flags["big-lines"]),
    big: !flags["no-big"],
  };
}

async function benchmark(
  dir: string,
  { sides, settings, signal, first }: {
    sides: [Side, Side];
    settings: Settings;
    signal: AbortSignal;
    first: FirstRequests;
  },
): Promise<boolean> {
  const { images: n, jobs, bigLines, rounds } = settings;
  const deno = Deno.execPath();
  const run = (args: string[], rss: boolean) =>
    measure(args, { sides, dir, cwd: ROOT, signal, rss });
  const ours = (list: string, ...flags: string[]) =>
    run([
      deno,
      ...[
        "run",
        "-A",
        CLI,
        "mirror-validate",
        "-f",
        list,
        "--tls-verify=false",
      ],
      ...["-j", String(jobs), "-o", `${dir}/failed.txt`],
      ...flags,
    ], true);
  const lines = mirrorLines([sides[0].proxy.host, sides[1].proxy.host], n);
  await writeInputs(dir, lines);

  console.log(
    `Start-up: ${deno} run -A cli.ts --help, 5 runs (after one warm-up run)`,
  );
  await run([deno, "run", "-A", CLI, "--help"], false);
  const startups: number[] = [];
  for (let i = 0; i < 5; i++) {
    startups.push(
      (await run([deno, "run", "-A", CLI, "--help"], false)).wallMs,
    );
  }
  console.log(
    `Run: bare HEAD pairs from the bench process and hangar mirror-validate on ${n} images, -j ${jobs}, ${rounds} rounds`,
  );
  const headline = await interleaved(rounds, {
    bare: () => bareHeads(sides, { images: n, jobs }),
    single: () => ours(`${dir}/list.txt`),
  });
  const single = medianRun(headline.single);
  const bare = medianRun(headline.bare);
  console.log("Run: the same list, every line twice");
  const twice = await ours(`${dir}/list2.txt`);
  console.log("Run: the same list with --deep, then with --referrers");
  const work = await deepWork(sides[1], { images: n, jobs });
  const deep = await ours(`${dir}/list.txt`, "--deep");
  const referrers = await ours(`${dir}/list.txt`, "--referrers");
  console.log(
    `Run: bare HEADs of the ${work.blobs.length} blobs --deep checks`,
  );
  const blobHeads = await bareBlobHeads(sides, { work, jobs });
  console.log(`Run: skopeo inspect --raw per side, xargs -P ${jobs}`);
  const skopeo = await run(
    ["bash", `${dir}/skopeo_check.sh`, `${dir}/list.txt`, String(jobs)],
    true,
  );
  let big: Run | undefined;
  if (settings.big) {
    console.log(`Run: ${bigLines} lines cycling through the ${n} images`);
    await writeCycledList(`${dir}/big.txt`, { lines, count: bigLines });
    big = await ours(`${dir}/big.txt`);
  }
  printReport({
    images: n,
    delayMs: settings.delayMs,
    jobs,
    bigLines,
    rssMethod: RSS_METHOD,
    startups,
    first,
    rounds: headline.bare.map((run, i) => ({
      bareMs: run.wallMs,
      toolMs: headline.single[i]!.wallMs,
    })),
    bare,
    single,
    twice,
    skopeo,
    ...(big ? { big } : {}),
  });
  printExtraReport({
    images: n,
    work,
    plain: single,
    deep,
    referrers,
    blobHeads,
  });

  const expected: [string, Run, number][] = [
    ...headline.single.map((run, i): [string, Run, number] => [
      `hangar (${n}, round ${i + 1})`,
      run,
      n,
    ]),
    [`hangar (${2 * n})`, twice, 2 * n],
    ["skopeo", skopeo, n],
    ...headline.bare.map((run, i): [string, Run, number] => [
      `bare HEADs (round ${i + 1})`,
      run,
      n,
    ]),
    [`hangar --deep (${n})`, deep, n],
    [`hangar --referrers (${n})`, referrers, n],
    ["bare blob HEADs", blobHeads, work.blobs.length],
  ];
  if (big) expected.push([`hangar (${bigLines})`, big, bigLines]);
  let ok = true;
  for (const [name, run, lines] of expected) {
    const ours = name.startsWith("hangar");
    const passes = ours ? lines : run.stdoutLines; // ours: exit code and summary line
    if (
      run.code !== 0 || passes !== lines ||
      (ours && !run.tail.includes(`${lines} passed`))
    ) {
      console.error(
        `\n${name}: exit ${run.code}, ${run.stdoutLines} stdout lines; output ends with:\n${run.tail}`,
      );
      ok = false;
    }
  }
  return ok;
}

async function mainBench(
  settings: Settings,
  signal: AbortSignal,
): Promise<number> {
  await using stack = new AsyncDisposableStack();
  const dir = await Deno.makeTempDir({ prefix: "hangar-bench-" });
  stack.defer(() => Deno.remove(dir, { recursive: true }));
  // Measured first, on a quiet machine: the seeding's disk writes and the
  // registries would otherwise add their own noise to a 150 ms figure.
  console.log(
    "Time to the first request: cli.ts and its bundle, 5 runs each (before any registry starts)",
  );
  const first = await firstRequests({ root: ROOT, dir, runs: 5 });
  const sides = await startSides(stack, { delayMs: settings.delayMs });
  const [src, dst] = sides;
  console.log(
    `Seeding ${settings.images} images into ${src.registry.host} and ${dst.registry.host} (${SEED_JOBS} at a time)`,
  );
  const seeding = performance.now();
  await seedMirror([src.registry, dst.registry], settings.images);
  console.log(
    `Seeded in ${
      secs(performance.now() - seeding)
    }; proxies ${src.proxy.host} -> source, ${dst.proxy.host} -> destination`,
  );
  const ok = await benchmark(dir, { sides, settings, signal, first });
  if (!settings.big) return ok ? 0 : 1;
  console.log(
    `\nMemory: ${settings.bigLines} distinct lines (one repository each), all passing, then all failing`,
  );
  const memory = await benchMemory({
    lines: settings.bigLines,
    jobs: settings.jobs,
    signal,
  });
  return ok && memory.every((run) => run.correct) ? 0 : 1;
}

if (import.meta.main && Deno.args.includes("--scenario")) {
  // deno task bench --scenario hub [--images 600] [--delay 25] [--jobs 20]
  const scenario = Deno.args[Deno.args.indexOf("--scenario") + 1];
  if (scenario !== "hub") {
    console.error(`Unknown --scenario "${scenario}": the one scenario is hub`);
    Deno.exit(2);
  }
  await import("./bench_hub.ts");
} else if (import.meta.main) {
  const settings = parseFlags(Deno.args);
  const stopAll = new AbortController();
  Deno.addSignalListener("SIGINT", () => stopAll.abort());
  Deno.exit(await mainBench(settings, stopAll.signal));
}

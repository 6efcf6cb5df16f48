/**
 * The benchmark's report on stdout: the setup line, the table of runs with
 * its notes, and the targets of the issue as informative PASS / MISS lines.
 * Private to the benchmark (`scripts/bench.ts`).
 *
 * @module
 */

import type { Run } from "./_bench_measure.ts";
import type { FirstRequests } from "./_bench_rounds.ts";

/**
 * A duration for people: seconds with two decimals from 1 s, else whole ms.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { secs } from "./_bench_table.ts";
 * assert.equal(secs(1234), "1.23 s");
 * assert.equal(secs(56.7), "57 ms");
 * ```
 */
export function secs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function mark(ok: boolean): string {
  return ok ? "PASS" : "MISS";
}

/** A row of the table: the tool's label and its run. */
export interface Row {
  /** The label in the first column. */
  tool: string;
  /** What was measured. */
  run: Run;
}

function printTable(
  rows: Row[],
  { images, skopeoMs, floorMs }: {
    images: number;
    skopeoMs: number;
    floorMs: number;
  },
): void {
  const header = [
    "tool",
    "wall",
    "req/image",
    "src req",
    "dst req",
    "conns",
    "CPU tool",
    "CPU regs",
    "skopeo/this",
    "this/floor",
    "peak RSS",
    "exit",
  ];
  const body = rows.map(({ tool, run }) => [
    tool,
    secs(run.wallMs),
    ((run.srcRequests + run.dstRequests) / images).toFixed(2),
    String(run.srcRequests),
    String(run.dstRequests),
    String(run.connections),
    run.cpuMs === undefined ? "-" : secs(run.cpuMs),
    secs(run.registryCpuMs),
    `${(skopeoMs / run.wallMs).toFixed(1)}x`,
    `${(run.wallMs / floorMs).toFixed(2)}x`,
    run.peakRssKb === undefined
      ? "-"
      : `${(run.peakRssKb / 1024).toFixed(1)} MB`,
    String(run.code),
  ]);
  const widths = header.map((h, c) =>
    Math.max(h.length, ...body.map((r) => r[c]!.length))
  );
  const line = (cells: string[]) =>
    cells.map((
      cell,
      c,
    ) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(
      "  ",
    );
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of body) console.log(line(row));
}

/** What {@linkcode printReport} reports: the setup and every run. */
export interface Report {
  /** Images in the list. */
  images: number;
  /** Delay of each proxy, each way, in ms. */
  delayMs: number;
  /** Images checked at once. */
  jobs: number;
  /** Lines of the long list (`--big-lines`). */
  bigLines: number;
  /** How peak RSS and CPU were measured. */
  rssMethod: string;
  /** Wall times of the `--help` runs, in ms. */
  startups: number[];
  /** Time to the first request of a one-line list, from source and bundled. */
  first: FirstRequests;
  /** Wall times of each round of bare HEADs and hangar, in ms. */
  rounds: { bareMs: number; toolMs: number }[];
  /** The bare-HEADs floor (the run with the median wall time). */
  bare: Run;
  /** hangar on the list (the run with the median wall time). */
  single: Run;
  /** hangar on the list with every line twice. */
  twice: Run;
  /** The skopeo + xargs script on the list. */
  skopeo: Run;
  /** hangar on the long list, when it ran. */
  big?: Run;
}

/**
 * Prints the setup, the table (one row per run, in the order run) with its
 * notes, and the targets as PASS / MISS lines, to stdout.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { printReport } from "./_bench_table.ts";
 * const run = (wallMs: number) => ({
 *   wallMs,
 *   code: 0,
 *   stdoutLines: 2,
 *   tail: "",
 *   srcRequests: 2,
 *   dstRequests: 2,
 *   connections: 2,
 *   registryCpuMs: 10,
 * });
 * const printed: string[] = [];
 * const log = console.log;
 * console.log = (line: string) => printed.push(line);
 * try {
 *   printReport({
 *     images: 2,
 *     delayMs: 5,
 *     jobs: 2,
 *     bigLines: 10,
 *     rssMethod: "none",
 *     startups: [100, 120, 110],
 *     first: { floor: 70, source: 140, bundle: 120 },
 *     rounds: [{ bareMs: 20, toolMs: 30 }, { bareMs: 22, toolMs: 26 }],
 *     bare: run(20),
 *     single: run(30),
 *     twice: run(31),
 *     skopeo: run(900),
 *   });
 * } finally {
 *   console.log = log;
 * }
 * assert.equal(printed[1], "Floor = N x round trip / jobs = 10 ms; peak RSS: none\n");
 * assert.ok(printed.includes(
 *   "  MISS  within 1.25x of bare HEADs (median of 2 rounds): 1.50x (30 ms vs 20 ms; rounds 1.50x, 1.18x)",
 * ));
 * assert.deepEqual(printed.slice(-3), [
 *   "  PASS  first request under 150 ms, deno run cli.ts (median of 5): 140 ms (a script that only connects: 70 ms)",
 *   "  PASS  first request under 150 ms, the bundle (median of 5): 120 ms",
 *   "  info  start-up of --help (median of 5): 110 ms [100, 120, 110]",
 * ]);
 * ```
 */
export function printReport(report: Report): void {
  const { images: n, delayMs, jobs, bigLines } = report;
  const { bare, single, twice, skopeo, big, startups } = report;
  const rows: Row[] = [
    { tool: "bare HEADs (reference)", run: bare },
    { tool: `hangar (${n} lines)`, run: single },
    { tool: `hangar (${2 * n} lines, x2)`, run: twice },
    { tool: "skopeo + xargs", run: skopeo },
  ];
  if (big) rows.push({ tool: `hangar (${bigLines} lines)`, run: big });
  const floorMs = (n * 2 * delayMs) / jobs;
  console.log(
    `\nN = ${n} images, delay ${delayMs} ms each way (round trip ${
      2 * delayMs
    } ms), -j ${jobs}, ${navigator.hardwareConcurrency} CPUs`,
  );
  console.log(
    `Floor = N x round trip / jobs = ${
      secs(floorMs)
    }; peak RSS: ${report.rssMethod}\n`,
  );
  printTable(rows, { images: n, skopeoMs: skopeo.wallMs, floorMs });
  const startup = median(startups);
  const allowed = 2 * n + 2 * jobs;
  const singleReq = single.srcRequests + single.dstRequests;
  const twiceReq = twice.srcRequests + twice.dstRequests;
  console.log(
    `CPU tool: user + system of the measured process tree; CPU regs: both docker-registry processes; ` +
      `bare HEADs: one HEAD per side per image from the bench process (the machine's practical floor)`,
  );
  console.log("\nTargets (informative):");
  const target = (ok: boolean, text: string) =>
    console.log(`  ${mark(ok)}  ${text}`);
  const ratio = (a: Run, b: Run) => a.wallMs / b.wallMs;
  target(
    ratio(single, bare) <= 1.25,
    `within 1.25x of bare HEADs (median of ${report.rounds.length} rounds): ${
      ratio(single, bare).toFixed(2)
    }x (${secs(single.wallMs)} vs ${secs(bare.wallMs)}; rounds ${
      report.rounds.map((r) => `${(r.toolMs / r.bareMs).toFixed(2)}x`).join(
        ", ",
      )
    })`,
  );
  console.log(
    `  info  against the floor (N x round trip / jobs): ${
      (single.wallMs / floorMs).toFixed(2)
    }x`,
  );
  target(
    ratio(skopeo, single) >= 25,
    `at least 25x faster than skopeo: ${ratio(skopeo, single).toFixed(1)}x`,
  );
  target(
    singleReq <= allowed,
    `at most 2 requests per image + ${jobs} per registry (${allowed}): ${singleReq}`,
  );
  target(
    twiceReq <= singleReq,
    `repeated lines cost nothing extra: ${twiceReq} vs ${singleReq}`,
  );
  if (big) {
    target(
      (big.peakRssKb ?? Infinity) < 150 * 1024,
      `${bigLines}-line list under 150 MB peak RSS: ${
        ((big.peakRssKb ?? 0) / 1024).toFixed(1)
      } MB in ${secs(big.wallMs)}`,
    );
  }
  const { source, bundle, floor } = report.first;
  target(
    source < 150,
    `first request under 150 ms, deno run cli.ts (median of 5): ${
      secs(source)
    } (a script that only connects: ${secs(floor)})`,
  );
  target(
    bundle < 150,
    `first request under 150 ms, the bundle (median of 5): ${secs(bundle)}`,
  );
  console.log(
    `  info  start-up of --help (median of 5): ${secs(startup)} [${
      startups.map((ms) => ms.toFixed(0)).join(", ")
    }]`,
  );
}

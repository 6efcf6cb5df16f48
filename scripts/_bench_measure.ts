/**
 * The benchmark's measuring: one run of a command (wall time, output lines,
 * CPU and peak RSS with `/usr/bin/time -v`, else peak RSS polled from
 * `/proc`), the bare-HEADs floor, and what both registries and their latency
 * proxies saw meanwhile (requests, connections, registry CPU).
 * Private to the benchmark (`scripts/bench.ts`).
 *
 * @module
 */

import { MANIFEST_ACCEPT } from "../lib/types/manifest.ts";
import { forEachLimit } from "./_bench_seed.ts";
import { countSides, type Side, type SideCounts } from "./_bench_sides.ts";

const TIME = "/usr/bin/time";
const HAS_TIME = (await Deno.stat(TIME).catch(() => undefined))?.isFile ??
  false;

/** How peak RSS (and CPU) are measured on this machine, for the report. */
export const RSS_METHOD = HAS_TIME
  ? `${TIME} -v (maximum resident set size of the deno process; CPU = user + system)`
  : "VmHWM of /proc/<pid>/status, polled every 20 ms (no CPU figures)";

/** What a run measures itself, before the counts of both sides are added. */
export interface Work {
  /** Wall time in ms. */
  wallMs: number;
  /** Exit code. */
  code: number;
  /** Lines written to stdout. */
  stdoutLines: number;
  /** The last 600 characters of stdout and stderr together. */
  tail: string;
  /** User + system CPU of the tool and its children (with /usr/bin/time). */
  cpuMs?: number;
  /** Peak RSS in KiB, when asked for. */
  peakRssKb?: number;
}

/** One measured run: its own figures and what both sides saw during it. */
export type Run = Work & SideCounts;

/** Runs `work` and adds what the registries and proxies saw meanwhile. */
async function counted(
  sides: [Side, Side],
  work: () => Promise<Work>,
): Promise<Run> {
  const before = await countSides(sides);
  const done = await work();
  const after = await countSides(sides);
  return {
    ...done,
    srcRequests: after.srcRequests - before.srcRequests,
    dstRequests: after.dstRequests - before.dstRequests,
    connections: after.connections - before.connections,
    registryCpuMs: after.registryCpuMs - before.registryCpuMs,
  };
}

/** Options of {@linkcode measure}. */
export interface MeasureOptions {
  /** The registries and proxies whose requests, connections and CPU count. */
  sides: [Side, Side];
  /** A scratch folder (the `/usr/bin/time` report goes there). */
  dir: string;
  /** The command's working folder. */
  cwd: string;
  /** Stops the command (Ctrl-C of the benchmark). */
  signal: AbortSignal;
  /**
   * Measure peak RSS, and CPU where `/usr/bin/time` exists.
   * @default {false}
   */
  rss?: boolean;
  /**
   * The command is killed after this long, in ms.
   * @default {900000}
   */
  limitMs?: number;
}

/**
 * Runs a command to its end, draining its output, and counts what the
 * registries saw meanwhile; with `rss`, its peak RSS and CPU too.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { measure } from "./_bench_measure.ts";
 * import { startSides } from "./_bench_sides.ts";
 * await using stack = new AsyncDisposableStack();
 * const sides = await startSides(stack, { delayMs: 1 });
 * const dir = await Deno.makeTempDir();
 * const run = await measure(["echo", "hello"], {
 *   sides,
 *   dir,
 *   cwd: dir,
 *   signal: new AbortController().signal,
 * });
 * assert.deepEqual([run.code, run.stdoutLines, run.tail], [0, 1, "hello\n"]);
 * assert.equal(run.srcRequests + run.dstRequests + run.connections, 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function measure(
  [cmd, ...args]: string[],
  options: MeasureOptions,
): Promise<Run> {
  const { sides, dir, cwd, signal, rss = false, limitMs = 15 * 60_000 } =
    options;
  return await counted(sides, async () => {
    const timeFile = `${dir}/time.txt`;
    const useTime = rss && HAS_TIME;
    const [program, argv] = useTime
      ? [TIME, ["-v", "-o", timeFile, cmd!, ...args]]
      : [cmd!, args];
    const started = performance.now();
    const child = new Deno.Command(program, {
      args: argv,
      cwd,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.any([signal, AbortSignal.timeout(limitMs)]),
    }).spawn();
    let peak = 0;
    const poll = rss && !useTime
      ? setInterval(() => {
        let status = "";
        try {
          status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
        } catch {
          // the process ended
        }
        peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      }, 20)
      : undefined;
    let tail = "";
    const [stdoutLines] = await Promise.all([
      countLines(child.stdout, (text) => (tail = (tail + text).slice(-600))),
      countLines(child.stderr, (text) => (tail = (tail + text).slice(-600))),
    ]);
    const status = await child.status;
    const wallMs = performance.now() - started;
    clearInterval(poll);
    const run: Work = { wallMs, code: status.code, stdoutLines, tail };
    if (useTime) {
      const report = await Deno.readTextFile(timeFile);
      const field = (name: string) =>
        Number(new RegExp(`${name}: ([\\d.]+)`).exec(report)?.[1] ?? NaN);
      peak = field("Maximum resident set size \\(kbytes\\)");
      run.cpuMs = (field("User time \\(seconds\\)") +
        field("System time \\(seconds\\)")) * 1000;
    }
    if (rss) run.peakRssKb = peak;
    return run;
  });
}

/** Options of {@linkcode bareHeads}. */
export interface BareHeadsOptions {
  /** How many images were seeded (`bench/img-0:v1` on). */
  images: number;
  /** How many images are checked at once. */
  jobs: number;
}

/**
 * The machine's practical floor: one HEAD per side per image straight from
 * this process (fetch, `jobs` images at once), digests compared, no CLI.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { bareHeads } from "./_bench_measure.ts";
 * import { startSides } from "./_bench_sides.ts";
 * await using stack = new AsyncDisposableStack();
 * const sides = await startSides(stack, { delayMs: 1 });
 * const run = await bareHeads(sides, { images: 2, jobs: 2 }); // nothing seeded
 * assert.deepEqual([run.code, run.tail], [1, "2 mismatches"]);
 * assert.deepEqual([run.srcRequests, run.dstRequests], [2, 2]);
 * ```
 */
export async function bareHeads(
  sides: [Side, Side],
  { images, jobs }: BareHeadsOptions,
): Promise<Run> {
  return await counted(sides, async () => {
    const started = performance.now();
    let mismatches = 0;
    const head = async (side: Side, i: number) => {
      const res = await fetch(
        `http://${side.proxy.host}/v2/bench/img-${i}/manifests/v1`,
        {
          method: "HEAD",
          headers: { Accept: MANIFEST_ACCEPT },
        },
      );
      await res.body?.cancel();
      return res.headers.get("Docker-Content-Digest");
    };
    await forEachLimit(
      Array.from({ length: images }, (_, i) => i),
      async (i) => {
        const [a, b] = await Promise.all([
          head(sides[0], i),
          head(sides[1], i),
        ]);
        if (a === null || a !== b) mismatches++;
      },
      { limit: jobs },
    );
    const wallMs = performance.now() - started;
    return {
      wallMs,
      code: mismatches === 0 ? 0 : 1,
      stdoutLines: images - mismatches,
      tail: `${mismatches} mismatches`,
    };
  });
}

async function countLines(
  stream: ReadableStream<Uint8Array>,
  onText: (text: string) => void,
): Promise<number> {
  let lines = 0;
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    for (const byte of chunk) if (byte === 10) lines++;
    onText(decoder.decode(chunk, { stream: true }));
  }
  return lines;
}

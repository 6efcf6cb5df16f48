/**
 * The benchmark of issue "Fast: the fewest round trips, measured against
 * skopeo": two real registries behind latency proxies, an exact mirror of N
 * images, `hangar mirror-validate` against a `skopeo inspect --raw` + `xargs`
 * script, a repeated list, a 100,000-line list and start-up time, then peak
 * RSS of 100,000 distinct lines, all passing and all failing (_bench_memory.ts).
 *
 * Usage: deno task bench [--images 300] [--delay 10] [--jobs 10] [--big-lines 100000] [--no-big]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { MANIFEST_ACCEPT } from "../lib/manifest.ts";
import {
  type Distribution,
  startDistribution,
} from "../tests/support/distribution.ts";
import { mixedImageSpec, seedImage } from "../tests/support/seed.ts";
import { type LatencyProxy, startLatencyProxy } from "./_latency_proxy.ts";
import { benchMemory } from "./_bench_memory.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;
const TIME = "/usr/bin/time";
const RUN_LIMIT_MS = 15 * 60_000;

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    images: { type: "string", default: "300" },
    delay: { type: "string", default: "10" },
    jobs: { type: "string", default: "10" },
    "big-lines": { type: "string", default: "100000" },
    "no-big": { type: "boolean", default: false },
  },
});
const N = positive("--images", flags.images);
const DELAY = positive("--delay", flags.delay);
const JOBS = positive("--jobs", flags.jobs);
const BIG_LINES = positive("--big-lines", flags["big-lines"]);
const stopAll = new AbortController();

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `Invalid ${name} "${text}": expected a whole number above 0`,
    );
  }
  return n;
}

async function forEachLimit<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Seeds the same N images into both registries (same seeds, same digests). */
async function seedMirror(
  src: Distribution,
  dst: Distribution,
): Promise<Map<number, string>> {
  const digests = new Map<number, string>();
  const indexes = Array.from({ length: N }, (_, i) => i);
  await forEachLimit(indexes, 8, async (i) => {
    const ref = { repository: `bench/img-${i}`, tag: "v1" };
    const [a, b] = await Promise.all([
      seedImage(src.url, ref, mixedImageSpec(i, "bench")),
      seedImage(dst.url, ref, mixedImageSpec(i, "bench")),
    ]);
    if (a.digest !== b.digest) {
      throw new Error(`Seeded digests differ for "${ref.repository}"`);
    }
    digests.set(i, a.digest);
  });
  for (const i of [2, 3].filter((i) => i < N)) {
    for (const registry of [src, dst]) {
      const res = await fetch(
        `${registry.url}/v2/bench/img-${i}/manifests/v1`,
        {
          method: "HEAD",
          headers: { Accept: MANIFEST_ACCEPT },
        },
      );
      const served = res.headers.get("Docker-Content-Digest");
      if (served !== digests.get(i)) {
        throw new Error(
          `Registry "${registry.host}" serves "${served}" for img-${i}`,
        );
      }
    }
  }
  return digests;
}

interface Run {
  wallMs: number;
  code: number;
  stdoutLines: number;
  tail: string;
  /** User + system CPU of the tool and its children (with /usr/bin/time). */
  cpuMs?: number;
  peakRssKb?: number;
  srcRequests: number;
  dstRequests: number;
  connections: number;
  /** CPU the two registry processes spent during the run. */
  registryCpuMs: number;
}

interface Side {
  registry: Distribution;
  proxy: LatencyProxy;
  /** The `docker-registry` process, for its CPU time. */
  pid?: number;
}

type Work = Omit<
  Run,
  "srcRequests" | "dstRequests" | "connections" | "registryCpuMs"
>;

const HAS_TIME = (await Deno.stat(TIME).catch(() => undefined))?.isFile ??
  false;
const RSS_METHOD = HAS_TIME
  ? `${TIME} -v (maximum resident set size of the deno process; CPU = user + system)`
  : "VmHWM of /proc/<pid>/status, polled every 20 ms (no CPU figures)";

/** The pid of the `docker-registry` serving `storageDir` (its config sits beside it). */
function registryPid(storageDir: string): number | undefined {
  const config = storageDir.replace(/\/storage$/, "/config.yml");
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      if (cmdline.includes(config)) return Number(entry.name);
    } catch {
      // the process ended
    }
  }
  return undefined;
}

/** User + system CPU of a process in ms (clock ticks of 10 ms). */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]!
    .split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Runs `work` and adds what the registries and proxies saw meanwhile. */
async function counted(
  sides: [Side, Side],
  work: () => Promise<Work>,
): Promise<Run> {
  const [src, dst] = sides;
  const requests = async () => [
    await src.registry.settledRequestCount(),
    await dst.registry.settledRequestCount(),
  ];
  const connections = () => src.proxy.connections() + dst.proxy.connections();
  const cpu = () => processCpuMs(src.pid) + processCpuMs(dst.pid);
  const before = {
    requests: await requests(),
    connections: connections(),
    cpu: cpu(),
  };
  const done = await work();
  const after = await requests();
  return {
    ...done,
    srcRequests: after[0]! - before.requests[0]!,
    dstRequests: after[1]! - before.requests[1]!,
    connections: connections() - before.connections,
    registryCpuMs: cpu() - before.cpu,
  };
}

/** Runs a command to its end, draining output, with its peak RSS and CPU when `rss`. */
async function measure(
  cmd: string,
  args: string[],
  sides: [Side, Side],
  rss: boolean,
  dir: string,
): Promise<Run> {
  return await counted(sides, async () => {
    const timeFile = `${dir}/time.txt`;
    const useTime = rss && HAS_TIME;
    const [program, argv] = useTime
      ? [TIME, ["-v", "-o", timeFile, cmd, ...args]]
      : [cmd, args];
    const started = performance.now();
    const child = new Deno.Command(program, {
      args: argv,
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.any([
        stopAll.signal,
        AbortSignal.timeout(RUN_LIMIT_MS),
      ]),
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

/**
 * The machine's practical floor: one HEAD per side per image straight from
 * this process (fetch, `JOBS` images at once), digests compared, no CLI.
 */
async function bareHeads(sides: [Side, Side]): Promise<Run> {
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
      Array.from({ length: N }, (_, i) => i),
      JOBS,
      async (i) => {
        const [a, b] = await Promise.all([
          head(sides[0], i),
          head(sides[1], i),
        ]);
        if (a === null || a !== b) mismatches++;
      },
    );
    const wallMs = performance.now() - started;
    return {
      wallMs,
      code: mismatches === 0 ? 0 : 1,
      stdoutLines: N - mismatches,
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

const SKOPEO_SCRIPT = `#!/usr/bin/env bash
# usage: skopeo_check.sh LIST JOBS - one "SRC DST TAG" line at a time, JOBS at once;
# PASS lines on stdout, FAILED / ERROR lines on stderr
check() {
  set -o pipefail
  local s d
  s=$(skopeo inspect --raw --tls-verify=false "docker://$1:$3" | sha256sum) || { echo "ERROR $1:$3" >&2; return 0; }
  d=$(skopeo inspect --raw --tls-verify=false "docker://$2:$3" | sha256sum) || { echo "FAILED $2:$3" >&2; return 0; }
  if [ "$s" = "$d" ]; then echo "PASS $1:$3"; else echo "FAILED $1:$3" >&2; fi
}
export -f check
xargs -P "$2" -L 1 bash -c 'check "$@"' _ < "$1"
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function secs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

function mark(ok: boolean): string {
  return ok ? "PASS" : "MISS";
}

function printTable(
  rows: { tool: string; run: Run }[],
  skopeoMs: number,
  floorMs: number,
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
    ((run.srcRequests + run.dstRequests) / N).toFixed(2),
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

async function benchmark(dir: string, src: Side, dst: Side): Promise<boolean> {
  const sides: [Side, Side] = [src, dst];
  const deno = Deno.execPath();
  const ours = (list: string, rss = true) =>
    measure(
      deno,
      [
        "run",
        "-A",
        CLI,
        "mirror-validate",
        "-f",
        list,
        "--tls-verify=false",
        "-j",
        String(JOBS),
        "-o",
        `${dir}/failed.txt`,
      ],
      sides,
      rss,
      dir,
    );
  const lines = Array.from(
    { length: N },
    (_, i) =>
      `${src.proxy.host}/bench/img-${i} ${dst.proxy.host}/bench/img-${i} v1\n`,
  );
  await Deno.writeTextFile(`${dir}/list.txt`, lines.join(""));
  await Deno.writeTextFile(
    `${dir}/list2.txt`,
    lines.map((l) => l + l).join(""),
  );
  await Deno.writeTextFile(`${dir}/skopeo_check.sh`, SKOPEO_SCRIPT, {
    mode: 0o755,
  });

  console.log(
    `Start-up: ${deno} run -A cli.ts --help, 5 runs (after one warm-up run)`,
  );
  await measure(deno, ["run", "-A", CLI, "--help"], sides, false, dir);
  const startups: number[] = [];
  for (let i = 0; i < 5; i++) {
    startups.push(
      (await measure(deno, ["run", "-A", CLI, "--help"], sides, false, dir))
        .wallMs,
    );
  }
  console.log(`Run: hangar mirror-validate on ${N} images, -j ${JOBS}`);
  const single = await ours(`${dir}/list.txt`);
  console.log("Run: the same list, every line twice");
  const twice = await ours(`${dir}/list2.txt`);
  console.log(`Run: skopeo inspect --raw per side, xargs -P ${JOBS}`);
  const skopeo = await measure(
    "bash",
    [`${dir}/skopeo_check.sh`, `${dir}/list.txt`, String(JOBS)],
    sides,
    true,
    dir,
  );
  console.log(`Run: bare HEAD pairs from the bench process, ${JOBS} at once`);
  const bare = await bareHeads(sides);
  const rows = [{ tool: "bare HEADs (reference)", run: bare }, {
    tool: `hangar (${N} lines)`,
    run: single,
  }, {
    tool: `hangar (${2 * N} lines, x2)`,
    run: twice,
  }];
  rows.push({ tool: "skopeo + xargs", run: skopeo });
  let big: Run | undefined;
  if (!flags["no-big"]) {
    console.log(`Run: ${BIG_LINES} lines cycling through the ${N} images`);
    const file = await Deno.open(`${dir}/big.txt`, {
      write: true,
      create: true,
      truncate: true,
    });
    const encoder = new TextEncoder();
    for (let start = 0; start < BIG_LINES; start += 10_000) {
      const chunk = Array.from(
        { length: Math.min(10_000, BIG_LINES - start) },
        (_, k) => lines[(start + k) % N],
      ).join("");
      await file.write(encoder.encode(chunk));
    }
    file.close();
    big = await ours(`${dir}/big.txt`);
    rows.push({ tool: `hangar (${BIG_LINES} lines)`, run: big });
  }

  const floorMs = (N * 2 * DELAY) / JOBS;
  console.log(
    `\nN = ${N} images, delay ${DELAY} ms each way (round trip ${
      2 * DELAY
    } ms), -j ${JOBS}, ${navigator.hardwareConcurrency} CPUs`,
  );
  console.log(
    `Floor = N x round trip / jobs = ${
      secs(floorMs)
    }; peak RSS: ${RSS_METHOD}\n`,
  );
  printTable(rows, skopeo.wallMs, floorMs);
  const startup = median(startups);
  const allowed = 2 * N + 2 * JOBS;
  const singleReq = single.srcRequests + single.dstRequests;
  console.log(
    `CPU tool: user + system of the measured process tree; CPU regs: both docker-registry processes; ` +
      `bare HEADs: one HEAD per side per image from the bench process (the machine's practical floor)`,
  );
  console.log("\nTargets (informative):");
  console.log(
    `  ${mark(single.wallMs <= 1.5 * floorMs)}  within 1.5x of floor: ${
      (single.wallMs / floorMs).toFixed(2)
    }x`,
  );
  console.log(
    `  info  against bare HEADs on this machine: ${
      (single.wallMs / bare.wallMs).toFixed(2)
    }x ` +
      `(${secs(single.wallMs)} vs ${secs(bare.wallMs)})`,
  );
  console.log(
    `  ${
      mark(skopeo.wallMs / single.wallMs >= 25)
    }  at least 25x faster than skopeo: ${
      (skopeo.wallMs / single.wallMs).toFixed(1)
    }x`,
  );
  console.log(
    `  ${
      mark(singleReq <= allowed)
    }  at most 2 requests per image + ${JOBS} per registry (${allowed}): ${singleReq}`,
  );
  console.log(
    `  ${
      mark(twice.srcRequests + twice.dstRequests <= singleReq)
    }  repeated lines cost nothing extra: ${
      twice.srcRequests + twice.dstRequests
    } vs ${singleReq}`,
  );
  if (big) {
    console.log(
      `  ${
        mark((big.peakRssKb ?? Infinity) < 150 * 1024)
      }  ${BIG_LINES}-line list under 150 MB peak RSS: ${
        ((big.peakRssKb ?? 0) / 1024).toFixed(1)
      } MB in ${secs(big.wallMs)}`,
    );
  }
  console.log(
    `  ${mark(startup < 150)}  start-up (--help, median of 5) under 150 ms: ${
      secs(startup)
    } [${startups.map((ms) => ms.toFixed(0)).join(", ")}]`,
  );

  const expected: [string, Run, number][] = [
    [`hangar (${N})`, single, N],
    [
      `hangar (${2 * N})`,
      twice,
      2 * N,
    ],
    ["skopeo", skopeo, N],
    ["bare HEADs", bare, N],
  ];
  if (big) expected.push([`hangar (${BIG_LINES})`, big, BIG_LINES]);
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

async function mainBench(): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "hangar-bench-" });
  const started: {
    registry: Distribution;
    proxy?: LatencyProxy;
    pid?: number;
  }[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const registry = await startDistribution();
      const side: {
        registry: Distribution;
        proxy?: LatencyProxy;
        pid?: number;
      } = {
        registry,
      };
      started.push(side);
      const pid = registryPid(registry.storageDir);
      if (pid !== undefined) side.pid = pid;
      side.proxy = startLatencyProxy(Number(registry.host.split(":")[1]), {
        delayMs: DELAY,
      });
    }
    const [src, dst] = started as [Side, Side];
    console.log(
      `Seeding ${N} images into ${src.registry.host} and ${dst.registry.host} (8 at a time)`,
    );
    const seeding = performance.now();
    await seedMirror(src.registry, dst.registry);
    console.log(
      `Seeded in ${
        secs(performance.now() - seeding)
      }; proxies ${src.proxy.host} -> source, ${dst.proxy.host} -> destination`,
    );
    const ok = await benchmark(dir, src, dst);
    if (flags["no-big"]) return ok ? 0 : 1;
    console.log(
      `\nMemory: ${BIG_LINES} distinct lines (one repository each), all passing, then all failing`,
    );
    const memory = await benchMemory({
      lines: BIG_LINES,
      jobs: JOBS,
      signal: stopAll.signal,
    });
    return ok && memory.every((run) => run.correct) ? 0 : 1;
  } finally {
    for (const side of started) await side.proxy?.stop();
    for (const side of started) await side.registry.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  Deno.addSignalListener("SIGINT", () => stopAll.abort());
  Deno.exit(await mainBench());
}

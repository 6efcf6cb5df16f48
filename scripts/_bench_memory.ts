/**
 * The memory part of the benchmark: peak RSS of `hangar mirror-validate` on
 * N distinct lines (N distinct repositories), all passing and all failing,
 * with PASS/FAIL against a limit (150 MB).
 *
 * The registries are the project's in-memory OCI server (tests/support) in a
 * child process, so that they cost the measured CLI no CPU it would not pay
 * anyway; a real `docker-registry` answers about 300 requests a second on a
 * small machine, which would make 100,000 failing lines (4 requests each) a
 * 20-minute run. Four template images (Docker image, OCI image, Docker list,
 * OCI index) are seeded once; `mem/r<i>` serves template `i % 4`, so every
 * line names its own repository. The source and the mirror are two ports of
 * one registry (an exact mirror); the failing destination is an empty one.
 *
 * Usage: deno task bench:memory [--lines 100000] [--jobs 10] [--limit-mb 150]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { OciRegistry, serveHandler } from "../tests/support/oci_server.ts";
import { mixedImageSpec, seedImage } from "../tests/support/seed.ts";

const SELF = new URL(import.meta.url).pathname;
const CLI = new URL("../cli.ts", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;
const TIME = "/usr/bin/time";
const TEMPLATES = 4;

/** Options of {@linkcode benchMemory}. */
export interface BenchMemoryOptions {
  /**
   * Distinct lines per run.
   * @default {100000}
   */
  lines?: number;
  /**
   * `-j` of the CLI.
   * @default {10}
   */
  jobs?: number;
  /**
   * Peak RSS allowed, in MB (1 MB = 1024 KiB).
   * @default {150}
   */
  limitMb?: number;
  /** Stops the runs (Ctrl-C of the benchmark). @default {undefined} */
  signal?: AbortSignal;
}

/** One measured run of the CLI. */
export interface MemoryRun {
  /** "passing" or "failing". */
  name: string;
  lines: number;
  wallMs: number;
  /** Peak resident set size of the CLI process in KiB. */
  peakRssKb: number;
  code: number;
  /** Lines in the failed file after the run. */
  failedLines: number;
  /** Whether exit code, summary and failed file are what the case expects. */
  correct: boolean;
  /** The end of the output, to show when the run was not correct. */
  tail: string;
}

/**
 * Runs the CLI on `lines` distinct passing lines, then on as many distinct
 * failing lines, and prints peak RSS, wall time and PASS/FAIL against the
 * limit; resolves to the two runs.
 *
 * @example Usage
 * ```ts ignore
 * import { benchMemory } from "./_bench_memory.ts";
 * const runs = await benchMemory({ lines: 1000 });
 * console.log(runs.every((run) => run.correct));
 * ```
 */
export async function benchMemory(
  options: BenchMemoryOptions = {},
): Promise<MemoryRun[]> {
  const lines = options.lines ?? 100_000;
  const jobs = options.jobs ?? 10;
  const limitMb = options.limitMb ?? 150;
  const dir = await Deno.makeTempDir({ prefix: "hangar-bench-memory-" });
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SELF, "--serve"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const [src, mirror, empty] = await firstLine(server.stdout);
    const runs: MemoryRun[] = [];
    for (
      const [name, dst] of [["passing", mirror], ["failing", empty]] as const
    ) {
      const list = `${dir}/${name}.txt`;
      await writeList(list, src!, dst!, lines);
      console.log(`Run: ${lines} distinct ${name} lines, -j ${jobs}`);
      runs.push(await runCli(name, list, { lines, jobs, dir, ...options }));
    }
    for (const run of runs) printRun(run, limitMb);
    return runs;
  } finally {
    await server.stdin.close();
    await server.status;
    await Deno.remove(dir, { recursive: true });
  }
}

/** Whether every run was correct and under `limitMb`. */
export function memoryPassed(runs: MemoryRun[], limitMb = 150): boolean {
  return runs.every((run) => run.correct && run.peakRssKb < limitMb * 1024);
}

async function firstLine(
  stream: ReadableStream<Uint8Array>,
): Promise<string[]> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += decoder.decode(chunk, { stream: true });
    if (text.includes("\n")) break;
  }
  const hosts = text.trim().split(" ");
  if (hosts.length !== 3) {
    throw new Error(`Registry process printed "${text.trim()}"`);
  }
  return hosts;
}

async function writeList(
  path: string,
  src: string,
  dst: string,
  lines: number,
): Promise<void> {
  const chunks = async function* () {
    for (let start = 0; start < lines; start += 10_000) {
      let chunk = "";
      for (let i = start; i < Math.min(lines, start + 10_000); i++) {
        chunk += `${src}/mem/r${i} ${dst}/mem/r${i} v1\n`;
      }
      yield chunk;
    }
  };
  await Deno.writeTextFile(path, ReadableStream.from(chunks()));
}

async function runCli(
  name: string,
  list: string,
  run: BenchMemoryOptions & { lines: number; jobs: number; dir: string },
): Promise<MemoryRun> {
  const failedFile = `${run.dir}/${name}-failed.txt`;
  const timeFile = `${run.dir}/${name}-time.txt`;
  const args = ["run", "-A", CLI, "mirror-validate", "-f", list];
  args.push("--tls-verify=false", "-j", String(run.jobs), "-o", failedFile);
  const hasTime = (await Deno.stat(TIME).catch(() => undefined))?.isFile;
  const started = performance.now();
  const child = new Deno.Command(hasTime ? TIME : Deno.execPath(), {
    args: hasTime ? ["-v", "-o", timeFile, Deno.execPath(), ...args] : args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...(run.signal ? { signal: run.signal } : {}),
  }).spawn();
  let polled = 0;
  const poll = hasTime ? undefined : setInterval(() => {
    const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    polled = Math.max(polled, hwm);
  }, 20);
  let tail = "";
  await Promise.all([child.stdout, child.stderr].map(async (stream) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-1000);
    }
  }));
  const { code } = await child.status;
  const wallMs = performance.now() - started;
  clearInterval(poll);
  const peakRssKb = hasTime ? peakFromTime(timeFile) : polled;
  const failed = await Deno.readTextFile(failedFile).catch(() => "");
  const failedLines = failed === "" ? 0 : failed.split("\n").length - 1;
  const summary = `${run.lines} ${name === "passing" ? "passed" : "failed"}`;
  const correct = tail.includes(summary) &&
    (name === "passing"
      ? code === 0 && failedLines === 0
      : code === 1 && failedLines === run.lines);
  return {
    name,
    lines: run.lines,
    wallMs,
    peakRssKb: await peakRssKb,
    code,
    failedLines,
    correct,
    tail,
  };
}

async function peakFromTime(file: string): Promise<number> {
  const report = await Deno.readTextFile(file);
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1];
  return Number(kb ?? NaN);
}

function printRun(run: MemoryRun, limitMb: number): void {
  const mb = run.peakRssKb / 1024;
  const mark = run.correct && mb < limitMb ? "PASS" : "MISS";
  console.log(
    `  ${mark}  ${run.lines} distinct ${run.name} lines under ${limitMb} MB peak RSS: ${
      mb.toFixed(1)
    } MB in ${
      (run.wallMs / 1000).toFixed(1)
    } s (exit ${run.code}, ${run.failedLines} lines in the failed file)`,
  );
  if (!run.correct) console.log(`        output ends with:\n${run.tail}`);
}

/** The registries: serves until its standard input closes. */
async function serve(): Promise<void> {
  const registry = new OciRegistry({ name: "bench-memory" });
  const fetch = (request: Request) => registry.handler(request);
  for (let t = 0; t < TEMPLATES; t++) {
    const ref = { repository: `template/t${t}`, tag: "v1" };
    await seedImage("http://seed", ref, mixedImageSpec(t, "memory"), {
      fetch,
    });
  }
  const distinct = (request: Request) => {
    const url = new URL(request.url);
    url.pathname = url.pathname.replace(
      /^\/v2\/mem\/r(\d+)\//,
      (_, i) => `/v2/template/t${Number(i) % TEMPLATES}/`,
    );
    return registry.handler(new Request(url, request));
  };
  const empty = new OciRegistry({ name: "bench-memory-empty" });
  const servers = [
    serveHandler(distinct),
    serveHandler(distinct),
    serveHandler(empty.handler),
  ];
  console.log(servers.map((server) => server.host).join(" "));
  for await (const _ of Deno.stdin.readable) {
    // runs until the benchmark closes standard input
  }
  for (const server of servers) await server.close();
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      serve: { type: "boolean", default: false },
      lines: { type: "string", default: "100000" },
      jobs: { type: "string", default: "10" },
      "limit-mb": { type: "string", default: "150" },
    },
  });
  if (values.serve) {
    await serve();
  } else {
    const stop = new AbortController();
    Deno.addSignalListener("SIGINT", () => stop.abort());
    const limitMb = Number(values["limit-mb"]);
    console.log(
      `Peak RSS: ${TIME} -v if installed, else VmHWM of /proc/<pid>/status every 20 ms`,
    );
    const runs = await benchMemory({
      lines: Number(values.lines),
      jobs: Number(values.jobs),
      limitMb,
      signal: stop.signal,
    });
    Deno.exit(memoryPassed(runs, limitMb) ? 0 : 1);
  }
}

/**
 * CPU per image of each layer of hangar's request stack, warm, over real
 * registries: bare `fetch` HEADs, then the base fetch of
 * `createRegistryFetch({ tlsVerify: false })`, then with the rate-limit,
 * scheme, retry and auth layers stacked on it as `buildStack` does, then a
 * `RegistryClient.resolveManifest()`, then a whole `runValidation()` with the
 * hangar log. Each pass is 2 HEADs per image, `--jobs` images at once; the
 * passes of all rows are interleaved, `--rounds` times, and each row prints
 * its median (quartiles beside it).
 *
 * The two registries and their latency proxies run in a child process (this
 * script with `--serve`), so that the CPU measured is the stack's alone.
 *
 * Usage: deno task bench:layers [--images 300] [--delay 10] [--jobs 10] [--rounds 15]
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { createRegistryFetch } from "../lib/transport/registry_fetch.ts";
import { RateLimitPacer, withRateLimit } from "../lib/transport/rate_limit.ts";
import { withSchemeFallback } from "../lib/transport/scheme.ts";
import { withRetry } from "../lib/transport/retry.ts";
import { StalledHosts } from "../lib/transport/stalled_hosts.ts";
import { attemptableRequest } from "../lib/transport/_first_attempt.ts";
import { withAuth } from "../lib/auth/auth.ts";
import { createClientFactory } from "../lib/registry/clients.ts";
import { runValidation } from "../lib/run/run.ts";
import { HangarLog } from "../lib/report/hangar_log.ts";
import { MANIFEST_ACCEPT } from "../lib/types/manifest.ts";
import { mirrorLines, seedMirror } from "./_bench_seed.ts";
import { startSides } from "./_bench_sides.ts";
import { worldOptions, worldSettings } from "./_bench_flags.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    ...worldOptions({ images: 300, delay: 10, jobs: 10, rounds: 15 }),
    serve: { type: "boolean", default: false },
  },
});
const { images, delayMs, jobs, rounds } = worldSettings(flags);

/** The child: registries behind proxies, seeded; prints the proxies' hosts. */
async function serve(): Promise<void> {
  await using stack = new AsyncDisposableStack();
  const sides = await startSides(stack, { delayMs });
  await seedMirror([sides[0].registry, sides[1].registry], images);
  console.log(JSON.stringify([sides[0].proxy.host, sides[1].proxy.host]));
  // Until the parent closes standard input.
  for await (const _ of Deno.stdin.readable) { /* nothing to read */ }
}

type Head = (host: string, image: number) => Promise<unknown>;

/** One registry's stack, up to `level`, as lib/registry/_transport_stack.ts builds it. */
function stackTo(host: string, level: string) {
  const base = createRegistryFetch(host, { tlsVerify: false, dirs: [] });
  if (level === "base") return base;
  const paced = withRateLimit(base, new RateLimitPacer(host, {}));
  const scheme = withSchemeFallback(paced, { insecure: true });
  const retried = withRetry(scheme, {
    attemptTimeoutMs: 15_000,
    stalledHosts: new StalledHosts({ label: (h) => h }),
    route: scheme.route,
  });
  if (level === "+ retry") return retried;
  return withAuth(retried, {
    registry: host,
    credential: () => Promise.resolve(undefined),
    bodyTimeoutMs: 60_000,
  });
}

async function measure(hosts: [string, string]): Promise<void> {
  const [src, dst] = hosts;
  const credentials = { env: {}, home: "/nonexistent" };
  const rows = new Map<string, Head | "run">();
  rows.set("bare fetch", async (host, i) => {
    const response = await fetch(
      `http://${host}/v2/bench/img-${i}/manifests/v1`,
      { method: "HEAD", headers: { Accept: MANIFEST_ACCEPT } },
    );
    return response.headers.get("docker-content-digest");
  });
  for (const level of ["base", "+ retry", "+ auth"]) {
    const fetches = new Map([src, dst].map((h) => [h, stackTo(h, level)]));
    rows.set(level, async (host, i) => {
      const response = await fetches.get(host)!(attemptableRequest(
        `http://${host}/v2/bench/img-${i}/manifests/v1`,
        {
          method: "HEAD",
          headers: { Accept: MANIFEST_ACCEPT },
          redirect: "manual",
        },
        new AbortController().signal,
      ));
      await response.body?.cancel();
      return response.headers.get("docker-content-digest");
    });
  }
  const clients = createClientFactory({ tlsVerify: false, credentials });
  rows.set(
    "+ client",
    (host, i) =>
      clients(host, host === src ? "source" : "destination")
        .resolveManifest(`bench/img-${i}`, "v1", new AbortController().signal),
  );
  rows.set("whole run", "run");
  const runClients = createClientFactory({ tlsVerify: false, credentials });
  const list = mirrorLines(hosts, images).map((line) => `${line}\n`).join("");
  const dir = await Deno.makeTempDir();
  const run = async () => {
    const { code } = await runValidation({
      list: new Blob([list]).stream(),
      clients: runClients,
      architectures: ["amd64", "arm64"],
      oses: ["linux", "windows"],
      jobs,
      failedFile: `${dir}/failed.txt`,
    }, new HangarLog({ stdout: () => {}, stderr: () => {}, list: "list" }));
    if (code !== 0) throw new Error(`the run ended with exit code ${code}`);
  };
  const pass = async (row: Head | "run") => {
    if (row === "run") return await run();
    let next = 0;
    await Promise.all(Array.from({ length: jobs }, async () => {
      while (next < images) {
        const i = next++;
        await Promise.all([row(src, i), row(dst, i)]);
      }
    }));
  };
  for (const row of rows.values()) await pass(row); // warm-up
  const cpu = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const [name, row] of rows) {
      const before = process.cpuUsage();
      await pass(row);
      const used = process.cpuUsage(before);
      cpu.set(name, [
        ...cpu.get(name) ?? [],
        (used.user + used.system) / images,
      ]);
    }
  }
  clients.close();
  runClients.close();
  await Deno.remove(dir, { recursive: true });
  console.log(
    `${images} images, 2 HEADs each, -j ${jobs}, ${delayMs} ms each way, ${rounds} rounds, ${navigator.hardwareConcurrency} CPUs; CPU per image:`,
  );
  const bare = quantiles(cpu.get("bare fetch")!)[1];
  for (const [name, values] of cpu) {
    const [q1, median, q3] = quantiles(values);
    console.log(
      `  ${name.padEnd(11)} ${median.toFixed(0).padStart(5)} µs  (+${
        (median - bare).toFixed(0)
      } over bare; quartiles ${q1.toFixed(0)}-${q3.toFixed(0)})`,
    );
  }
}

function quantiles(values: number[]): [number, number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;
  return [at(0.25), at(0.5), at(0.75)];
}

if (flags.serve) {
  await serve();
} else {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      "--serve",
      ...Deno.args,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the registries did not start");
    text += value;
  }
  try {
    await measure(JSON.parse(text.split("\n")[0]!));
  } finally {
    await child.stdin.close();
    await reader.cancel();
    await child.status;
  }
}

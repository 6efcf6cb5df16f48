/**
 * The Docker Hub scenario (`deno task bench --scenario hub`): the source is
 * a registry behind token auth (the project's token server on its own port,
 * like auth.docker.io, anonymous pull), the destination a TLS registry with
 * Basic auth (like Harbor); every one of the three behind its own latency
 * proxy (25 ms each way by default); 600 images of the mixed shapes, -j 20.
 * Rows in one run: bare HEADs with every token fetched beforehand (the
 * floor of this machine), this tool plain, with --deep and with
 * --referrers, the skopeo script; token requests per image, connections,
 * CPU, peak RSS, and the time from start to the first request (from source
 * and bundled). Bare HEADs and the plain run are measured `--rounds` times,
 * interleaved; their rows are the runs with the median wall time.
 *
 * Usage: deno run -A scripts/bench_hub.ts [--images 600] [--delay 25] [--jobs 20] [--rounds 3]
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  makeHtpasswd,
  makeTestCertificates,
  startDistribution,
} from "../tests/support/distribution.ts";
import { mixedImageSpec, seedImage } from "../tests/support/seed.ts";
import { startTokenServer } from "../tests/support/token_server.ts";
import { startLatencyProxy } from "./_latency_proxy.ts";
import { forEachLimit, SEED_JOBS } from "./_bench_seed.ts";
import { measure, type Run } from "./_bench_measure.ts";
import type { Side } from "./_bench_sides.ts";
import { firstRequests, interleaved, medianRun } from "./_bench_rounds.ts";
import { bareHubHeads, skopeoHubScript } from "./_bench_hub_parts.ts";
import { worldOptions, worldSettings } from "./_bench_flags.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;
const USER = "bench";
const PASSWORD = "bench-secret";

const { values: flags } = parseArgs({
  args: Deno.args.filter((a) => a !== "--scenario" && a !== "hub"),
  options: worldOptions({ images: 600, delay: 25, jobs: 20, rounds: 3 }),
});
const { rounds, images, delayMs, jobs } = worldSettings(flags);

await using stack = new AsyncDisposableStack();
const dir = await Deno.makeTempDir({ prefix: "hangar-bench-hub-" });
stack.defer(() => Deno.remove(dir, { recursive: true }));
// Measured first, on a quiet machine (before the seeding's disk writes).
console.log(
  "Time to the first request: cli.ts and its bundle, 5 runs each (before any registry starts)",
);
const first = await firstRequests({ root: ROOT, dir, runs: 5 });
const certs = await makeTestCertificates(dir);
const certDir = `${dir}/certs`;
await Deno.mkdir(certDir);
await Deno.copyFile(certs.caCert, `${certDir}/ca.crt`);
const htpasswd = await makeHtpasswd(dir, USER, PASSWORD);

console.log(
  `Seeding ${images} images into both storages (${SEED_JOBS} at a time)`,
);
for (const name of ["src", "dst"]) {
  const open = await startDistribution({ storageDir: `${dir}/${name}` });
  await forEachLimit([...Array(images).keys()], async (i) => {
    await seedImage(
      open.url,
      { repository: `bench/img-${i}`, tag: "v1" },
      mixedImageSpec(i, "hub"),
    );
  }, { limit: SEED_JOBS });
  await open.stop();
}
await Deno.mkdir(`${dir}/tokens`);
const tokens = await startTokenServer({
  dir: `${dir}/tokens`,
  anonymousPull: true,
});
stack.defer(() => tokens.stop());
const tokenProxy = startLatencyProxy(Number(new URL(tokens.realm).port), {
  delayMs,
});
stack.defer(() => tokenProxy.stop());
const realm = `http://${tokenProxy.host}/token`;
const src = await startDistribution({
  storageDir: `${dir}/src`,
  token: {
    realm,
    service: tokens.service,
    issuer: tokens.issuer,
    rootCertBundle: tokens.rootCertBundle,
  },
});
stack.defer(() => src.stop());
const dst = await startDistribution({
  storageDir: `${dir}/dst`,
  tls: { certFile: certs.serverCert, keyFile: certs.serverKey },
  htpasswd: { file: htpasswd },
});
stack.defer(() => dst.stop());
const sides = [src, dst].map((registry) => {
  const proxy = startLatencyProxy(Number(registry.host.split(":")[1]), {
    delayMs,
  });
  stack.defer(() => proxy.stop());
  return { registry, proxy };
}) as [Side, Side];
const [s, d] = sides.map((side) => side.proxy.host) as [string, string];
const list = `${dir}/list.txt`;
await Deno.writeTextFile(
  list,
  [...Array(images).keys()].map((i) =>
    `${s}/bench/img-${i} ${d}/bench/img-${i} v1\n`
  ).join(""),
);
await Deno.writeTextFile(`${dir}/skopeo_hub.sh`, skopeoHubScript(certDir), {
  mode: 0o755,
});
Deno.env.set("DEST_USERNAME", USER);
Deno.env.set("DEST_PASSWORD", PASSWORD);

const signal = new AbortController().signal;
const counted = async (name: string, work: () => Promise<Run>) => {
  console.log(`Run: ${name}`);
  const before = tokens.requests.length;
  const run = await work();
  return { name, run, tokenRequests: tokens.requests.length - before };
};
const deno = Deno.execPath();
const ours = (extra: string[]) => () =>
  measure([
    deno,
    "run",
    "-A",
    CLI,
    "mirror-validate",
    "-f",
    list,
    "--src-tls-verify=false",
    "--cert-dir",
    certDir,
    "-j",
    String(jobs),
    "-o",
    `${dir}/failed.txt`,
    ...extra,
  ], { sides, dir, cwd: ROOT, signal, rss: true });

const headline = await interleaved(rounds, {
  bare: () =>
    counted(
      `bare HEADs, tokens fetched beforehand, ${jobs} at once`,
      () =>
        bareHubHeads(sides, {
          images,
          jobs,
          realm,
          service: tokens.service,
          caPem: certs.caPem,
          user: USER,
          password: PASSWORD,
        }),
    ),
  plain: () => counted("hangar mirror-validate", ours([])),
});
const byWall = <T extends { run: Run }>(rows: T[]) =>
  medianRun(rows.map((row) => ({ ...row, wallMs: row.run.wallMs })));
const rows = [
  byWall(headline.bare),
  byWall(headline.plain),
  await counted("hangar mirror-validate --deep", ours(["--deep"])),
  await counted("hangar mirror-validate --referrers", ours(["--referrers"])),
  await counted(
    `skopeo inspect --raw per side, xargs -P ${jobs}`,
    () =>
      measure([
        "bash",
        `${dir}/skopeo_hub.sh`,
        list,
        String(jobs),
        `${USER}:${PASSWORD}`,
      ], {
        sides,
        dir,
        cwd: ROOT,
        signal,
        rss: true,
      }),
  ),
];

const bare = rows[0]!.run.wallMs;
console.log(
  `\nHub scenario: ${images} images, ${delayMs} ms each way (${
    2 * delayMs
  } ms round trip) on source, token service and destination, -j ${jobs}, ${navigator.hardwareConcurrency} CPUs; bare and plain rows: median of ${rounds} interleaved rounds\n`,
);
console.log(
  "| run | wall | vs bare | requests per image (src + dst) | token requests per image | connections | CPU | peak RSS | passed |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const { name, run, tokenRequests } of rows) {
  const passed = name.startsWith("hangar")
    ? (run.tail.includes(`${images} passed`) ? images : 0)
    : run.stdoutLines;
  console.log(
    `| ${name} | ${(run.wallMs / 1000).toFixed(2)} s | ${
      (run.wallMs / bare).toFixed(2)
    }x | ${((run.srcRequests + run.dstRequests) / images).toFixed(2)} | ${
      (tokenRequests / images).toFixed(3)
    } | ${run.connections} | ${
      run.cpuMs === undefined ? "-" : `${Math.round(run.cpuMs)} ms`
    } | ${
      run.peakRssKb === undefined
        ? "-"
        : `${Math.round(run.peakRssKb / 1024)} MB`
    } | ${passed}/${images} |`,
  );
}
const plain = rows[1]!;
const skopeo = rows[4]!;
const mark = (ok: boolean) => ok ? "PASS" : "MISS";
const ratio = plain.run.wallMs / bare;
const tokenRate = plain.tokenRequests / images;
const skopeoRatio = skopeo.run.wallMs / plain.run.wallMs;
const roundRatios = headline.plain.map((row, i) =>
  `${(row.run.wallMs / headline.bare[i]!.run.wallMs).toFixed(2)}x`
);
console.log("\nTargets:");
console.log(
  `- ${mark(ratio <= 1.3)} within 1.3x of bare HEADs: ${
    ratio.toFixed(2)
  }x (rounds ${roundRatios.join(", ")})`,
);
console.log(
  `- ${mark(tokenRate <= 0.1)} token requests at most 0.1 per image: ${
    tokenRate.toFixed(3)
  }`,
);
console.log(
  `- ${mark(skopeoRatio >= 5)} at least 5x faster than the skopeo script: ${
    skopeoRatio.toFixed(1)
  }x`,
);
console.log(
  `- ${
    mark(first.source < 150)
  } first request under 150 ms, deno run cli.ts (median of 5): ${
    first.source.toFixed(0)
  } ms (a script that only connects: ${first.floor.toFixed(0)} ms)`,
);
console.log(
  `- ${mark(first.bundle < 150)} first request under 150 ms, the bundle: ${
    first.bundle.toFixed(0)
  } ms`,
);
const failed = [...headline.bare, ...headline.plain, ...rows.slice(2)].filter((
  { name, run },
) =>
  run.code !== 0 ||
  (name.startsWith("hangar") && !run.tail.includes(`${images} passed`))
);
for (const { name, run } of failed) {
  console.error(`\n${name}: exit ${run.code}; output ends with:\n${run.tail}`);
}
Deno.exitCode = failed.length === 0 ? 0 : 1;

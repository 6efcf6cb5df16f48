/**
 * CPU cost of hangar's own code per image, without a network: the real run
 * (runValidation -> validateList -> the registry client stack of
 * createClientFactory -> HangarLog lines) over an in-memory registry, against
 * bare `fetch` calls to the same in-memory registry (one `new Request` per
 * call, 2 HEADs per image), both at -j 10 in one process.
 *
 * The in-memory fetch refuses https like a plain-http registry does, so the
 * run takes the path of `--tls-verify=false` against http registries (the
 * benchmark world): one https probe per host, then http.
 *
 * Usage: deno task bench:cpu [--images N] [--jobs J] [--rounds R]
 * [--list FILE]. With `--list` (lines `HOST/REPO HOST/REPO TAG` of plain-http
 * registries) both rows go to those registries: the run with its real
 * fetch, the bare HEADs with the global `fetch`.
 *
 * @module
 */
import process from "node:process";
import { createClientFactory } from "../lib/registry/clients.ts";
import { runValidation } from "../lib/run/run.ts";
import { HangarLog } from "../lib/report/hangar_log.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const MEDIA = "application/vnd.oci.image.manifest.v1+json";
const ACCEPT = `${MEDIA}, application/vnd.oci.image.index.v1+json`;
const SRC = "src.test:5000";
const DST = "dst.test:5000";

function flag(name: string, fallback: number): number {
  const at = Deno.args.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(Deno.args[at + 1]);
}

/** An in-memory registry: /v2/ answers 200, every manifest HEAD the same digest. */
function memoryRegistry(request: Request): Promise<Response> {
  const url = request.url;
  if (url.startsWith("https:")) {
    return Promise.reject(
      new TypeError("received corrupt message of type InvalidContentType"),
    );
  }
  const path = url.slice(url.indexOf("/", "http://".length));
  if (path === "/v2/") return Promise.resolve(new Response("{}"));
  if (path.startsWith("/v2/") && path.includes("/manifests/")) {
    return Promise.resolve(
      new Response(null, {
        status: 200,
        headers: {
          "docker-content-digest": DIGEST,
          "content-type": MEDIA,
          "content-length": "1234",
        },
      }),
    );
  }
  return Promise.resolve(new Response(null, { status: 404 }));
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

async function measure(work: () => Promise<void>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

/** A list of `images` lines, or the lines of the `--list` file. */
async function listLines(images: number): Promise<string[]> {
  if (listFile !== undefined) {
    const text = await Deno.readTextFile(listFile);
    return text.split("\n").filter((line) => line.trim() !== "")
      .map((line) => `${line}\n`);
  }
  const lines: string[] = [];
  for (let i = 0; i < images; i++) {
    lines.push(`${SRC}/bench/img-${i} ${DST}/bench/img-${i} v1\n`);
  }
  return lines;
}

/** The manifest URLs of a list line `SRC/REPO DST/REPO TAG`, as http. */
function lineUrls(line: string): [string, string] {
  const [src, dst, tag] = line.trim().split(/\s+/) as [string, string, string];
  const url = (image: string) => {
    const slash = image.indexOf("/");
    return `http://${image.slice(0, slash)}/v2/${
      image.slice(slash + 1)
    }/manifests/${tag}`;
  };
  return [url(src), url(dst)];
}

/** Two HEADs per image straight to the registries, `jobs` images at once. */
async function bare(images: number, jobs: number): Promise<void> {
  const urls = (await listLines(images)).map(lineUrls);
  const send = listFile === undefined ? memoryRegistry : fetch;
  let next = 0;
  const head = async (url: string) => {
    const response = await send(
      new Request(url, {
        method: "HEAD",
        headers: { Accept: ACCEPT, "User-Agent": "bench" },
      }),
    );
    await response.body?.cancel();
    return response.headers.get("docker-content-digest");
  };
  const worker = async () => {
    while (next < urls.length) {
      const [src, dst] = urls[next++]!;
      const [a, b] = await Promise.all([head(src), head(dst)]);
      if (a !== b) throw new Error("Digests differ");
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
}

/** hangar's run over the in-memory registry, log lines formatted and dropped. */
async function hangar(images: number, jobs: number): Promise<void> {
  const lines = await listLines(images);
  const clients = createClientFactory({
    ...(listFile === undefined ? { fetch: memoryRegistry } : {}),
    tlsVerify: false,
    credentials: { env: {}, home: "/nonexistent" },
  });
  const dir = await Deno.makeTempDir();
  let bytes = 0;
  try {
    const { code, summary } = await runValidation(
      {
        list: new Blob(lines).stream(),
        clients,
        architectures: ["amd64", "arm64"],
        oses: ["linux", "windows"],
        jobs,
        failedFile: `${dir}/failed.txt`,
      },
      new HangarLog({
        stdout: (text) => bytes += text.length,
        stderr: (text) => bytes += text.length,
        list: "list.txt",
      }),
    );
    if (code !== 0 || summary.tally.passed !== lines.length) {
      throw new Error(`Run ended with ${code}: ${JSON.stringify(summary)}`);
    }
  } finally {
    clients.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const at = Deno.args.indexOf("--list");
/** A list of real registries (plain http) instead of the in-memory one. */
const listFile = at < 0 ? undefined : Deno.args[at + 1];
const images = listFile === undefined
  ? flag("images", 5000)
  : (await listLines(0)).length;
const jobs = flag("jobs", 10);
const rounds = flag("rounds", 3);

// warm up the JIT on both paths
await bare(500, jobs);
await hangar(500, jobs);

const rows: Record<"bare" | "hangar", Sample[]> = { bare: [], hangar: [] };
for (let round = 0; round < rounds; round++) {
  rows.bare.push(await measure(() => bare(images, jobs)));
  rows.hangar.push(await measure(() => hangar(images, jobs)));
}
const perImage = (samples: Sample[], key: keyof Sample) =>
  median(samples.map((s) => s[key])) * 1000 / images;
const bareCpu = perImage(rows.bare, "cpuMs");
const hangarCpu = perImage(rows.hangar, "cpuMs");
console.log(
  `${images} images, -j ${jobs}, median of ${rounds} rounds, per image:`,
);
for (const [name, samples] of Object.entries(rows)) {
  console.log(
    `  ${name.padEnd(6)} ${
      perImage(samples, "cpuMs").toFixed(1).padStart(7)
    } µs CPU ${perImage(samples, "wallMs").toFixed(1).padStart(7)} µs wall`,
  );
}
console.log(`  ratio  ${(hangarCpu / bareCpu).toFixed(2)}x CPU`);

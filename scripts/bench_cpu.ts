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
 * With `--auth bearer` the source answers 401 with a Bearer challenge unless
 * a request carries a token of the in-memory token endpoint (JWTs with an
 * `access` claim, repeated `scope` parameters, `expires_in` 300, anonymous
 * pull, like Docker Hub); with `--auth basic` the destination answers 401
 * with a Basic challenge unless the request carries the credentials the run
 * gets as DEST_USERNAME/DEST_PASSWORD (like Harbor). The bare row then sends
 * the right header itself (its tokens fetched beforehand). `--latency MS`
 * delays every in-memory answer (a timer in both rows): without it the run
 * reads its list barely ahead of its requests, and tokens come one scope a
 * request instead of in batches as over a real network.
 *
 * Usage: deno task bench:cpu [--images N] [--jobs J] [--rounds R]
 * [--auth none|bearer|basic] [--latency MS] [--list FILE]. With `--list`
 * (lines `HOST/REPO HOST/REPO TAG` of plain-http
 * registries) both rows go to those registries: the run with its real
 * fetch, the bare HEADs with the global `fetch`.
 *
 * @module
 */
import process from "node:process";
import { createClientFactory } from "../lib/registry/clients.ts";
import { runValidation } from "../lib/run/run.ts";
import { HangarLog } from "../lib/report/hangar_log.ts";
import { MANIFEST_ACCEPT } from "../lib/types/manifest.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const MEDIA = "application/vnd.oci.image.manifest.v1+json";
/** What hangar accepts: every manifest type, as real registries need it. */
const ACCEPT = MANIFEST_ACCEPT;
const SRC = "src.test:5000";
const DST = "dst.test:5000";

function flag(name: string, fallback: number): number {
  const at = Deno.args.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(Deno.args[at + 1]);
}

const AUTH_HOST = "auth.test";
const REALM = `https://${AUTH_HOST}/token`;
const USER = "bench";
const PASSWORD = "bench-password";
const BASIC = `Basic ${btoa(`${USER}:${PASSWORD}`)}`;

/** How the in-memory registries authenticate (`--auth`). */
type AuthMode = "none" | "bearer" | "basic";

/** Tokens the in-memory token endpoint issued, to the repositories they grant. */
const issued = new Map<string, Set<string>>();

const base64Url = (text: string) =>
  btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** The token endpoint: one JWT-shaped token for every `scope` asked for. */
function tokenEndpoint(url: URL): Response {
  const names = new Set<string>();
  const access = [];
  for (const scope of url.searchParams.getAll("scope")) {
    const match = /^repository:(.+):pull$/.exec(scope);
    if (match === null) continue;
    names.add(match[1]!);
    access.push({ type: "repository", name: match[1]!, actions: ["pull"] });
  }
  const token = [
    base64Url(JSON.stringify({ typ: "JWT", alg: "RS256" })),
    base64Url(JSON.stringify({ aud: SRC, access, jti: crypto.randomUUID() })),
    "signature",
  ].join(".");
  issued.set(token, names);
  return Response.json({ token, expires_in: 300 });
}

/** The 401 of a request without the credentials `mode` asks of `host`. */
function unauthorized(
  mode: AuthMode,
  host: string,
  path: string,
  authorization: string | null,
): Response | undefined {
  if (mode === "basic" && host === DST) {
    if (authorization === BASIC) return undefined;
    return new Response(null, {
      status: 401,
      headers: { "www-authenticate": 'Basic realm="dst"' },
    });
  }
  if (mode !== "bearer" || host !== SRC) return undefined;
  const repository = /^\/v2\/(.+?)\/manifests\//.exec(path)?.[1];
  const granted = authorization?.startsWith("Bearer ")
    ? issued.get(authorization.slice("Bearer ".length))
    : undefined;
  if (granted !== undefined && (path === "/v2/" || granted.has(repository!))) {
    return undefined;
  }
  const scope = repository === undefined
    ? ""
    : `,scope="repository:${repository}:pull"`;
  return new Response(null, {
    status: 401,
    headers: {
      "www-authenticate": `Bearer realm="${REALM}",service="${SRC}"${scope}`,
    },
  });
}

/**
 * In-memory registries: /v2/ answers 200, every manifest HEAD the same
 * digest, behind the auth of `mode`; the token endpoint answers https.
 */
function memoryRegistry(
  mode: AuthMode,
): (request: Request) => Promise<Response> {
  const answer = instantRegistry(mode);
  if (latencyMs <= 0) return answer;
  // one timer a tick for every request in flight: few wake-ups
  let waiting: (() => void)[] = [];
  const tick = () => {
    const due = waiting;
    waiting = [];
    for (const resolve of due) resolve();
  };
  return (request) =>
    new Promise<void>((resolve) => {
      if (waiting.length === 0) setTimeout(tick, latencyMs);
      waiting.push(resolve);
    }).then(() => answer(request));
}

function instantRegistry(
  mode: AuthMode,
): (request: Request) => Promise<Response> {
  return (request) => {
    const url = request.url;
    if (url.startsWith(`https://${AUTH_HOST}/`)) {
      return Promise.resolve(tokenEndpoint(new URL(url)));
    }
    if (url.startsWith("https:")) {
      return Promise.reject(
        new TypeError("received corrupt message of type InvalidContentType"),
      );
    }
    const slash = url.indexOf("/", "http://".length);
    const path = url.slice(slash);
    const denied = unauthorized(
      mode,
      url.slice("http://".length, slash),
      path,
      request.headers.get("authorization"),
    );
    if (denied !== undefined) return Promise.resolve(denied);
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
  };
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

/**
 * The `Authorization` of each URL the bare row sends: the source's tokens
 * fetched beforehand (20 scopes a request), the destination's Basic value.
 */
async function bareAuthorizations(
  urls: [string, string][],
): Promise<Map<string, string>> {
  const headers = new Map<string, string>();
  if (auth === "basic") {
    for (const [, dst] of urls) headers.set(dst, BASIC);
  }
  if (auth !== "bearer") return headers;
  const send = memoryRegistry(auth);
  for (let at = 0; at < urls.length; at += 20) {
    const batch = urls.slice(at, at + 20).map(([src]) => src);
    const token = new URL(REALM);
    token.searchParams.set("service", SRC);
    for (const url of batch) {
      const repository = /\/v2\/(.+?)\/manifests\//.exec(url)![1]!;
      token.searchParams.append("scope", `repository:${repository}:pull`);
    }
    const body = await (await send(new Request(token))).json();
    for (const url of batch) headers.set(url, `Bearer ${body.token}`);
  }
  return headers;
}

/** Two HEADs per image straight to the registries, `jobs` images at once. */
async function bare(images: number, jobs: number): Promise<Sample> {
  const urls = (await listLines(images)).map(lineUrls);
  const authorizations = await bareAuthorizations(urls);
  const send = listFile === undefined ? memoryRegistry(auth) : fetch;
  return await measure(async () => {
    let next = 0;
    const head = async (url: string) => {
      const authorization = authorizations.get(url);
      const response = await send(
        new Request(url, {
          method: "HEAD",
          headers: authorization === undefined
            ? { Accept: ACCEPT, "User-Agent": "bench" }
            : {
              Accept: ACCEPT,
              "User-Agent": "bench",
              Authorization: authorization,
            },
        }),
      );
      await response.body?.cancel();
      if (!response.ok) throw new Error(`HEAD ${url}: ${response.status}`);
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
  });
}

/** hangar's run over the in-memory registry, log lines formatted and dropped. */
/** Token requests of hangar's last run. */
let hangarTokens = 0;

async function hangar(images: number, jobs: number): Promise<Sample> {
  const before = issued.size;
  const sample = await measure(() => hangarRun(images, jobs));
  hangarTokens = issued.size - before;
  return sample;
}

async function hangarRun(images: number, jobs: number): Promise<void> {
  const lines = await listLines(images);
  const clients = createClientFactory({
    ...(listFile === undefined ? { fetch: memoryRegistry(auth) } : {}),
    tlsVerify: false,
    credentials: {
      env: auth === "basic"
        ? { DEST_USERNAME: USER, DEST_PASSWORD: PASSWORD }
        : {},
      home: "/nonexistent",
    },
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
const latencyMs = flag("latency", 0);
const authAt = Deno.args.indexOf("--auth");
const auth = (authAt < 0 ? "none" : Deno.args[authAt + 1]) as AuthMode;
if (!["none", "bearer", "basic"].includes(auth)) {
  throw new TypeError(`Unknown --auth "${auth}": use none, bearer or basic`);
}

// warm up the JIT on both paths
await bare(500, jobs);
await hangar(500, jobs);

const rows: Record<"bare" | "hangar", Sample[]> = { bare: [], hangar: [] };
for (let round = 0; round < rounds; round++) {
  rows.bare.push(await bare(images, jobs));
  rows.hangar.push(await hangar(images, jobs));
}
const perImage = (samples: Sample[], key: keyof Sample) =>
  median(samples.map((s) => s[key])) * 1000 / images;
const bareCpu = perImage(rows.bare, "cpuMs");
const hangarCpu = perImage(rows.hangar, "cpuMs");
console.log(
  `${images} images, -j ${jobs}, auth ${auth}, latency ${latencyMs} ms, median of ${rounds} rounds, per image:`,
);
for (const [name, samples] of Object.entries(rows)) {
  console.log(
    `  ${name.padEnd(6)} ${
      perImage(samples, "cpuMs").toFixed(1).padStart(7)
    } µs CPU ${perImage(samples, "wallMs").toFixed(1).padStart(7)} µs wall`,
  );
}
console.log(`  ratio  ${(hangarCpu / bareCpu).toFixed(2)}x CPU`);
if (auth === "bearer") {
  console.log(
    `  hangar token requests per image: ${(hangarTokens / images).toFixed(3)}`,
  );
}

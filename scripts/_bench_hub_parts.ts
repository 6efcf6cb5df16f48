/**
 * Parts of the hub benchmark (`scripts/bench_hub.ts`): the bare-HEAD floor
 * with tokens fetched beforehand, the skopeo script with credentials and a
 * CA, and the time from start to the first request.
 *
 * @module
 */

import { MANIFEST_ACCEPT } from "../lib/types/manifest.ts";
import type { Run } from "./_bench_measure.ts";
import { forEachLimit } from "./_bench_seed.ts";
import { countSides, type Side } from "./_bench_sides.ts";

/** Options of {@linkcode bareHubHeads}. */
export interface BareHubOptions {
  /** Images seeded (`bench/img-0:v1` on). */
  images: number;
  /** Images checked at once. */
  jobs: number;
  /** The token realm (through its latency proxy). */
  realm: string;
  /** The token service. */
  service: string;
  /** The destination's CA, PEM. */
  caPem: string;
  /** Destination user and password (Basic). */
  user: string;
  /** Destination password. */
  password: string;
}

/**
 * The floor: one HEAD per side per image from this process, `jobs` at once,
 * with every source token fetched beforehand (20 scopes a request, not
 * timed) and Basic auth on the destination over TLS.
 */
export async function bareHubHeads(
  sides: [Side, Side],
  options: BareHubOptions,
): Promise<Run> {
  const { images, jobs } = options;
  const indexes = [...Array(images).keys()];
  const tokens = new Map<number, string>();
  for (let start = 0; start < images; start += 20) {
    const url = new URL(options.realm);
    url.searchParams.set("service", options.service);
    const batch = indexes.slice(start, start + 20);
    for (const i of batch) {
      url.searchParams.append("scope", `repository:bench/img-${i}:pull`);
    }
    const { token } = await (await fetch(url)).json();
    for (const i of batch) tokens.set(i, token);
  }
  const client = Deno.createHttpClient({ caCerts: [options.caPem] });
  const basic = `Basic ${btoa(`${options.user}:${options.password}`)}`;
  const before = await countSides(sides);
  const started = performance.now();
  let mismatches = 0;
  const head = async (url: string, authorization: string) => {
    const response = await fetch(url, {
      method: "HEAD",
      headers: { Accept: MANIFEST_ACCEPT, Authorization: authorization },
      client,
    });
    await response.body?.cancel();
    return response.headers.get("Docker-Content-Digest");
  };
  await forEachLimit(indexes, async (i) => {
    const path = `/v2/bench/img-${i}/manifests/v1`;
    const [a, b] = await Promise.all([
      head(`http://${sides[0].proxy.host}${path}`, `Bearer ${tokens.get(i)}`),
      head(`https://${sides[1].proxy.host}${path}`, basic),
    ]);
    if (a === null || a !== b) mismatches++;
  }, { limit: jobs });
  const wallMs = performance.now() - started;
  client.close();
  const after = await countSides(sides);
  return {
    wallMs,
    code: mismatches === 0 ? 0 : 1,
    stdoutLines: images - mismatches,
    tail: `${mismatches} mismatches`,
    srcRequests: after.srcRequests - before.srcRequests,
    dstRequests: after.dstRequests - before.dstRequests,
    connections: after.connections - before.connections,
    registryCpuMs: 0,
  };
}

/**
 * The skopeo script of the hub scenario: `skopeo inspect --raw` of both
 * sides per line (the destination with the CA and credentials from `$3`),
 * `sha256sum` compared, under `xargs -P`.
 */
export function skopeoHubScript(certDir: string): string {
  return `#!/usr/bin/env bash
# usage: skopeo_hub.sh LIST JOBS USER:PASSWORD
check() {
  set -o pipefail
  local s d
  s=$(skopeo inspect --raw --tls-verify=false "docker://$1:$3" | sha256sum) || { echo "ERROR $1:$3" >&2; return 0; }
  d=$(skopeo inspect --raw --cert-dir "${certDir}" --creds "$HUB_CREDS" "docker://$2:$3" | sha256sum) || { echo "FAILED $2:$3" >&2; return 0; }
  if [ "$s" = "$d" ]; then echo "PASS $1:$3"; else echo "FAILED $1:$3" >&2; fi
}
export -f check
export HUB_CREDS="$3"
xargs -P "$2" -L 1 bash -c 'check "$@"' _ < "$1"
`;
}

/**
 * The time from starting `command mirror-validate` on a one-line list to
 * its first connection to the registry, in ms: the median of `runs`.
 */
export async function firstRequestMs(
  command: string[],
  runs: number,
): Promise<number> {
  const times: number[] = [];
  const dir = await Deno.makeTempDir();
  try {
    for (let run = 0; run <= runs; run++) {
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const host = `127.0.0.1:${listener.addr.port}`;
      await Deno.writeTextFile(
        `${dir}/list.txt`,
        `${host}/a/b ${host}/a/b 1\n`,
      );
      const [cmd, ...args] = command;
      const started = performance.now();
      const child = new Deno.Command(cmd!, {
        args: [
          ...args,
          "mirror-validate",
          "-f",
          `${dir}/list.txt`,
          "--tls-verify=false",
          "-o",
          `${dir}/failed.txt`,
        ],
        stdout: "null",
        stderr: "null",
      }).spawn();
      const conn = await listener.accept();
      const elapsed = performance.now() - started;
      conn.close();
      listener.close();
      child.kill();
      await child.status;
      if (run > 0) times.push(elapsed); // the first run warms the cache
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * The benchmark rows of `--deep` and `--referrers` on the exact-mirror set:
 * requests per image and wall time against the plain run and against bare
 * HEADs of the same blobs sent from the bench process. Private to the
 * benchmark (`scripts/bench.ts`).
 *
 * @module
 */

import { MANIFEST_ACCEPT } from "../lib/types/manifest.ts";
import { isSelected } from "../lib/types/platform.ts";
import type { Run } from "./_bench_measure.ts";
import { forEachLimit } from "./_bench_seed.ts";
import { countSides, type Side } from "./_bench_sides.ts";
import { secs } from "./_bench_table.ts";

/** The platforms hangar selects by default. */
const SELECTION = {
  architectures: ["amd64", "arm64"],
  oses: ["linux", "windows"],
};

interface Entry {
  digest: string;
  platform?: { architecture: string; os: string };
}
interface Manifest {
  manifests?: Entry[];
  config?: { digest: string };
  layers?: { digest: string }[];
}

/** What `--deep` asks for in the seeded destination: its blobs, by repository. */
export interface DeepWork {
  /** `bench/img-N` and the digest of each unique blob of its selected platforms. */
  blobs: [string, string][];
  /** Selected platform manifests of the indexes (read by digest). */
  platformManifests: number;
  /** Digests whose referrers `--referrers` compares: top + selected platforms. */
  subjects: number;
}

/**
 * Reads the selected platform manifests of every seeded image straight from
 * the destination registry (not through the proxy, before anything is
 * measured) and lists the unique blobs per repository that `--deep` checks.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { bareBlobHeads, deepWork } from "./_bench_extra.ts";
 * import { seedMirror } from "./_bench_seed.ts";
 * import { startSides } from "./_bench_sides.ts";
 * await using stack = new AsyncDisposableStack();
 * const sides = await startSides(stack, { delayMs: 1 });
 * await seedMirror([sides[0].registry, sides[1].registry], 4);
 * const work = await deepWork(sides[1], { images: 4, jobs: 2 });
 * // img-0, img-1: single images; img-2, img-3: indexes of amd64 and arm64
 * // (img-3 also arm/v7, not selected)
 * assert.deepEqual([work.blobs.length, work.platformManifests, work.subjects], [12, 4, 8]);
 * const heads = await bareBlobHeads(sides, { work, jobs: 2 });
 * assert.deepEqual([heads.code, heads.srcRequests, heads.dstRequests], [0, 0, 12]);
 * ```
 */
export async function deepWork(
  dst: Side,
  { images, jobs }: { images: number; jobs: number },
): Promise<DeepWork> {
  const blobs: [string, string][] = [];
  let platformManifests = 0;
  let subjects = 0;
  const get = async (repository: string, reference: string) => {
    const res = await fetch(
      `${dst.registry.url}/v2/${repository}/manifests/${reference}`,
      { headers: { Accept: MANIFEST_ACCEPT } },
    );
    if (!res.ok) {
      throw new Error(`GET ${repository}:${reference}: ${res.status}`);
    }
    return await res.json() as Manifest;
  };
  await forEachLimit(
    Array.from({ length: images }, (_, i) => i),
    async (i) => {
      const repository = `bench/img-${i}`;
      const top = await get(repository, "v1");
      const images = top.manifests === undefined ? [top] : await Promise.all(
        top.manifests.filter((e) => isSelected(e.platform, SELECTION)).map(
          (e) => {
            platformManifests++;
            return get(repository, e.digest);
          },
        ),
      );
      subjects += top.manifests === undefined ? 1 : 1 + images.length;
      const unique = new Set<string>();
      for (const image of images) {
        if (image.config) unique.add(image.config.digest);
        for (const layer of image.layers ?? []) unique.add(layer.digest);
      }
      for (const digest of unique) blobs.push([repository, digest]);
    },
    { limit: jobs },
  );
  return { blobs, platformManifests, subjects };
}

/**
 * HEADs every blob of `work` through the destination's proxy, `jobs` at
 * once, from the bench process: the floor of what `--deep` adds.
 */
export async function bareBlobHeads(
  sides: [Side, Side],
  { work, jobs }: { work: DeepWork; jobs: number },
): Promise<Run> {
  const before = await countSides(sides);
  const started = performance.now();
  let missing = 0;
  await forEachLimit(work.blobs, async ([repository, digest]) => {
    const res = await fetch(
      `http://${sides[1].proxy.host}/v2/${repository}/blobs/${digest}`,
      { method: "HEAD" },
    );
    await res.body?.cancel();
    if (res.status !== 200) missing++;
  }, { limit: jobs });
  const wallMs = performance.now() - started;
  const after = await countSides(sides);
  return {
    wallMs,
    code: missing === 0 ? 0 : 1,
    stdoutLines: work.blobs.length - missing,
    tail: `${missing} missing`,
    srcRequests: after.srcRequests - before.srcRequests,
    dstRequests: after.dstRequests - before.dstRequests,
    connections: after.connections - before.connections,
    registryCpuMs: after.registryCpuMs - before.registryCpuMs,
  };
}

/** The runs of {@linkcode printExtraReport}. */
export interface ExtraReport {
  /** Images in the list. */
  images: number;
  /** What `--deep` has to ask. */
  work: DeepWork;
  /** hangar without extra checks. */
  plain: Run;
  /** hangar `--deep`. */
  deep: Run;
  /** hangar `--referrers`. */
  referrers: Run;
  /** Bare HEADs of the same blobs from the bench process. */
  blobHeads: Run;
}

/**
 * Prints the rows of the extra checks and their request targets.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { printExtraReport } from "./_bench_extra.ts";
 * const run = (wallMs: number, dstRequests: number) => ({
 *   wallMs, code: 0, stdoutLines: 1, tail: "", srcRequests: 2, dstRequests,
 *   connections: 2, registryCpuMs: 1,
 * });
 * const printed: string[] = [];
 * const log = console.log;
 * console.log = (line: string) => printed.push(line);
 * try {
 *   printExtraReport({
 *     images: 2,
 *     work: { blobs: [["a", "sha256:1"], ["b", "sha256:2"]], platformManifests: 0, subjects: 2 },
 *     plain: run(10, 2), deep: run(20, 6), referrers: run(30, 8), blobHeads: run(5, 2),
 *   });
 * } finally {
 *   console.log = log;
 * }
 * assert.match(printed[5]!, /^  PASS  --deep .*\(8\): 8$/);
 * ```
 */
export function printExtraReport(report: ExtraReport): void {
  const { images: n, work, plain, deep, referrers, blobHeads } = report;
  const requests = (run: Run) => run.srcRequests + run.dstRequests;
  console.log(
    `\nExtra checks on the same ${n} images (${work.blobs.length} unique blobs per repository, ${work.platformManifests} selected platform manifests of indexes):`,
  );
  const rows: [string, Run][] = [
    ["hangar (plain)", plain],
    ["hangar --deep", deep],
    ["hangar --referrers", referrers],
    ["bare HEADs of the same blobs", blobHeads],
  ];
  for (const [tool, run] of rows) {
    console.log(
      `  ${tool.padEnd(32)} ${secs(run.wallMs).padStart(8)}  ${
        (requests(run) / n).toFixed(2)
      } req/image (src ${run.srcRequests}, dst ${run.dstRequests})  ${
        (run.wallMs / plain.wallMs).toFixed(2)
      }x plain  ${
        (run.wallMs / blobHeads.wallMs).toFixed(2)
      }x bare  exit ${run.code}`,
    );
  }
  // --deep on identical digests: plain + a top GET per image + the
  // platform GETs + one HEAD per unique blob per repository.
  const deepAllowed = requests(plain) + n + work.platformManifests +
    work.blobs.length;
  console.log(
    `  ${
      requests(deep) <= deepAllowed ? "PASS" : "MISS"
    }  --deep sends plain + 1 top GET per image + 1 GET per selected platform manifest + 1 HEAD per unique blob (${deepAllowed}): ${
      requests(deep)
    }`,
  );
  // --referrers: per side 1 request per subject, 1 tag list per repository,
  // 1 API probe per registry; the destination's top GET per image.
  const referrersAllowed = requests(plain) + 2 * work.subjects + 2 * n + 2 + n;
  console.log(
    `  ${
      requests(referrers) <= referrersAllowed ? "PASS" : "MISS"
    }  --referrers sends plain + 1 per checked digest per side + 1 tag list per repository per side + 1 probe per registry + 1 top GET per image (${referrersAllowed}): ${
      requests(referrers)
    }`,
  );
  console.log(
    "  note: the seeded set has no signatures: a cosign tag found costs one HEAD more per side",
  );
}

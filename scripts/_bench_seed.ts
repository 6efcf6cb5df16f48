/**
 * The benchmark's inputs: the same N images seeded into both registries (an
 * exact mirror), the image lists in mirror format that point at it, and the
 * skopeo + xargs script hangar is compared with.
 * Private to the benchmark (`scripts/bench.ts`).
 *
 * @module
 */

import { MANIFEST_ACCEPT } from "../lib/types/manifest.ts";
import type { Distribution } from "../tests/support/distribution.ts";
import { mixedImageSpec, seedImage } from "../tests/support/seed.ts";

/** How many images {@linkcode seedMirror} pushes at once. */
export const SEED_JOBS = 8;

/** Options of {@linkcode forEachLimit}. */
export interface ForEachLimitOptions {
  /** How many calls run at once. */
  limit: number;
}

/**
 * Calls `fn` on every item, at most `limit` calls at once, in list order.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { forEachLimit } from "./_bench_seed.ts";
 * const seen: number[] = [];
 * await forEachLimit([1, 2, 3], async (n) => {
 *   seen.push(n);
 * }, { limit: 2 });
 * assert.deepEqual(seen, [1, 2, 3]);
 * ```
 */
export async function forEachLimit<T>(
  items: T[],
  fn: (item: T) => Promise<void>,
  { limit }: ForEachLimitOptions,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/**
 * Seeds the same `images` images (`bench/img-I:v1`) into both registries,
 * {@linkcode SEED_JOBS} at a time, with the same seeds, so the same digests;
 * then checks that both serve the digest of two of them.
 *
 * @returns The digest of each image by its index.
 * @throws {Error} When the registries hold or serve different digests.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { seedMirror } from "./_bench_seed.ts";
 * import { startSides } from "./_bench_sides.ts";
 * await using stack = new AsyncDisposableStack();
 * const [src, dst] = await startSides(stack, { delayMs: 1 });
 * const digests = await seedMirror([src.registry, dst.registry], 3);
 * assert.deepEqual([...digests.keys()].sort(), [0, 1, 2]);
 * ```
 */
export async function seedMirror(
  [src, dst]: [Distribution, Distribution],
  images: number,
): Promise<Map<number, string>> {
  const digests = new Map<number, string>();
  const indexes = Array.from({ length: images }, (_, i) => i);
  await forEachLimit(indexes, async (i) => {
    const ref = { repository: `bench/img-${i}`, tag: "v1" };
    const [a, b] = await Promise.all([
      seedImage(src.url, ref, mixedImageSpec(i, "bench")),
      seedImage(dst.url, ref, mixedImageSpec(i, "bench")),
    ]);
    if (a.digest !== b.digest) {
      throw new Error(`Seeded digests differ for "${ref.repository}"`);
    }
    digests.set(i, a.digest);
  }, { limit: SEED_JOBS });
  for (const i of [2, 3].filter((i) => i < images)) {
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

/**
 * The mirror-format list of the seeded images, one `SRC DST v1` line each
 * (newline included), `src` and `dst` being the hosts to check through.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { mirrorLines } from "./_bench_seed.ts";
 * assert.deepEqual(mirrorLines(["a:1", "b:2"], 1), ["a:1/bench/img-0 b:2/bench/img-0 v1\n"]);
 * ```
 */
export function mirrorLines(
  [src, dst]: [string, string],
  images: number,
): string[] {
  return Array.from(
    { length: images },
    (_, i) => `${src}/bench/img-${i} ${dst}/bench/img-${i} v1\n`,
  );
}

/** Options of {@linkcode writeCycledList}. */
export interface CycledListOptions {
  /** The lines to cycle through, each with its newline. */
  lines: string[];
  /** How many lines to write. */
  count: number;
}

/**
 * Writes `count` lines cycling through `lines` to `path`, 10,000 at a time
 * (a long list without holding it in memory).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeCycledList } from "./_bench_seed.ts";
 * const path = await Deno.makeTempFile();
 * await writeCycledList(path, { lines: ["a\n", "b\n"], count: 3 });
 * assert.equal(await Deno.readTextFile(path), "a\nb\na\n");
 * await Deno.remove(path);
 * ```
 */
export async function writeCycledList(
  path: string,
  { lines, count }: CycledListOptions,
): Promise<void> {
  const file = await Deno.open(path, {
    write: true,
    create: true,
    truncate: true,
  });
  const encoder = new TextEncoder();
  for (let start = 0; start < count; start += 10_000) {
    const chunk = Array.from(
      { length: Math.min(10_000, count - start) },
      (_, k) => lines[(start + k) % lines.length],
    ).join("");
    await file.write(encoder.encode(chunk));
  }
  file.close();
}

/**
 * What hangar is compared with: `skopeo inspect --raw` of both sides per
 * line, `sha256sum` compared, under `xargs -P`.
 */
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

/**
 * Writes the inputs of the runs into `dir`: `list.txt` (`lines`),
 * `list2.txt` (every line twice) and the executable `skopeo_check.sh`
 * (usage: `skopeo_check.sh LIST JOBS`).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeInputs } from "./_bench_seed.ts";
 * const dir = await Deno.makeTempDir();
 * await writeInputs(dir, ["a\n", "b\n"]);
 * assert.equal(await Deno.readTextFile(`${dir}/list2.txt`), "a\na\nb\nb\n");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeInputs(dir: string, lines: string[]): Promise<void> {
  await Deno.writeTextFile(`${dir}/list.txt`, lines.join(""));
  await Deno.writeTextFile(
    `${dir}/list2.txt`,
    lines.map((l) => l + l).join(""),
  );
  await Deno.writeTextFile(`${dir}/skopeo_check.sh`, SKOPEO_SCRIPT, {
    mode: 0o755,
  });
}

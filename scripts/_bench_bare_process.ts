/**
 * The bare HEADs as a script of their own: what any Deno program pays to
 * start, connect and send the same requests, without hangar. Run by
 * `scripts/bench_ab.ts` in a new process per round.
 *
 * Usage: deno run -A scripts/_bench_bare_process.ts SRC_HOST DST_HOST IMAGES JOBS
 * (exits 1 when a digest is missing or differs).
 *
 * @module
 */
import { MANIFEST_ACCEPT } from "../lib/types/manifest.ts";

const [src, dst, images, jobs] = Deno.args;
const head = async (host: string, i: number) => {
  const response = await fetch(
    `http://${host}/v2/bench/img-${i}/manifests/v1`,
    {
      method: "HEAD",
      headers: { Accept: MANIFEST_ACCEPT },
    },
  );
  await response.body?.cancel();
  return response.headers.get("docker-content-digest");
};
const total = Number(images);
let next = 0;
let mismatches = 0;
await Promise.all(
  Array.from({ length: Number(jobs) }, async () => {
    while (next < total) {
      const i = next++;
      const [a, b] = await Promise.all([head(src!, i), head(dst!, i)]);
      if (a === null || a !== b) mismatches++;
    }
  }),
);
console.log(`${total - mismatches} of ${total} identical`);
Deno.exit(mismatches === 0 ? 0 : 1);

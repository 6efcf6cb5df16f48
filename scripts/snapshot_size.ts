/**
 * How big a snapshot of a Rancher-release-sized list is: 600 images of the
 * benchmark's mixed shapes (single images and 2-3 platform indexes, some with
 * attestations) in the in-memory registry, recorded with `hangar mirror
 * snapshot` as JSON and as gzip. Prints sizes, bytes per image and wall time.
 *
 * Usage: deno run -A scripts/snapshot_size.ts [IMAGES]
 */

import { main } from "../cli.ts";
import { OciRegistry, serveHandler } from "../tests/support/oci_server.ts";
import { mixedImageSpec, seedImage } from "../tests/support/seed.ts";
import { forEachLimit, SEED_JOBS } from "./_bench_seed.ts";

const images = Number(Deno.args[0] ?? 600);
const source = serveHandler(new OciRegistry({ name: "source" }).handler);
const dir = await Deno.makeTempDir({ prefix: "hangar-snapshot-size-" });
try {
  const indexes = [...Array(images).keys()];
  await forEachLimit(indexes, async (i) => {
    await seedImage(
      source.url,
      { repository: `bench/img-${i}`, tag: "1" },
      mixedImageSpec(i, "size"),
    );
  }, { limit: SEED_JOBS });
  const list = `${dir}/list.txt`;
  await Deno.writeTextFile(
    list,
    indexes.map((i) => `${source.host}/bench/img-${i}:1`).join("\n") + "\n",
  );
  console.log(
    `${images} images, mixed shapes, -j 20, ${navigator.hardwareConcurrency} CPUs`,
  );
  console.log("| file | bytes | bytes per image | wall |");
  console.log("|---|---|---|---|");
  for (const name of ["source.json", "source.json.gz"]) {
    const started = performance.now();
    const code = await main([
      "mirror-snapshot",
      "-f",
      list,
      "-d",
      "mirror.invalid",
      "-o",
      `${dir}/${name}`,
      "--failed",
      `${dir}/failed.txt`,
      "--tls-verify=false",
      "-j",
      "20",
    ], {
      stdout: () => {},
      stderr: (t) => Deno.stderr.writeSync(new TextEncoder().encode(t)),
    });
    const wall = performance.now() - started;
    if (code !== 0) throw new Error(`mirror snapshot exited ${code}`);
    const { size } = await Deno.stat(`${dir}/${name}`);
    console.log(
      `| ${name} | ${size} | ${Math.round(size / images)} | ${
        (wall / 1000).toFixed(2)
      } s |`,
    );
  }
} finally {
  await source.close();
  await Deno.remove(dir, { recursive: true });
}

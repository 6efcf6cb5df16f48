/**
 * The demo: two small registries served in-process by the project's own
 * minimal OCI distribution server, holding correct and broken mirrors, and
 * `hangar mirror-validate` run against them; then the air-gap flow: a
 * snapshot of the source, the source stopped, the same validation from the
 * snapshot. Nothing else needs installing.
 *
 * Usage: deno task demo
 */

import { main } from "../cli.ts";
import { OciRegistry, serveHandler } from "../tests/support/oci_server.ts";
import {
  type ImageSpec,
  indexBody,
  type IndexEntry,
  pushManifest,
  type SeededImage,
  seedImage,
} from "../tests/support/seed.ts";

const AMD64 = { architecture: "amd64", os: "linux" };
const ARM64 = { architecture: "arm64", os: "linux" };
const S390X = { architecture: "s390x", os: "linux" };

const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

const source = serveHandler(new OciRegistry({ name: "source" }).handler);
const mirror = serveHandler(new OciRegistry({ name: "mirror" }).handler);
const dir = await Deno.makeTempDir({ prefix: "hangar-demo-" });
let sourceUp = true;
try {
  const src = source.url;
  const dst = mirror.url;
  /** Seeds `spec` as `repository:tag` in the source, as `repository:mirrorTag` in the mirror. */
  const seedBoth = async (
    repository: string,
    [tag, mirrorTag]: [string, string?],
    spec: ImageSpec,
  ): Promise<SeededImage> => {
    const seeded = await seedImage(src, { repository, tag }, spec);
    await seedImage(dst, { repository, tag: mirrorTag ?? tag }, spec);
    return seeded;
  };
  /** Pushes a Docker manifest list of `entries` as `repository:tag` in the mirror. */
  const pushMirrorList = (
    repository: string,
    tag: string,
    entries: IndexEntry[],
  ) =>
    pushManifest(
      dst,
      { repository, reference: tag },
      indexBody("docker", entries),
      DOCKER_LIST,
    );
  // An exact mirror of a multi-arch OCI index with attestations.
  await seedBoth("library/alpine", ["3.20"], {
    kind: "index",
    format: "oci",
    platforms: [AMD64, ARM64, S390X],
    attestations: true,
    seed: "alpine",
  });
  // Legacy hangar layout: the mirror's list keeps only the selected platforms.
  const rancher = await seedBoth("rancher/rancher", ["v2.9.0"], {
    kind: "index",
    format: "docker",
    platforms: [AMD64, ARM64, S390X],
    seed: "rancher",
  });
  await pushMirrorList(
    "rancher/rancher",
    "v2.9.0",
    rancher.children.filter((c) => c.platform.architecture !== "s390x"),
  );
  // A single image, wrapped in a one-entry list by the mirror.
  const busybox = await seedBoth("library/busybox", ["1.36", "1.36-single"], {
    kind: "image",
    format: "docker",
    platform: AMD64,
    seed: "busybox",
  });
  await pushMirrorList("library/busybox", "1.36", [{
    digest: busybox.digest,
    mediaType: busybox.mediaType,
    size: busybox.size,
    platform: AMD64,
  }]);
  // A stale mirror: upstream rebuilt arm64 after the mirror was made.
  const fresh = await seedBoth("library/nginx", ["1.27", "1.27-new"], {
    kind: "index",
    format: "docker",
    platforms: [AMD64, ARM64],
    seed: "nginx",
  });
  const old = await seedImage(dst, {
    repository: "library/nginx",
    tag: "1.27-old",
  }, {
    kind: "index",
    format: "docker",
    platforms: [ARM64],
    seed: "nginx-old",
  });
  await pushMirrorList("library/nginx", "1.27", [
    fresh.children[0]!,
    old.children[0]!,
  ]);
  // Never mirrored.
  await seedImage(src, { repository: "library/redis", tag: "7" }, {
    kind: "image",
    format: "oci",
    platform: AMD64,
    seed: "redis",
  });
  // Only s390x: nothing to check for amd64/arm64.
  await seedImage(src, { repository: "ibm/s390x-tool", tag: "1" }, {
    kind: "image",
    format: "oci",
    platform: S390X,
    seed: "s390x",
  });

  const list = `${dir}/list.txt`;
  const failed = `${dir}/mirror-validate-failed.txt`;
  await Deno.writeTextFile(
    list,
    [
      "# images mirrored for the air-gapped cluster",
      "alpine:3.20",
      "rancher/rancher:v2.9.0",
      "busybox:1.36",
      "nginx:1.27",
      "redis:7",
      "ibm/s390x-tool:1",
      "Redis:7",
      "",
    ].join("\n"),
  );
  const args = [
    "mirror-validate",
    "-f",
    list,
    "-s",
    source.host,
    "-d",
    mirror.host,
    "-j",
    "4",
    "--tls-verify=false",
    "-o",
    failed,
  ];
  console.log(`$ hangar ${args.join(" ")}\n`);
  const code = await main(args);
  console.log(`\nexit status: ${code}`);
  console.log(`\n$ cat ${failed}`);
  console.log(await Deno.readTextFile(failed).catch(() => "(no failed file)"));

  // The air gap: record the source where it is reachable, carry the file in,
  // validate from it with the source out of reach.
  const snapshot = `${dir}/source.json.gz`;
  const snapshotArgs = [
    "mirror",
    "snapshot",
    "-f",
    list,
    "-s",
    source.host,
    "-j",
    "4",
    "--tls-verify=false",
    "-o",
    snapshot,
    "--failed",
    `${dir}/snapshot-failed.txt`,
  ];
  console.log(`\n$ hangar ${snapshotArgs.join(" ")}\n`);
  console.log(`\nexit status: ${await main(snapshotArgs)}`);
  await source.close();
  sourceUp = false;
  console.log("\n# the source registry is stopped now");
  const offlineArgs = [...args, "--source-snapshot", snapshot];
  console.log(`\n$ hangar ${offlineArgs.join(" ")}\n`);
  console.log(`\nexit status: ${await main(offlineArgs)}`);
} finally {
  if (sourceUp) await source.close();
  await mirror.close();
  await Deno.remove(dir, { recursive: true });
}

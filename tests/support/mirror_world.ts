/**
 * The integration world: two real distribution registries, images pushed by
 * the seeding helper, mirrored by skopeo (exact), by hand in legacy-hangar
 * layouts, and broken in each way the verdict rules name; and the list that
 * names every scenario.
 *
 * @module
 */

import { type Distribution, startDistribution } from "./distribution.ts";
import {
  indexBody,
  pushManifest,
  type SeededImage,
  seedImage,
} from "./seed.ts";
import { skopeoCopy } from "./skopeo.ts";
import { requireTools } from "./tools.ts";
import type { Platform } from "../../lib/types/platform.ts";

const AMD64: Platform = { architecture: "amd64", os: "linux" };
const ARM64: Platform = { architecture: "arm64", os: "linux" };
const ARMV7: Platform = { architecture: "arm", os: "linux", variant: "v7" };
const S390X: Platform = { architecture: "s390x", os: "linux" };
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

/** The registries and what was seeded, by repository. */
export interface World {
  src: Distribution;
  dst: Distribution;
  images: Record<string, SeededImage>;
}

/** Starts both registries and builds every scenario. */
export async function buildWorld(): Promise<World> {
  await requireTools("docker-registry", "skopeo");
  const src = await startDistribution();
  const dst = await startDistribution();
  const images: Record<string, SeededImage> = {};
  const seed = async (repo: string, spec: Parameters<typeof seedImage>[2]) => {
    images[repo] = await seedImage(
      src.url,
      { repository: repo, tag: "1" },
      spec,
    );
  };
  await seed("lib/docker-list", {
    kind: "index",
    format: "docker",
    platforms: [AMD64, ARM64, S390X],
    seed: "dl",
  });
  await seed("lib/oci-index", {
    kind: "index",
    format: "oci",
    platforms: [AMD64, ARM64],
    attestations: true,
    seed: "oi",
  });
  await seed("lib/docker-single", {
    kind: "image",
    format: "docker",
    platform: AMD64,
    seed: "ds",
  });
  await seed("lib/oci-single", {
    kind: "image",
    format: "oci",
    platform: ARM64,
    seed: "os",
  });
  await seed("lib/s390x-only", {
    kind: "image",
    format: "oci",
    platform: S390X,
    seed: "sx",
  });
  await seed("lib/missing", {
    kind: "image",
    format: "docker",
    platform: AMD64,
    seed: "mi",
  });

  // Exact copies, the way operators mirror.
  for (
    const repo of [
      "lib/docker-list",
      "lib/oci-index",
      "lib/docker-single",
      "lib/oci-single",
    ]
  ) {
    await skopeoCopy(
      `docker://${src.host}/${repo}:1`,
      `docker://${dst.host}/${repo}:1`,
    );
  }
  // Legacy hangar: index with only the selected platforms; single image in a one-entry list.
  await skopeoCopy(
    `docker://${src.host}/lib/docker-list:1`,
    `docker://${dst.host}/legacy/docker-list:full`,
  );
  const dl = images["lib/docker-list"]!;
  const selected = dl.children.filter((c) =>
    c.platform.architecture !== "s390x"
  );
  await pushManifest(
    dst.url,
    { repository: "legacy/docker-list", reference: "1" },
    indexBody("docker", selected),
    DOCKER_LIST,
  );
  await skopeoCopy(
    `docker://${src.host}/lib/docker-single:1`,
    `docker://${dst.host}/legacy/docker-single:single`,
  );
  const ds = images["lib/docker-single"]!;
  await pushManifest(
    dst.url,
    { repository: "legacy/docker-single", reference: "1" },
    indexBody("docker", [{
      digest: ds.digest,
      mediaType: ds.mediaType,
      size: ds.size,
      platform: AMD64,
    }]),
    DOCKER_LIST,
  );
  // Broken mirrors, each in its own repository with the source's tag.
  const amd = dl.children.find((c) => c.platform.architecture === "amd64")!;
  const arm = dl.children.find((c) => c.platform.architecture === "arm64")!;
  const broken = async (repo: string, entries: typeof dl.children) => {
    await skopeoCopy(
      `docker://${src.host}/lib/docker-list:1`,
      `docker://${dst.host}/${repo}:full`,
    );
    await pushManifest(
      dst.url,
      { repository: repo, reference: "1" },
      indexBody("docker", entries),
      DOCKER_LIST,
    );
  };
  await broken("broken/missing-arm64", [amd]);
  await broken("broken/wrong-label", [amd, { ...arm, platform: ARMV7 }]);
  const stale = await seedImage(dst.url, {
    repository: "broken/stale-arm64",
    tag: "old",
  }, {
    kind: "index",
    format: "docker",
    platforms: [ARM64],
    seed: "old",
  });
  await broken("broken/stale-arm64", [amd, stale.children[0]!]);
  images["dst:stale"] = stale;
  images["dst:single"] = await seedImage(dst.url, {
    repository: "broken/single",
    tag: "1",
  }, {
    kind: "image",
    format: "docker",
    platform: AMD64,
    seed: "other",
  });
  return { src, dst, images };
}

/** The list lines of every scenario, in the order the tests number them. */
export function worldLines(world: World): string[] {
  const s = world.src.host;
  const d = world.dst.host;
  return [
    `${s}/lib/docker-list ${d}/lib/docker-list 1`,
    `${s}/lib/oci-index ${d}/lib/oci-index 1`,
    `${s}/lib/docker-single\t${d}/lib/docker-single\t1`,
    `${s}/lib/oci-single ${d}/lib/oci-single 1`,
    `${s}/lib/docker-list ${d}/legacy/docker-list 1`,
    `${s}/lib/docker-single ${d}/legacy/docker-single 1`,
    `${s}/lib/s390x-only ${d}/lib/s390x-only 1`,
    `${s}/lib/missing ${d}/lib/missing 1`,
    `${s}/lib/docker-list ${d}/broken/missing-arm64 1`,
    `${s}/lib/docker-list ${d}/broken/wrong-label 1`,
    `${s}/lib/docker-list ${d}/broken/stale-arm64 1`,
    `${s}/lib/docker-single ${d}/broken/single 1`,
    `${s}/lib/not-there ${d}/lib/not-there 1`,
    "bad line with four",
  ];
}

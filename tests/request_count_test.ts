// How many requests a run costs, counted by two in-memory registries behind an
// injected fetch: one HEAD per registry per exactly mirrored image, nothing more
// for repeated lines, and only the two index GETs for a mismatched index.

import assert from "node:assert/strict";
import type { Platform } from "../lib/types/platform.ts";
import { runOnList } from "./support/cli_run.ts";
import type { OciRegistry } from "./support/oci_server.ts";
import {
  indexBody,
  mixedImageSpec,
  pushManifest,
  seedImage,
} from "./support/seed.ts";
import {
  DST_HOST,
  routeHosts,
  seedBoth,
  SRC_HOST,
  twoRegistries,
} from "./support/two_registries.ts";

const AMD64: Platform = { architecture: "amd64", os: "linux" };
const ARM64: Platform = { architecture: "arm64", os: "linux" };
const S390X: Platform = { architecture: "s390x", os: "linux" };
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** Two registries behind one fetch, by host, each keeping `METHOD PATH` of every request. */
function countingRegistries() {
  const { src, dst } = twoRegistries();
  const log = { src: [] as string[], dst: [] as string[] };
  /** Hosts whose manifest HEADs answer 405, as some registries' do. */
  const noHead = new Set<string>();
  const logged =
    (side: "src" | "dst", registry: OciRegistry) => (request: Request) => {
      const url = new URL(request.url);
      const line = `${request.method} ${url.pathname}`;
      if (
        noHead.has(url.host) && request.method === "HEAD" &&
        url.pathname.includes("/manifests/")
      ) {
        log[side].push(`${line} 405`);
        return Promise.resolve(new Response(null, { status: 405 }));
      }
      log[side].push(line);
      return registry.handler(request);
    };
  const fetch = routeHosts({
    [SRC_HOST]: logged("src", src),
    [DST_HOST]: logged("dst", dst),
  });
  const reset = () => {
    src.resetCount();
    dst.resetCount();
    log.src.length = 0;
    log.dst.length = 0;
  };
  return { src, dst, log, fetch, reset, noHead };
}

type World = ReturnType<typeof countingRegistries>;

async function run(world: World, list: string) {
  world.reset();
  const { code, stdout, stderr } = await runOnList(list, [
    "--tls-verify=false",
    "-j",
    "10",
  ], { fetch: world.fetch });
  return {
    code,
    stdout,
    stderr,
    src: world.src.requests,
    dst: world.dst.requests,
  };
}

const mirrorLine = (repository: string) =>
  `src.test/${repository} dst.test/${repository} v1\n`;

async function twentyImages(): Promise<{ world: World; list: string }> {
  const world = countingRegistries();
  let list = "";
  for (let i = 0; i < 20; i++) {
    await seedBoth(
      world,
      { repository: `bench/img-${i}`, tag: "v1" },
      mixedImageSpec(i, "count"),
    );
    list += mirrorLine(`bench/img-${i}`);
  }
  return { world, list };
}

const heads = () =>
  Array.from({ length: 20 }, (_, i) => `HEAD /v2/bench/img-${i}/manifests/v1`)
    .sort();

Deno.test("main() sends exactly one HEAD per registry for each exactly mirrored image", async () => {
  const { world, list } = await twentyImages();
  const result = await run(world, list);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /Validated 20 lines in \S+: 20 passed, 0 skipped, 0 failed, 0 invalid, 0 not run/,
  );
  assert.deepEqual([...world.log.src].sort(), heads());
  assert.deepEqual([...world.log.dst].sort(), heads());
  assert.equal(result.src, 20);
  assert.equal(result.dst, 20);
});

Deno.test("main() validates a line repeated 3 times once: the same requests as the list alone", async () => {
  const { world, list } = await twentyImages();
  const result = await run(world, list + list + list);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /Validated 60 lines in \S+: 60 passed, 0 skipped, 0 failed, 0 invalid, 0 not run/,
  );
  assert.deepEqual([...world.log.src].sort(), heads());
  assert.deepEqual([...world.log.dst].sort(), heads());
  assert.equal(result.src, 20);
  assert.equal(result.dst, 20);
});

Deno.test("main() compares a mismatched index with one HEAD and one GET of the index per side, nothing per child", async () => {
  const world = countingRegistries();
  // Legacy hangar layout: the mirror's list keeps only the selected platforms (PASS).
  const legacy = await seedBoth(
    world,
    { repository: "lib/legacy", tag: "v1" },
    {
      kind: "index",
      format: "docker",
      platforms: [AMD64, ARM64, S390X],
      seed: "l",
    },
  );
  const kept = legacy.children.filter((c) =>
    c.platform.architecture !== "s390x"
  );
  const legacyBody = indexBody("docker", kept);
  const legacyDst = await pushManifest(
    "http://dst.test",
    { repository: "lib/legacy", reference: "v1" },
    legacyBody,
    DOCKER_LIST,
    {
      fetch: (r) => world.dst.handler(r),
    },
  );
  // A stale mirror: the source's arm64 image was rebuilt since (FAILED).
  const stale = await seedBoth(world, { repository: "lib/stale", tag: "v1" }, {
    kind: "index",
    format: "oci",
    platforms: [AMD64, ARM64],
    seed: "s",
  });
  const rebuilt = await seedImage("http://src.test", {
    repository: "lib/stale",
    tag: "arm64-new",
  }, {
    kind: "image",
    format: "oci",
    platform: ARM64,
    seed: "s-new",
  }, { fetch: (r) => world.src.handler(r) });
  const staleSrc = await pushManifest(
    "http://src.test",
    { repository: "lib/stale", reference: "v1" },
    indexBody("oci", [
      stale.children[0]!,
      {
        digest: rebuilt.digest,
        mediaType: rebuilt.mediaType,
        size: rebuilt.size,
        platform: ARM64,
      },
    ]),
    OCI_INDEX,
    { fetch: (r) => world.src.handler(r) },
  );

  const result = await run(
    world,
    mirrorLine("lib/legacy") + mirrorLine("lib/stale"),
  );
  assert.equal(result.code, 1);
  assert.match(result.stdout, /\[M_ID:1\] PASS \[src.test\/lib\/legacy:v1\]/);
  assert.match(result.stderr, /\[M_ID:2\] FAILED \[src.test\/lib\/stale:v1\]/);
  assert.deepEqual([...world.log.src].sort(), [
    `GET /v2/lib/legacy/manifests/${legacy.digest}`,
    `GET /v2/lib/stale/manifests/${staleSrc}`,
    "HEAD /v2/lib/legacy/manifests/v1",
    "HEAD /v2/lib/stale/manifests/v1",
  ]);
  assert.deepEqual([...world.log.dst].sort(), [
    `GET /v2/lib/legacy/manifests/${legacyDst}`,
    `GET /v2/lib/stale/manifests/${stale.digest}`,
    "HEAD /v2/lib/legacy/manifests/v1",
    "HEAD /v2/lib/stale/manifests/v1",
  ]);
  assert.equal(result.src, 4);
  assert.equal(result.dst, 4);
});

Deno.test("main() reuses the body read after a HEAD answered 405: one GET per side, not two", async () => {
  const world = countingRegistries();
  await seedBoth(world, { repository: "lib/app", tag: "v1" }, {
    kind: "index",
    format: "docker",
    platforms: [AMD64, ARM64, S390X],
    seed: "a",
  });
  const seeded = await seedImage("http://x", {
    repository: "lib/app",
    tag: "v1",
  }, {
    kind: "index",
    format: "docker",
    platforms: [AMD64, ARM64],
    seed: "a",
  }, { fetch: (r) => world.dst.handler(r) });
  world.noHead.add("src.test");
  world.noHead.add("dst.test");
  const result = await run(world, mirrorLine("lib/app"));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\[M_ID:1\] PASS \[src.test\/lib\/app:v1\]/);
  assert.ok(seeded.children.length === 2);
  assert.deepEqual(world.log.src, [
    "HEAD /v2/lib/app/manifests/v1 405",
    "GET /v2/lib/app/manifests/v1",
  ]);
  assert.deepEqual(world.log.dst, [
    "HEAD /v2/lib/app/manifests/v1 405",
    "GET /v2/lib/app/manifests/v1",
  ]);
});

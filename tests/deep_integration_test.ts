// `--deep` against two real distribution 2.8.2 registries: an exact mirror
// passes with exact counts, a repository whose layer or config link was
// removed from the storage fails `blob-missing`, a platform manifest that
// cannot be pulled by digest fails, a blob two images share is asked once,
// and the requests are one HEAD per unique blob per repository plus one GET
// per selected platform manifest.

import assert from "node:assert/strict";
import { runCli, validatePlain } from "./support/cli_run.ts";
import { type Distribution, distributionsIn } from "./support/distribution.ts";
import { type SeededImage, seedImage } from "./support/seed.ts";
import { skopeoCopy } from "./support/skopeo.ts";
import type { Platform } from "../lib/types/platform.ts";

const AMD64: Platform = { architecture: "amd64", os: "linux" };
const ARM64: Platform = { architecture: "arm64", os: "linux" };
const S390X: Platform = { architecture: "s390x", os: "linux" };

interface Blob {
  mediaType: string;
  digest: string;
  size: number;
}
interface ImageManifest {
  config: Blob;
  layers: Blob[];
}

async function manifestOf(
  registry: Distribution,
  repository: string,
  digest: string,
): Promise<ImageManifest> {
  const res = await fetch(
    `${registry.url}/v2/${repository}/manifests/${digest}`,
    {
      headers: {
        Accept:
          "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
      },
    },
  );
  assert.equal(res.status, 200);
  return await res.json();
}

/** Removes `<repo>/<folder>/sha256/<hex>/link` from the registry's storage. */
async function unlink(
  registry: Distribution,
  repository: string,
  folder: "_layers" | "_manifests/revisions",
  digest: string,
) {
  const hex = digest.slice("sha256:".length);
  await Deno.remove(
    `${registry.storageDir}/docker/registry/v2/repositories/${repository}/${folder}/sha256/${hex}/link`,
  );
}

/**
 * A fetch that keeps `src|dst METHOD PATH` of every plain-http request (the
 * first request to each registry also tries https, which fails TLS before
 * the registry logs anything).
 */
function loggingFetch(src: Distribution, dst: Distribution) {
  const log: string[] = [];
  const base = (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const side = url.host === src.host
      ? "src"
      : url.host === dst.host
      ? "dst"
      : url.host;
    if (url.protocol === "http:") {
      log.push(`${side} ${request.method} ${url.pathname}`);
    }
    return fetch(request);
  };
  return { log, fetch: base as typeof fetch };
}

Deno.test("--deep checks every blob of the selected platforms in the destination repository", async (t) => {
  await using stack = new AsyncDisposableStack();
  const start = distributionsIn(stack);
  const src = await start();
  const dst = await start();
  const dir = await Deno.makeTempDir();
  stack.defer(() => Deno.remove(dir, { recursive: true }));
  const s = src.host;
  const d = dst.host;

  const index: SeededImage = await seedImage(src.url, {
    repository: "lib/index",
    tag: "1",
  }, {
    kind: "index",
    format: "oci",
    platforms: [AMD64, ARM64, S390X],
    seed: "deep",
  });
  // Same seed and platform in both formats: the same config and layer blobs
  // under two different manifests.
  const sharedDigests: Record<string, string> = {};
  for (const format of ["docker", "oci"] as const) {
    sharedDigests[format] =
      (await seedImage(src.url, { repository: "lib/shared", tag: format }, {
        kind: "image",
        format,
        platform: AMD64,
        seed: "shared",
      })).digest;
  }
  for (
    const [from, to] of [
      ["lib/index:1", "lib/index:1"],
      [
        "lib/shared:docker",
        "lib/shared:docker",
      ],
      ["lib/shared:oci", "lib/shared:oci"],
      [
        "lib/index:1",
        "broken/no-layer:1",
      ],
      ["lib/index:1", "broken/no-config:1"],
      [
        "lib/index:1",
        "broken/no-manifest:1",
      ],
    ]
  ) {
    await skopeoCopy(`docker://${s}/${from}`, `docker://${d}/${to}`);
  }
  const amd = index.children.find((c) => c.platform.architecture === "amd64")!;
  const arm = index.children.find((c) => c.platform.architecture === "arm64")!;
  const amdImage = await manifestOf(src, "lib/index", amd.digest);
  const armImage = await manifestOf(src, "lib/index", arm.digest);
  const layer = amdImage.layers[0]!;
  const config = armImage.config;
  await unlink(dst, "broken/no-layer", "_layers", layer.digest);
  await unlink(dst, "broken/no-config", "_layers", config.digest);
  await unlink(dst, "broken/no-manifest", "_manifests/revisions", amd.digest);

  const lines = [
    `${s}/lib/index ${d}/lib/index 1`,
    `${s}/lib/shared ${d}/lib/shared docker`,
    `${s}/lib/shared ${d}/lib/shared oci`,
    `${s}/lib/index ${d}/broken/no-layer 1`,
    `${s}/lib/index ${d}/broken/no-config 1`,
    `${s}/lib/index ${d}/broken/no-manifest 1`,
  ];
  const list = `${dir}/list.txt`;
  await Deno.writeTextFile(list, lines.join("\n") + "\n");
  // one at a time: which image asks a shared blob first is fixed
  const validate = (flags: string[], io = {}) =>
    validatePlain(list, `${dir}/failed.txt`, ["-j", "1", ...flags], io);

  await t.step(
    "without --deep every line passes: the manifests are all there",
    async () => {
      const run = await validate([]);
      assert.equal(run.code, 0, run.text);
      assert.match(run.stdout, /6 passed, 0 skipped, 0 failed/);
    },
  );

  const run = await validate(["--deep", "--report", `json=${dir}/report.json`]);
  const report = (await Deno.readTextFile(`${dir}/report.json`)).trim().split(
    "\n",
  ).map((line) => JSON.parse(line));
  const byLine = (n: number) => report.find((r) => r.line === n);

  await t.step("an exact mirror passes with its counts", () => {
    assert.match(
      run.stdout,
      new RegExp(
        `^\\[INFO\\] \\[M_ID:1\\] PASS \\[${s}/lib/index:1\\] == \\[${d}/lib/index:1\\]$`,
        "m",
      ),
    );
    assert.deepEqual(byLine(1).checks, {
      manifestsRead: 2,
      blobsChecked: 4,
      blobsSeen: 0,
      blobsForeign: 0,
    });
  });

  await t.step(
    "a blob two images share in one repository is asked once",
    () => {
      assert.equal(byLine(2).status, "passed");
      assert.equal(byLine(3).status, "passed");
      assert.deepEqual(byLine(2).checks, {
        manifestsRead: 0,
        blobsChecked: 2,
        blobsSeen: 0,
        blobsForeign: 0,
      });
      assert.deepEqual(byLine(3).checks, {
        manifestsRead: 0,
        blobsChecked: 0,
        blobsSeen: 2,
        blobsForeign: 0,
      });
    },
  );

  await t.step(
    "a missing layer fails blob-missing naming platform, digest, media type and size",
    () => {
      assert.match(
        run.stderr,
        new RegExp(
          `^\\[ERRO\\] \\[M_ID:4\\] FAILED \\[${s}/lib/index:1\\] => \\[${d}/broken/no-layer:1\\]: destination is missing a blob: linux/amd64 layer ${layer.digest} \\(application/vnd\\.oci\\.image\\.layer\\.v1\\.tar\\+gzip, ${layer.size} bytes\\)$`,
          "m",
        ),
      );
      assert.equal(byLine(4).kind, "blob-missing");
    },
  );

  await t.step("a missing config fails blob-missing the same way", () => {
    assert.match(
      run.stderr,
      new RegExp(
        `^\\[ERRO\\] \\[M_ID:5\\] FAILED \\[${s}/lib/index:1\\] => \\[${d}/broken/no-config:1\\]: destination is missing a blob: linux/arm64 config ${config.digest} \\(application/vnd\\.oci\\.image\\.config\\.v1\\+json, ${config.size} bytes\\)$`,
        "m",
      ),
    );
    assert.equal(byLine(5).kind, "blob-missing");
  });

  await t.step(
    "a tag that HEADs but whose platform manifest cannot be fetched by digest fails",
    () => {
      assert.match(
        run.stderr,
        new RegExp(
          `^\\[ERRO\\] \\[M_ID:6\\] FAILED \\[${s}/lib/index:1\\] => \\[${d}/broken/no-manifest:1\\]: destination: linux/amd64 manifest ${amd.digest} cannot be pulled by digest: it does not exist$`,
          "m",
        ),
      );
      assert.equal(byLine(6).kind, "missing");
    },
  );

  await t.step(
    "the summary counts what was checked and the run exits 1",
    async () => {
      assert.equal(run.code, 1, run.text);
      assert.match(run.stdout, /6 lines in .*: 3 passed, 0 skipped, 3 failed/);
      // 2 + 0 + 0 + 2 + 2 + 0 platform manifests; 4 + 2 + 0 + 4 + 4 + 0 blobs
      assert.match(
        run.stdout,
        /^\[INFO\] Deep: 6 platform manifests read, 14 blobs checked, 2 already seen, 0 foreign$/m,
      );
      assert.equal(
        await Deno.readTextFile(`${dir}/failed.txt`),
        lines.slice(3).join("\n") + "\n",
      );
    },
  );

  await t.step(
    "requests: one HEAD per unique blob per repository plus one GET per selected platform manifest",
    async () => {
      const exact = `${dir}/exact.txt`;
      await Deno.writeTextFile(exact, lines.slice(0, 3).join("\n") + "\n");
      const count = async (flags: string[]) => {
        const logging = loggingFetch(src, dst);
        src.resetRequestCount();
        dst.resetRequestCount();
        const run = await runCli([
          "mirror-validate",
          "-f",
          exact,
          "-o",
          `${dir}/exact-failed.txt`,
          "--tls-verify=false",
          "-j",
          "1",
          ...flags,
        ], { fetch: logging.fetch });
        assert.equal(run.code, 0, run.text);
        return {
          src: await src.settledRequestCount(),
          dst: await dst.settledRequestCount(),
          dstLog: logging.log.filter((l) => l.startsWith("dst ")).map((l) =>
            l.replace(/sha256:[0-9a-f]{64}/, (digest) => digest.slice(0, 14))
          ),
        };
      };
      const plain = await count([]);
      const deep = await count(["--deep"]);
      // Each side: one HEAD per image (the digests are identical).
      assert.deepEqual([plain.src, plain.dst], [3, 3]);
      // --deep sends nothing more to the source.
      assert.equal(deep.src, 3);
      const short = (digest: string) => digest.slice(0, 14);
      const blobHeads = (repo: string, image: ImageManifest) =>
        [image.config, ...image.layers].map((b) =>
          `dst HEAD /v2/${repo}/blobs/${short(b.digest)}`
        );
      const shared = await manifestOf(src, "lib/shared", "docker");
      assert.deepEqual(
        deep.dstLog.toSorted(),
        [
          "dst HEAD /v2/lib/index/manifests/1",
          // the top GET: identical digests, so the rules read no index
          `dst GET /v2/lib/index/manifests/${short(index.digest)}`,
          `dst GET /v2/lib/index/manifests/${short(amd.digest)}`,
          `dst GET /v2/lib/index/manifests/${short(arm.digest)}`,
          ...blobHeads("lib/index", amdImage),
          ...blobHeads("lib/index", armImage),
          "dst HEAD /v2/lib/shared/manifests/docker",
          // a single image: its one GET is the platform manifest
          `dst GET /v2/lib/shared/manifests/${short(sharedDigests.docker!)}`,
          ...blobHeads("lib/shared", shared),
          "dst HEAD /v2/lib/shared/manifests/oci",
          `dst GET /v2/lib/shared/manifests/${short(sharedDigests.oci!)}`,
          // the oci image's config and layer were asked for the docker one
        ].toSorted(),
      );
      // The access log agrees: 3 HEADs + 5 manifest GETs + 6 blob HEADs.
      assert.equal(deep.dst, 14);
    },
  );
});

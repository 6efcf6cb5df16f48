// End to end against two real CNCF distribution registries: images pushed by
// the seeding helper, mirrored by skopeo (exact), by hand in legacy-hangar
// layouts, and broken in each way the verdict rules name.

import assert from "node:assert/strict";
import { runCli, timeless } from "./support/cli_run.ts";
import {
  type Distribution,
  startDistribution,
} from "./support/distribution.ts";
import {
  indexBody,
  pushManifest,
  type SeededImage,
  seedImage,
} from "./support/seed.ts";
import { skopeoCopy } from "./support/skopeo.ts";
import { requireTools } from "./support/tools.ts";
import type { Platform } from "../lib/types/platform.ts";

const AMD64: Platform = { architecture: "amd64", os: "linux" };
const ARM64: Platform = { architecture: "arm64", os: "linux" };
const ARMV7: Platform = { architecture: "arm", os: "linux", variant: "v7" };
const S390X: Platform = { architecture: "s390x", os: "linux" };
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

interface World {
  src: Distribution;
  dst: Distribution;
  images: Record<string, SeededImage>;
}

async function buildWorld(): Promise<World> {
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

Deno.test("mirror-validate against real distribution registries", async (t) => {
  const world = await buildWorld();
  const dir = await Deno.makeTempDir();
  const s = world.src.host;
  const d = world.dst.host;
  try {
    const lines = [
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
    const list = `${dir}/list.txt`;
    const failed = `${dir}/failed.txt`;
    await Deno.writeTextFile(list, "# mirrored\n" + lines.join("\n") + "\n");
    const run = timeless(
      await runCli([
        "mirror-validate",
        "-f",
        list,
        "--tls-verify=false",
        "-o",
        failed,
        "-j",
        "4",
      ]),
    );
    const srcArm = world.images["lib/docker-list"]!.children.find((c) =>
      c.platform.architecture === "arm64"
    )!;

    await t.step("identical and legacy mirrors pass", () => {
      for (
        const [id, src, dst] of [
          [1, "lib/docker-list", "lib/docker-list"],
          [2, "lib/oci-index", "lib/oci-index"],
          [3, "lib/docker-single", "lib/docker-single"],
          [4, "lib/oci-single", "lib/oci-single"],
          [5, "lib/docker-list", "legacy/docker-list"],
          [6, "lib/docker-single", "legacy/docker-single"],
        ]
      ) {
        assert.match(
          run.stdout,
          new RegExp(
            `^\\[INFO\\] \\[M_ID:${id}\\] PASS \\[${s}/${src}:1\\] == \\[${d}/${dst}:1\\]$`,
            "m",
          ),
        );
      }
    });
    await t.step("a source without selected platforms is skipped", () => {
      assert.match(
        run.stderr,
        new RegExp(
          `^\\[WARN\\] \\[M_ID:7\\] SKIP \\[${s}/lib/s390x-only:1\\] => \\[${d}/lib/s390x-only:1\\]: no image available for the specified arch & OS list$`,
          "m",
        ),
      );
    });
    await t.step("broken mirrors fail with the exact reason", () => {
      const fails = run.stderr.split("\n").filter((l) => l.includes(" FAILED "))
        .map((l) => l.replace(/^.*FAILED /, ""));
      assert.deepEqual(
        fails.sort(),
        [
          `[${s}/lib/docker-list:1] => [${d}/broken/missing-arm64:1]: platform mismatch: linux/arm64 missing in destination`,
          `[${s}/lib/docker-list:1] => [${d}/broken/stale-arm64:1]: platform mismatch: linux/arm64 source ${srcArm.digest} != destination ${
            world.images["dst:stale"]!.children[0]!.digest
          }`,
          `[${s}/lib/docker-list:1] => [${d}/broken/wrong-label:1]: platform mismatch: linux/arm64 missing in destination`,
          `[${s}/lib/docker-single:1] => [${d}/broken/single:1]: digest mismatch: source ${
            world.images["lib/docker-single"]!.digest
          } != destination ${world.images["dst:single"]!.digest}`,
          `[${s}/lib/missing:1] => [${d}/lib/missing:1]: destination manifest does not exist`,
          `[${s}/lib/not-there:1] => [${d}/lib/not-there:1]: source manifest does not exist`,
        ].sort(),
      );
    });
    await t.step("platform mismatches log srcSpec and dstSpec at ERRO", () => {
      assert.match(
        run.stderr,
        /^\[ERRO\] \[M_ID:9\] srcSpec: \[\n {2}\{\n {4}"digest": "sha256:/m,
      );
      assert.match(run.stderr, /^\[ERRO\] \[M_ID:9\] dstSpec: \[/m);
    });
    await t.step("the invalid line is reported with FILE:LINE", () => {
      assert.match(
        run.stderr,
        new RegExp(
          `^\\[ERRO\\] ${list}:15: invalid line "bad line with four": expected an image reference or "SOURCE DEST TAG", found 4 fields$`,
          "m",
        ),
      );
    });
    await t.step("the summary counts every line once", () => {
      assert.match(
        run.stdout,
        /^\[INFO\] Validated 14 lines in \d+\.\d{3}s: 6 passed, 1 skipped, 6 failed, 1 invalid, 0 not run$/m,
      );
    });
    await t.step(
      "the failed file holds the failed lines as written, in input order",
      async () => {
        assert.equal(
          await Deno.readTextFile(failed),
          [lines[7], lines[8], lines[9], lines[10], lines[11], lines[12]].join(
            "\n",
          ) + "\n",
        );
      },
    );
    await t.step("the exit status is 1", () => assert.equal(run.code, 1));

    await t.step(
      "a clean run exits 0 and removes the old failed file",
      async () => {
        await Deno.writeTextFile(list, lines.slice(0, 7).join("\n"));
        const clean = timeless(
          await runCli([
            "mirror",
            "validate",
            "-f",
            list,
            "--tls-verify=false",
            "-o",
            failed,
          ]),
        );
        assert.equal(clean.code, 0);
        assert.match(
          clean.stdout,
          /Validated 7 lines in \S+: 6 passed, 1 skipped, 0 failed, 0 invalid, 0 not run/,
        );
        await assert.rejects(Deno.stat(failed), Deno.errors.NotFound);
      },
    );

    await t.step(
      "default-format lines with -s and -d, run as a subprocess",
      async () => {
        await Deno.writeTextFile(
          list,
          "lib/docker-list:1\nlib/oci-index:1\nlib/missing:1\n",
        );
        const out = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            new URL("../cli.ts", import.meta.url).pathname,
            "mirror-validate",
            "-f",
            list,
            "-s",
            s,
            "-d",
            d,
            "--tls-verify=false",
            "-o",
            failed,
          ],
          env: { NO_COLOR: "1" },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const stdout = new TextDecoder().decode(out.stdout);
        const stderr = new TextDecoder().decode(out.stderr);
        assert.equal(out.code, 1);
        assert.match(
          stdout + stderr,
          /\[M_ID:1\] PASS \[.*lib\/docker-list:1\]/,
        );
        assert.match(stdout, /\[M_ID:2\] PASS/);
        assert.doesNotMatch(stdout, /FAILED/);
        assert.match(
          stderr,
          /\[ERRO\] \[M_ID:3\] FAILED .*: destination manifest does not exist/,
        );
        assert.equal(await Deno.readTextFile(failed), "lib/missing:1\n");
      },
    );
  } finally {
    await world.src.stop();
    await world.dst.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

// "Is everything I carried in on this disk now in the registry?": an OCI
// layout written by `skopeo copy --all ... oci:DIR:REF`, validated with
// `mirror-validate --source-layout DIR` against real registries that hold
// all, some and none of its images (copied from the layout by skopeo).

import assert from "node:assert/strict";
import { runCli, timeless } from "./support/cli_run.ts";
import { startDistribution } from "./support/distribution.ts";
import { seedImage } from "./support/seed.ts";
import { skopeoCopy } from "./support/skopeo.ts";
import { requireTools } from "./support/tools.ts";

const AMD64 = { architecture: "amd64", os: "linux" };
const ARM64 = { architecture: "arm64", os: "linux" };

Deno.test("mirror-validate --source-layout against registries holding all, some and none of the layout", async (t) => {
  await requireTools("docker-registry", "skopeo");
  const dir = await Deno.makeTempDir();
  const layout = `${dir}/bundle`;
  const upstream = await startDistribution();
  const registries = await Promise.all(
    [1, 2, 3].map(() => startDistribution()),
  );
  try {
    const repos = ["lib/app", "lib/tool", "lib/single"];
    await seedImage(upstream.url, { repository: "lib/app", tag: "1" }, {
      kind: "index",
      format: "oci",
      platforms: [AMD64, ARM64],
      attestations: true,
      seed: "app",
    });
    await seedImage(upstream.url, { repository: "lib/tool", tag: "1" }, {
      kind: "index",
      format: "oci",
      platforms: [AMD64, ARM64],
      seed: "tool",
    });
    await seedImage(upstream.url, { repository: "lib/single", tag: "1" }, {
      kind: "image",
      format: "oci",
      platform: AMD64,
      seed: "single",
    });
    // What an air-gap bundler carries: every image under its full name.
    for (const repo of repos) {
      await skopeoCopy(
        `docker://${upstream.host}/${repo}:1`,
        `oci:${layout}:docker.io/${repo}:1`,
      );
    }
    await upstream.stop();
    const [all, some, none] = registries as [
      typeof upstream,
      typeof upstream,
      typeof upstream,
    ];
    for (
      const [registry, carried] of [[all, repos], [
        some,
        repos.slice(0, 2),
      ]] as const
    ) {
      for (const repo of carried) {
        await skopeoCopy(
          `oci:${layout}:docker.io/${repo}:1`,
          `docker://${registry.host}/${repo}:1`,
        );
      }
    }
    const list = `${dir}/list.txt`;
    await Deno.writeTextFile(
      list,
      repos.map((r) => `${r}:1`).join("\n") + "\n",
    );
    const validate = async (host: string, file = list) =>
      timeless(
        await runCli([
          "mirror-validate",
          "-f",
          file,
          "-d",
          host,
          "--source-layout",
          layout,
          "--tls-verify=false",
          "-o",
          `${dir}/failed.txt`,
        ]),
      );
    const verdicts = (text: string) =>
      text.split("\n").filter((l) => / (PASS|FAILED) /.test(l)).map((l) =>
        l.replace(/^\[\w+\] /, "")
      );

    await t.step("every carried image in the registry: exit 0", async () => {
      const run = await validate(all.host);
      assert.equal(run.code, 0, run.text);
      assert.deepEqual(verdicts(run.text), [
        `[M_ID:1] PASS [docker.io/lib/app:1] == [${all.host}/lib/app:1]`,
        `[M_ID:2] PASS [docker.io/lib/tool:1] == [${all.host}/lib/tool:1]`,
        `[M_ID:3] PASS [docker.io/lib/single:1] == [${all.host}/lib/single:1]`,
      ]);
    });
    await t.step(
      "some of them: the missing one fails and is written out",
      async () => {
        const run = await validate(some.host);
        assert.equal(run.code, 1, run.text);
        assert.deepEqual(verdicts(run.stderr), [
          `[M_ID:3] FAILED [docker.io/lib/single:1] => [${some.host}/lib/single:1]: destination manifest does not exist`,
        ]);
        assert.equal(
          await Deno.readTextFile(`${dir}/failed.txt`),
          "lib/single:1\n",
        );
      },
    );
    await t.step("none of them: every line fails", async () => {
      const run = await validate(none.host);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /0 passed, 0 skipped, 3 failed, 0 invalid/);
    });
    await t.step(
      "a line the layout does not carry is not-in-snapshot",
      async () => {
        const extra = `${dir}/extra.txt`;
        await Deno.writeTextFile(extra, "lib/other:1\n");
        const run = await validate(all.host, extra);
        assert.equal(run.code, 1);
        assert.deepEqual(verdicts(run.stderr), [
          `[M_ID:1] FAILED [docker.io/lib/other:1] => [${all.host}/lib/other:1]: source: "docker.io/lib/other:1" is not in the OCI layout "${layout}"`,
        ]);
      },
    );
    await t.step(
      "a directory that is not a layout is exit 2 before any request",
      async () => {
        const run = await runCli([
          "mirror-validate",
          "-f",
          list,
          "-d",
          all.host,
          "--source-layout",
          dir,
          "-o",
          `${dir}/failed.txt`,
        ]);
        assert.equal(run.code, 2);
        assert.equal(
          run.stderr,
          `Error: Cannot use --source-layout "${dir}": no index.json (not an OCI image layout)\n`,
        );
      },
    );
  } finally {
    await upstream.stop();
    for (const registry of registries) await registry.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

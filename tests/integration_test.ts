// End to end against two real CNCF distribution registries: images pushed by
// the seeding helper, mirrored by skopeo (exact), by hand in legacy-hangar
// layouts, and broken in each way the verdict rules name.

import assert from "node:assert/strict";
import { runCli, timeless } from "./support/cli_run.ts";
import { cliPermissionArgs } from "./support/cli_permissions.ts";
import { buildWorld, worldLines } from "./support/mirror_world.ts";

Deno.test("mirror-validate against real distribution registries", async (t) => {
  const world = await buildWorld();
  const dir = await Deno.makeTempDir();
  const s = world.src.host;
  const d = world.dst.host;
  try {
    const lines = worldLines(world);
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
            ...cliPermissionArgs(),
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

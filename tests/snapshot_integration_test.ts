// The air-gap flow against real distribution registries: `mirror snapshot`
// with the source up, the source registry process stopped, then
// `mirror-validate --source-snapshot` gives the online verdicts line for line
// on every scenario of the integration world, with no source request.

import assert from "node:assert/strict";
import { type CliRun, runCli, timeless } from "./support/cli_run.ts";
import { buildWorld, worldLines } from "./support/mirror_world.ts";

/** A run's lines without the summary's duration and the failed file's name. */
function verdictText(run: CliRun): string {
  return (run.stdout + "\n---\n" + run.stderr)
    .replace(/ in \d+\.\d{3}s:/g, " in T:")
    .replace(/\/\w+-failed\.txt"/g, '/failed.txt"');
}

Deno.test("validation from a snapshot matches the online verdicts with the source stopped", async (t) => {
  const world = await buildWorld();
  const dir = await Deno.makeTempDir();
  const s = world.src.host;
  try {
    const lines = worldLines(world);
    const list = `${dir}/list.txt`;
    await Deno.writeTextFile(list, "# mirrored\n" + lines.join("\n") + "\n");
    const validate = async (extra: string[], failed: string) =>
      timeless(
        await runCli([
          "mirror-validate",
          "-f",
          list,
          "--tls-verify=false",
          "-o",
          failed,
          // one at a time: results in list order, so the runs compare as text
          "-j",
          "1",
          ...extra,
        ]),
      );
    const online = await validate([], `${dir}/online-failed.txt`);
    const snapshotFile = `${dir}/source.json.gz`;
    const taken = timeless(
      await runCli([
        "mirror",
        "snapshot",
        "-f",
        list,
        "-o",
        snapshotFile,
        "--failed",
        `${dir}/snapshot-failed.txt`,
        "--tls-verify=false",
        "-j",
        "4",
      ]),
    );

    await t.step(
      "the snapshot records every source and fails the missing one",
      async () => {
        assert.equal(taken.code, 1, taken.text);
        const recorded = taken.stdout.split("\n").filter((l) =>
          l.includes(" RECORDED ")
        );
        assert.equal(recorded.length, 12, taken.text);
        assert.match(
          taken.stdout,
          new RegExp(
            `^\\[INFO\\] \\[M_ID:1\\] RECORDED \\[${s}/lib/docker-list:1\\] ${
              world.images["lib/docker-list"]!.digest
            }$`,
            "m",
          ),
        );
        assert.match(
          taken.stderr,
          new RegExp(
            `^\\[ERRO\\] \\[M_ID:13\\] FAILED \\[${s}/lib/not-there:1\\]: source manifest does not exist$`,
            "m",
          ),
        );
        assert.match(
          taken.stdout,
          /^\[INFO\] Snapshot of 14 lines in \d+\.\d{3}s: 12 recorded, 1 failed, 1 invalid, 0 not run$/m,
        );
        assert.equal(
          await Deno.readTextFile(`${dir}/snapshot-failed.txt`),
          lines[12] + "\n",
        );
      },
    );
    const written = taken.stdout.match(
      /^\[INFO\] Snapshot written to "(.+)" \((\d+) bytes, (sha256:[a-f0-9]{64})\)$/m,
    );
    await t.step(
      "the snapshot command prints the file's size and sha256",
      async () => {
        assert(written, taken.stdout);
        const bytes = await Deno.readFile(snapshotFile);
        assert.equal(written[1], snapshotFile);
        assert.equal(Number(written[2]), bytes.length);
        const hash = new Uint8Array(
          await crypto.subtle.digest("SHA-256", bytes),
        );
        assert.equal(
          written[3],
          "sha256:" +
            [...hash].map((b) => b.toString(16).padStart(2, "0")).join(""),
        );
      },
    );

    await world.src.stop();

    await t.step(
      "every line gets the online verdict from the snapshot",
      async () => {
        const offline = await validate(
          [
            "--source-snapshot",
            snapshotFile,
            "--source-snapshot-digest",
            written![3]!,
          ],
          `${dir}/offline-failed.txt`,
        );
        assert.equal(offline.code, online.code);
        assert.equal(verdictText(offline), verdictText(online));
        assert.equal(
          await Deno.readTextFile(`${dir}/offline-failed.txt`),
          await Deno.readTextFile(`${dir}/online-failed.txt`),
        );
        assert.match(online.stdout, /6 passed, 1 skipped, 6 failed, 1 invalid/);
      },
    );

    await t.step(
      "without the snapshot the stopped source fails every line",
      async () => {
        const down = await validate([], `${dir}/down-failed.txt`);
        assert.match(down.stdout, /0 passed, 0 skipped, 13 failed, 1 invalid/);
      },
    );

    await t.step(
      "a line the snapshot does not hold fails as not-in-snapshot",
      async () => {
        const extra = `${dir}/extra.txt`;
        await Deno.writeTextFile(
          extra,
          `${s}/lib/docker-list ${world.dst.host}/lib/docker-list 2\n`,
        );
        const run = timeless(
          await runCli([
            "mirror-validate",
            "-f",
            extra,
            "--tls-verify=false",
            "-o",
            `${dir}/extra-failed.txt`,
            "--source-snapshot",
            snapshotFile,
          ]),
        );
        assert.equal(run.code, 1);
        assert.match(
          run.stderr,
          new RegExp(
            `^\\[ERRO\\] \\[M_ID:1\\] FAILED \\[${s}/lib/docker-list:2\\] => \\[.*\\]: source: "${s}/lib/docker-list:2" is not in the snapshot "${snapshotFile}"$`,
            "m",
          ),
        );
      },
    );

    await t.step(
      "a snapshot that cannot be trusted or used is exit 2 before any request",
      async () => {
        const plain = `${dir}/plain.json`;
        const back = await runCli([
          "mirror-snapshot",
          "-f",
          `${dir}/extra.txt`,
          "-o",
          plain,
          "--failed",
          `${dir}/plain-failed.txt`,
          "--tls-verify=false",
        ]);
        assert.equal(back.code, 1, "the source is stopped: nothing recorded");
        const cases: [string[], string][] = [
          [
            [
              "--source-snapshot",
              snapshotFile,
              "--source-snapshot-digest",
              `sha256:${"0".repeat(64)}`,
            ],
            `Cannot use snapshot "${snapshotFile}": its sha256 is ${
              written![3]
            }, not sha256:${"0".repeat(64)} (--source-snapshot-digest)`,
          ],
          [
            [
              "--source-snapshot",
              snapshotFile,
              "-a",
              "amd64,s390x",
              "--os",
              "linux,freebsd",
            ],
            `Snapshot "${snapshotFile}" was taken for -a amd64,arm64 --os linux,windows: it does not cover -a s390x --os freebsd`,
          ],
          [
            ["--source-snapshot", `${dir}/list.txt`],
            `Cannot use snapshot "${dir}/list.txt": not JSON (truncated or damaged?)`,
          ],
          [
            ["--source-snapshot", `${dir}/nope.json`],
            `Cannot read snapshot "${dir}/nope.json": no such file`,
          ],
          [
            ["--source-snapshot", snapshotFile, "--source-layout", dir],
            "Give --source-snapshot or --source-layout, not both: the source is one or the other",
          ],
        ];
        // A changed byte in a body is named by the entry it breaks.
        const decompressed = await new Response(
          (await Deno.open(snapshotFile)).readable.pipeThrough(
            new DecompressionStream("gzip"),
          ),
        ).text();
        const snapshot = JSON.parse(decompressed);
        const [digest, body] = Object.entries(snapshot.bodies)[0] as [
          string,
          { text: string },
        ];
        body.text = body.text.replace(/"/, ' "');
        await Deno.writeTextFile(
          `${dir}/tampered.json`,
          JSON.stringify(snapshot),
        );
        cases.push([
          ["--source-snapshot", `${dir}/tampered.json`],
          `Cannot use snapshot "${dir}/tampered.json": body "${digest}" does not match its digest (changed?)`,
        ]);
        for (const [flags, message] of cases) {
          const run = await runCli([
            "mirror-validate",
            "-f",
            list,
            "-o",
            `${dir}/bad-failed.txt`,
            ...flags,
          ]);
          assert.equal(run.code, 2, run.text);
          assert.equal(run.stderr, `Error: ${message}\n`);
          assert.equal(run.stdout, "");
        }
      },
    );
  } finally {
    await world.src.stop();
    await world.dst.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

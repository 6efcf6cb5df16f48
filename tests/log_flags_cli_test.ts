// --quiet, --hide-log-time, --skip-login and --provenance end to end against
// the integration world's real registries, each compared with the same run
// without the flag.

import assert from "node:assert/strict";
import { type CliRun, runCli, stripTime } from "./support/cli_run.ts";
import { buildWorld, worldLines } from "./support/mirror_world.ts";
import { writeReportList } from "./support/report_list.ts";

/** Output with the run time taken out of the summary line. */
function steady(text: string): string {
  return text.replace(/ in \d+\.\d{3}s: /g, " in Xs: ");
}

/** Lines of a log that open an entry (a srcSpec's JSON goes on below it). */
function entries(text: string): string[] {
  return text.split("\n").filter((row) => row !== "" && !/^[ \]]/.test(row));
}

Deno.test("mirror-validate log flags against real registries", async (t) => {
  const world = await buildWorld();
  const dir = await Deno.makeTempDir();
  try {
    const list = await writeReportList(`${dir}/list.txt`, worldLines(world));
    const validate = async (flags: string[]): Promise<CliRun> => {
      const run = await runCli([
        ...["mirror-validate", "-f", list.path, "--tls-verify=false"],
        ...["-o", `${dir}/failed.txt`, "-j", "1", ...flags],
      ]);
      return { ...run, stdout: steady(run.stdout), stderr: steady(run.stderr) };
    };
    const plain = await validate([]);
    assert.equal(plain.code, 1);
    const timeless = {
      stdout: stripTime(plain.stdout),
      stderr: stripTime(plain.stderr),
    };

    await t.step(
      "--quiet keeps FAILED, invalid and WARN lines and the summary",
      async () => {
        for (const flag of ["--quiet", "-q"]) {
          const quiet = await validate([flag]);
          assert.equal(quiet.code, 1);
          assert.equal(stripTime(quiet.stderr), timeless.stderr);
          assert.deepEqual(entries(stripTime(quiet.stdout)), [
            "[INFO] Validated 17 lines in Xs: 7 passed, 1 skipped, 6 failed, 3 invalid, 0 not run",
            `[INFO] 6 failed lines written to "${dir}/failed.txt"`,
          ]);
          const kept = entries(stripTime(quiet.stderr));
          assert.equal(kept.filter((l) => / FAILED \[/.test(l)).length, 6);
          assert.equal(
            kept.filter((l) => /: invalid line "/.test(l)).length,
            3,
          );
          assert.equal(kept.filter((l) => / SKIP \[/.test(l)).length, 1);
          assert.doesNotMatch(quiet.stdout + quiet.stderr, / PASS \[/);
        }
      },
    );

    await t.step("--quiet hides --debug lines too", async () => {
      const quiet = await validate(["--quiet", "--debug"]);
      assert.doesNotMatch(quiet.stdout + quiet.stderr, /\[DEBU\]/);
      assert.equal(stripTime(quiet.stderr), timeless.stderr);
    });

    await t.step(
      "--hide-log-time starts every line with its level",
      async () => {
        const hidden = await validate(["--hide-log-time"]);
        assert.equal(hidden.code, 1);
        assert.deepEqual(
          { stdout: hidden.stdout, stderr: hidden.stderr },
          timeless,
        );
        for (const row of entries(hidden.stdout + hidden.stderr)) {
          assert.match(row, /^\[(INFO|WARN|ERRO)\] /);
        }
        assert.match(plain.stdout, /^\d\d:\d\d:\d\d \[INFO\] /);
      },
    );

    await t.step("--skip-login is accepted and changes nothing", async () => {
      const skip = await validate(["--skip-login"]);
      assert.equal(skip.code, 1);
      assert.deepEqual(
        { stdout: stripTime(skip.stdout), stderr: stripTime(skip.stderr) },
        timeless,
      );
    });

    await t.step(
      "--provenance is accepted, bare or with a boolean",
      async () => {
        for (const flags of [["--provenance"], ["--provenance=false"]]) {
          const run = await validate(flags);
          assert.equal(run.code, 1, run.stderr);
          assert.doesNotMatch(run.stderr, /^Error: /m);
          assert.match(
            stripTime(run.stdout),
            /^\[INFO\] Validated 17 lines in Xs: 7 passed, 1 skipped, 6 failed, 3 invalid, 0 not run$/m,
          );
        }
      },
    );
  } finally {
    await world.src.stop();
    await world.dst.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

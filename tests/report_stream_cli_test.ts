// --report on standard output and on interruption, end to end against the
// integration world's real registries: `json=-` leaves stdout to the report
// alone, and an interrupted run still writes every report, marked so.

import assert from "node:assert/strict";
import { runCli, timeless } from "./support/cli_run.ts";
import { buildWorld, worldLines } from "./support/mirror_world.ts";
import { readJsonReport, readJunit } from "./support/report_check.ts";
import { EXPECTED, verdicts, writeReportList } from "./support/report_list.ts";

Deno.test("mirror-validate --report to stdout and on interruption", async (t) => {
  const world = await buildWorld();
  const dir = await Deno.makeTempDir();
  try {
    const list = await writeReportList(`${dir}/list.txt`, worldLines(world));
    const base = ["mirror-validate", "-f", list.path, "--tls-verify=false"];

    await t.step(
      "--report json=- puts only JSON on stdout and the log on stderr",
      async () => {
        const piped = timeless(
          await runCli([
            ...base,
            "-o",
            `${dir}/failed2.txt`,
            "--report",
            "json=-",
          ]),
        );
        assert.equal(piped.code, 1);
        const report = readJsonReport(piped.stdout);
        assert.deepEqual(verdicts(report), EXPECTED);
        assert.match(piped.stderr, /^\[INFO\] \[M_ID:1\] PASS \[/m);
        assert.match(piped.stderr, /^\[INFO\] Validated 17 lines in /m);
        assert.match(piped.stderr, /^\[ERRO\] \[M_ID:8\] FAILED \[/m);
      },
    );

    await t.step(
      "an interrupted run still writes each report, marked interrupted",
      async () => {
        const interrupt = new AbortController();
        const cut = timeless(
          await runCli([
            ...base,
            ...["-o", `${dir}/failed3.txt`, "-j", "1"],
            ...[
              "--report",
              `json=${dir}/i.json`,
              "--report",
              `junit=${dir}/i.xml`,
            ],
            ...["--report", `markdown=${dir}/i.md`],
          ], {
            signal: interrupt.signal,
            stdout: (text) => text.includes("] PASS [") && interrupt.abort(),
          }),
        );
        assert.equal(cut.code, 130, cut.text);
        const report = readJsonReport(await Deno.readTextFile(`${dir}/i.json`));
        assert.equal(report.summary.interrupted, true);
        assert.ok(report.summary.notRun >= 10, JSON.stringify(report.summary));
        assert.deepEqual(
          report.lines.map((l) => l.line).sort((a, b) => a - b),
          [...list.lines.keys()],
        );
        const notRun = report.lines.filter((l) => l.status === "not-run");
        assert.equal(notRun.length, report.summary.notRun);
        for (const line of notRun) assert.equal(line.reason, "interrupted");
        const junit = readJunit(await Deno.readTextFile(`${dir}/i.xml`));
        assert.equal(junit.properties.interrupted, "true");
        assert.equal(
          junit.cases.filter((c) =>
            c.skipped?.message === "not run: interrupted"
          )
            .length,
          notRun.length,
        );
        const md = await Deno.readTextFile(`${dir}/i.md`);
        assert.match(
          md,
          /^## Mirror validation: interrupted\n\n> \[!WARNING\]\n/,
        );
        const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
        assert.deepEqual(left.filter((name) => name.endsWith(".tmp")), []);
      },
    );
  } finally {
    await world.src.stop();
    await world.dst.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

// --report end to end: the CLI against two real distribution registries (the
// integration world), each report read back the way its reader does (JSON
// against the documented schema, JUnit with real XML parsers, markdown's
// tables) and compared with the run's own log.

import { escapeControls } from "../lib/report/report.ts";
import assert from "node:assert/strict";
import { runCli, timeless } from "./support/cli_run.ts";
import { buildWorld, worldLines } from "./support/mirror_world.ts";
import {
  logSummary,
  logVerdicts,
  markdownTables,
  readJsonReport,
  readJunit,
} from "./support/report_check.ts";
import { EXPECTED, verdicts, writeReportList } from "./support/report_list.ts";

/** Text as the JUnit report carries it: control bytes as escape text. */
function xmlText(text: string | undefined): string | undefined {
  return text?.replaceAll("\x01", "\\x01");
}

Deno.test("mirror-validate --report json/junit/markdown against real registries", async (t) => {
  const world = await buildWorld();
  const dir = await Deno.makeTempDir();
  const d = world.dst.host;
  try {
    const list = await writeReportList(`${dir}/list.txt`, worldLines(world));
    const base = ["mirror-validate", "-f", list.path, "--tls-verify=false"];
    const run = timeless(
      await runCli([
        ...base,
        ...["-o", `${dir}/failed.txt`, "-j", "4"],
        ...["--report", `json=${dir}/r.json`, "--report", `junit=${dir}/r.xml`],
        ...["--report", `markdown=${dir}/r.md`],
      ]),
    );
    assert.equal(run.code, 1, run.text);
    const json = readJsonReport(await Deno.readTextFile(`${dir}/r.json`));

    await t.step(
      "the JSON report holds every line once, as the log shows it",
      () => {
        assert.deepEqual(verdicts(json), EXPECTED);
        assert.deepEqual(
          json.lines.map((l) => l.line).sort((a, b) => a - b),
          [...list.lines.keys()],
        );
        for (const line of json.lines) {
          assert.equal(line.text, list.lines.get(line.line));
        }
        const log = logVerdicts(run.text);
        const valid = json.lines.filter((l) => l.status !== "invalid");
        assert.equal(log.byId.size, valid.length);
        for (const line of valid) {
          const { reason, ...logged } = log.byId.get(line.id!)!;
          assert.deepEqual(logged, {
            status: line.status,
            source: line.source,
            destination: line.destination,
          });
          if (line.status !== "passed") assert.equal(reason, line.reason);
        }
        // The log shows control bytes escaped; the report keeps them.
        for (const line of json.lines.filter((l) => l.status === "invalid")) {
          assert.deepEqual(log.invalid.get(line.line), {
            text: escapeControls(line.text),
            reason: escapeControls(line.reason!),
          });
        }
        const { schema: _, type: __, durationMs: ___, ...counts } =
          json.summary;
        assert.deepEqual(counts, {
          ...logSummary(run.text),
          interrupted: false,
          selection: {
            architectures: ["amd64", "arm64"],
            oses: ["linux", "windows"],
          },
        });
        const repeated = json.lines.find((l) => l.line === 16)!;
        const first = json.lines.find((l) => l.line === 2)!;
        assert.deepEqual(
          [repeated.source, repeated.destination, repeated.durationMs],
          [first.source, first.destination, 0],
        );
      },
    );

    await t.step(
      "the JUnit report parses with one testcase per line, kinds as failure types",
      async () => {
        const { suites, suite, cases, properties } = readJunit(
          await Deno.readTextFile(`${dir}/r.xml`),
        );
        for (const element of [suites, suite]) {
          assert.equal(element.tests, "17");
          assert.equal(element.failures, "9"); // 6 failed, 3 invalid
          assert.equal(element.skipped, "1");
          assert.equal(element.errors, "0");
        }
        assert.equal(properties.interrupted, "false");
        assert.equal(cases.length, json.lines.length);
        cases.forEach((testcase, i) => {
          const line = json.lines[i]!;
          const valid = line.status !== "invalid";
          assert.equal(
            testcase.name,
            valid ? line.source : `line ${line.line}`,
          );
          assert.equal(testcase.classname, valid ? d : "invalid");
          const failed = line.status === "failed" || !valid;
          assert.deepEqual(
            [testcase.failure?.type, testcase.failure?.message],
            failed
              ? [line.kind ?? "invalid", xmlText(line.reason)]
              : [undefined, undefined],
          );
          assert.equal(
            testcase.skipped?.message,
            line.status === "skipped" ? line.reason : undefined,
          );
        });
      },
    );

    await t.step(
      "odd bytes of a list line round-trip through the JUnit XML",
      async () => {
        const { cases } = readJunit(await Deno.readTextFile(`${dir}/r.xml`));
        const odd = cases.find((c) => c.name === "line 17")!;
        assert.equal(odd.failure!["#text"], `line 17: bad <&"'>\\x01 x`);
        const reason = json.lines.find((l) => l.line === 17)!.reason!;
        assert.ok(reason.includes(`<&"'>\x01`), reason);
        assert.equal(odd.failure!.message, reason.replaceAll("\x01", "\\x01"));
        const utf8 = cases.find((c) => c.name === "line 18")!;
        assert.equal(utf8.failure!["#text"], "line 18: caf\\xff");
      },
    );

    await t.step(
      "the markdown report's tables hold the counts, the failures by kind, the invalid lines",
      async () => {
        const md = await Deno.readTextFile(`${dir}/r.md`);
        assert.match(md, /^## Mirror validation: 9 of 17 lines failed\n/);
        const [counts, ...rest] = markdownTables(md);
        assert.deepEqual(counts!.rows[0]!.slice(0, 6), [
          "17",
          "7",
          "1",
          "6",
          "3",
          "0",
        ]);
        const failures = rest.filter((t) => t.heading.startsWith("#### "));
        assert.deepEqual(failures.map((t) => t.heading), [
          "#### `missing` (2)",
          "#### `mismatch` (4)",
        ]);
        const rows = failures.flatMap((t) =>
          t.rows.map((
            r,
          ) => [Number(r[0]), t.heading.split("`")[1], ...r.slice(1, 4)])
        );
        const failed = json.lines.filter((l) => l.status === "failed")
          .sort((a, b) => a.line - b.line);
        assert.deepEqual(
          rows.sort((a, b) => Number(a[0]) - Number(b[0])),
          failed.map((
            l,
          ) => [l.line, l.kind, l.source, l.destination, l.reason]),
        );
        const short = (digest: string) => digest.slice(0, 19);
        const arm = json.lines.find((l) => l.line === 10)!;
        assert.equal(
          failures[1]!.rows.find((r) => r[0] === "10")![4],
          `linux/amd64: ${short(arm.srcSpec![0]!.digest)} → ${
            short(arm.dstSpec![0]!.digest)
          }<br>linux/arm64: ${short(arm.srcSpec![1]!.digest)} → missing`,
        );
        const invalid = rest.find((t) =>
          t.heading === "### Invalid lines (3)"
        )!;
        assert.deepEqual(invalid.rows.map((r) => r.slice(0, 2)), [
          ["15", "bad line with four"],
          ["17", "bad &lt;&amp;\"'&gt;\\\\x01 x"],
          ["18", "caf\\\\xff"],
        ]);
      },
    );
    await t.step(
      "the README's JSON example follows the same schema",
      async () => {
        const readme = await Deno.readTextFile(
          new URL("../README.md", import.meta.url),
        );
        const section = readme.slice(readme.indexOf("### JSON (`--report"));
        const example = /```json\n([^`]+)```/.exec(section)?.[1];
        assert.ok(example, "README.md shows a JSON report");
        const read = readJsonReport(example);
        assert.deepEqual(read.lines.map((l) => l.status), [
          "passed",
          "failed",
          "invalid",
        ]);
      },
    );
  } finally {
    await world.src.stop();
    await world.dst.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

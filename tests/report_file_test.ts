// How a report reaches a file: checked before the run, streamed into a
// temporary file beside the target, renamed over it at the end (interrupted
// runs too), devices written in place, links followed, errors reported.

import assert from "node:assert/strict";
import { UsageError } from "../lib/errors.ts";
import { JsonReport } from "../lib/report/json_report.ts";
import { JunitReport } from "../lib/report/junit_report.ts";
import {
  checkReportPath,
  openReport,
  ReportFile,
} from "../lib/report/report_file.ts";
import { everyStatus, summaryOf } from "./support/line_results.ts";

function tempDir(): string & Disposable {
  const path = Deno.makeTempDirSync({ prefix: "report_file_test_" });
  return Object.assign(path, {
    [Symbol.dispose]: () => Deno.removeSync(path, { recursive: true }),
  }) as string & Disposable;
}

function usageError(fn: () => void, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.message, message);
    return true;
  });
}

Deno.test("checkReportPath() accepts -, a new file, an existing file and /dev/null", () => {
  using dir = tempDir();
  checkReportPath("-");
  checkReportPath(`${dir}/new.json`);
  Deno.writeTextFileSync(`${dir}/old.json`, "old");
  checkReportPath(`${dir}/old.json`);
  checkReportPath("/dev/null");
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["old.json"]);
  assert.equal(Deno.readTextFileSync(`${dir}/old.json`), "old");
});

Deno.test("checkReportPath() refuses a missing directory, a directory, a file as directory", () => {
  using dir = tempDir();
  usageError(
    () => checkReportPath(`${dir}/no/r.json`),
    `Cannot write report "${dir}/no/r.json": directory "${dir}/no" does not exist`,
  );
  usageError(
    () => checkReportPath(dir),
    `Cannot write report "${dir}": it is a directory`,
  );
  Deno.writeTextFileSync(`${dir}/file`, "");
  usageError(
    () => checkReportPath(`${dir}/file/r.json`),
    `Cannot write report "${dir}/file/r.json": "${dir}/file" is not a directory`,
  );
  usageError(
    () => checkReportPath(""),
    'Cannot write report "": the path is empty',
  );
});

Deno.test({
  name: "checkReportPath() refuses a directory that takes no new file",
  ignore: Deno.build.os !== "linux",
  fn() {
    // /sys refuses new files even to root, so this holds in CI containers.
    usageError(
      () => checkReportPath("/sys/report.json"),
      'Cannot write report "/sys/report.json": not writable: permission denied',
    );
  },
});

Deno.test("ReportFile streams into a temporary file beside the target and renames it at the end", () => {
  using dir = tempDir();
  const path = `${dir}/r.json`;
  Deno.writeTextFileSync(path, "old report\n");
  const file = new ReportFile(path);
  const report = new JsonReport(file);
  const results = everyStatus();
  const big = "x".repeat(70 * 1024);
  report.onResult({ ...results[0]!, text: big } as typeof results[0]);
  const temps = [...Deno.readDirSync(dir)].map((e) => e.name)
    .filter((name) => name !== "r.json");
  assert.equal(temps.length, 1);
  assert.match(temps[0]!, /^\.r\.json\.[0-9a-f]{8}\.tmp$/);
  assert.ok(Deno.statSync(`${dir}/${temps[0]}`).size > 70 * 1024, "streamed");
  assert.equal(Deno.readTextFileSync(path), "old report\n", "target untouched");
  for (const result of results.slice(1)) report.onResult(result);
  report.onSummary(summaryOf(results, { interrupted: true }));
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["r.json"]);
  const lines = Deno.readTextFileSync(path).trimEnd().split("\n").map((l) =>
    JSON.parse(l)
  );
  assert.equal(lines.length, results.length + 1);
  assert.equal(lines[0].text, big);
  assert.deepEqual(
    [lines.at(-1).type, lines.at(-1).interrupted],
    ["summary", true],
  );
});

Deno.test("ReportFile writes a device in place and follows a symbolic link", () => {
  using dir = tempDir();
  const devNull = new ReportFile("/dev/null");
  devNull.write("ignored\n");
  devNull.close();
  assert.ok(Deno.statSync("/dev/null").isCharDevice);
  Deno.writeTextFileSync(`${dir}/real.xml`, "");
  Deno.symlinkSync(`${dir}/real.xml`, `${dir}/link.xml`);
  const report = new JunitReport(new ReportFile(`${dir}/link.xml`));
  report.onSummary(summaryOf([]));
  assert.ok(Deno.lstatSync(`${dir}/link.xml`).isSymlink);
  assert.match(Deno.readTextFileSync(`${dir}/real.xml`), /<testsuites /);
});

Deno.test("ReportFile.close() reports a file that could not be written and leaves no temporary file", () => {
  using dir = tempDir();
  Deno.mkdirSync(`${dir}/sub`);
  const file = new ReportFile(`${dir}/sub/r.json`);
  file.write("{}\n");
  Deno.removeSync(`${dir}/sub`, { recursive: true });
  assert.throws(() => file.close(), {
    message: `Cannot write report "${dir}/sub/r.json": no such file`,
  });
  const blocked = new ReportFile(`${dir}/r.json`);
  blocked.write("{}\n");
  Deno.mkdirSync(`${dir}/r.json/inside`, { recursive: true });
  assert.throws(() => blocked.close(), {
    message: `Cannot write report "${dir}/r.json": it is a directory`,
  });
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["r.json"]);
  const early = new ReportFile(`${dir}/gone/r.json`);
  early.write("{}\n");
  assert.throws(() => early.close(), {
    message: `Cannot write report "${dir}/gone/r.json": no such file`,
  });
});

Deno.test("ReportFile.discard() removes the temporary file and keeps the old report", () => {
  using dir = tempDir();
  Deno.writeTextFileSync(`${dir}/r.md`, "old");
  const file = new ReportFile(`${dir}/r.md`);
  file.write("new");
  file.discard();
  file.close();
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["r.md"]);
  assert.equal(Deno.readTextFileSync(`${dir}/r.md`), "old");
});

Deno.test("openReport() sends - to the stdout writer and a path to a ReportFile", () => {
  using dir = tempDir();
  const out: string[] = [];
  const stdout = openReport("-", { stdout: (text) => out.push(text) });
  new JsonReport(stdout).onSummary(summaryOf([]));
  assert.equal(JSON.parse(out.join("")).type, "summary");
  const file = openReport(`${dir}/r.json`, { stdout: () => {} });
  assert.ok(file instanceof ReportFile);
  file.discard();
  assert.deepEqual([...Deno.readDirSync(dir)], []);
});

// The JSON report: one object per list line as results arrive, then the
// summary; every field checked against the schema the README documents.

import assert from "node:assert/strict";
import { FAILURE_KINDS } from "../lib/errors.ts";
import {
  jsonLine,
  JsonReport,
  jsonSummary,
  REPORT_SCHEMA,
} from "../lib/report/json_report.ts";
import {
  AMD64,
  ARM64,
  DIGEST_A,
  DIGEST_B,
  DIGEST_C,
  everyStatus,
  image,
  SELECTION,
  summaryOf,
} from "./support/line_results.ts";

const LINE_FIELDS = new Set([
  "schema",
  "type",
  "line",
  "text",
  "id",
  "source",
  "destination",
  "status",
  "kind",
  "reason",
  "srcSpec",
  "dstSpec",
  "warnings",
  "checks",
  "durationMs",
]);

function reportOf(results = everyStatus()) {
  const chunks: string[] = [];
  let closed = 0;
  const report = new JsonReport({
    write: (text) => chunks.push(text),
    close: () => closed++,
  });
  for (const result of results) report.onResult(result);
  const beforeSummary = chunks.length;
  report.onSummary(summaryOf(results));
  return { chunks, beforeSummary, closed, results };
}

Deno.test("JsonReport writes one JSON line per result as it arrives, then the summary, then closes", () => {
  const { chunks, beforeSummary, closed, results } = reportOf();
  assert.equal(beforeSummary, results.length);
  assert.equal(chunks.length, results.length + 1);
  assert.equal(closed, 1);
  for (const chunk of chunks) {
    assert.ok(chunk.endsWith("\n"));
    assert.equal(chunk.indexOf("\n"), chunk.length - 1);
  }
  const objects = chunks.map((chunk) => JSON.parse(chunk));
  for (const object of objects.slice(0, -1)) {
    assert.equal(object.schema, REPORT_SCHEMA);
    assert.equal(object.type, "line");
    for (const key of Object.keys(object)) assert.ok(LINE_FIELDS.has(key), key);
    assert.ok(
      ["passed", "skipped", "failed", "invalid", "not-run"].includes(
        object.status,
      ),
    );
    assert.equal(typeof object.durationMs, "number");
  }
  assert.deepEqual(
    objects.map((o) => o.line),
    [...results.map((r) => r.line), undefined],
  );
});

Deno.test("jsonLine() gives a passed line its references, reason, warnings and checks", () => {
  const [identical, schema1] = everyStatus();
  assert.deepEqual(JSON.parse(JSON.stringify(jsonLine(identical!))), {
    schema: "hangar.mirror-validate/v1",
    type: "line",
    line: 1,
    text: "src.io/team/app1 dst.io:5000/team/app1 1.0",
    id: 1,
    source: "src.io/team/app1:1.0",
    destination: "dst.io:5000/team/app1:1.0",
    status: "passed",
    reason: "identical",
    durationMs: 12,
  });
  const line = jsonLine(schema1!);
  assert.deepEqual(line.warnings, ["digest not compared"]);
  assert.deepEqual(line.checks, { manifests: 2, blobs: 5 });
  assert.equal(Object.keys(line).at(-1), "durationMs");
});

Deno.test("jsonLine() gives a mismatch its kind, reason, srcSpec and dstSpec", () => {
  const mismatch = everyStatus().find((r) => r.line === 4)!;
  const line = jsonLine(mismatch);
  assert.equal(line.status, "failed");
  assert.equal(line.kind, "mismatch");
  assert.equal(line.reason, "platform linux/arm64: digest differs");
  assert.deepEqual(line.srcSpec, [
    { digest: DIGEST_A, platform: AMD64 },
    { digest: DIGEST_B, platform: ARM64 },
  ]);
  assert.deepEqual(line.dstSpec, [
    { digest: DIGEST_A, platform: AMD64 },
    { digest: DIGEST_C, platform: ARM64 },
  ]);
  assert.equal(line.warnings, undefined);
  assert.equal(line.checks, undefined);
});

Deno.test("jsonLine() gives every failure kind as kind", () => {
  const kinds = everyStatus().map(jsonLine).filter((l) => l.status === "failed")
    .map((l) => l.kind);
  assert.deepEqual(new Set(kinds), new Set(FAILURE_KINDS));
  const server = everyStatus().map(jsonLine).find((l) => l.kind === "server")!;
  assert.equal(server.reason, "server happened");
});

Deno.test("jsonLine() writes skipped, not-run and invalid lines", () => {
  const lines = everyStatus().map(jsonLine);
  const skipped = lines.find((l) => l.line === 3)!;
  assert.equal(skipped.status, "skipped");
  assert.equal(skipped.reason, "no image available");
  assert.equal(skipped.kind, undefined);
  const notRun = lines.find((l) => l.line === 7)!;
  assert.deepEqual(
    { status: notRun.status, reason: notRun.reason, id: notRun.id },
    { status: "not-run", reason: "interrupted", id: 7 },
  );
  const invalid = lines.find((l) => l.line === 5)!;
  assert.deepEqual(invalid, {
    schema: REPORT_SCHEMA,
    type: "line",
    line: 5,
    text: `bad<&"'>\x01line`,
    status: "invalid",
    reason: "expected 3 fields",
    durationMs: 0,
  });
  assert.equal(
    JSON.parse(JSON.stringify(invalid)).text,
    `bad<&"'>\x01line`,
  );
});

Deno.test("jsonLine() ignores a checks field that is not numbers", () => {
  const result = image(1, {
    verdict: { status: "passed", reason: "identical", warnings: [] },
    checks: { manifests: 1, odd: "x" },
  } as never);
  assert.deepEqual(jsonLine(result).checks, { manifests: 1 });
});

Deno.test("jsonSummary() counts every status and carries interrupted and the selection", () => {
  const results = everyStatus();
  const summary = jsonSummary(summaryOf(results, { interrupted: true }));
  assert.deepEqual(summary, {
    schema: REPORT_SCHEMA,
    type: "summary",
    total: results.length,
    passed: 2,
    skipped: 1,
    failed: FAILURE_KINDS.length,
    invalid: 2,
    notRun: 1,
    durationMs: 1204,
    interrupted: true,
    selection: SELECTION,
  });
});

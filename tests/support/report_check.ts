/**
 * Reads the CLI's reports back the way their readers do, for the end-to-end
 * report tests: the JSON report checked line by line against the schema the
 * README documents, the JUnit file through real XML parsers (saxes for strict
 * XML 1.0, fast-xml-parser for the tree), the markdown's tables, and the
 * verdicts of the hangar log to compare them with.
 *
 * @module
 */

import assert from "node:assert/strict";
// Test-only parsers, as in tests/junit_report_test.ts: kept out of
// deno.json's imports (the library's dependencies); deno.lock pins them.
// deno-lint-ignore no-import-prefix
import { XMLParser } from "npm:fast-xml-parser@4";
// deno-lint-ignore no-import-prefix
import { SaxesParser } from "npm:saxes@6";
import { FAILURE_KINDS } from "../../lib/errors.ts";
import type { JsonLine, JsonSummary } from "../../lib/report/json_report.ts";

const LINE_FIELDS: Record<string, string> = {
  schema: "string",
  type: "string",
  line: "number",
  text: "string",
  id: "number",
  source: "string",
  destination: "string",
  status: "string",
  kind: "string",
  reason: "string",
  srcSpec: "array",
  dstSpec: "array",
  warnings: "array",
  checks: "object",
  durationMs: "number",
};
const SUMMARY_FIELDS = [
  "schema",
  "type",
  "total",
  "passed",
  "skipped",
  "failed",
  "invalid",
  "notRun",
  "durationMs",
  "interrupted",
  "selection",
];
const STATUSES = ["passed", "skipped", "failed", "invalid", "not-run"];

function typeOf(value: unknown): string {
  return Array.isArray(value) ? "array" : typeof value;
}

/** One JSON report: its line objects in file order and its summary. */
export interface JsonReportRead {
  lines: JsonLine[];
  summary: JsonSummary;
}

/**
 * Parses a JSON Lines report and checks every object against the README's
 * schema: only documented fields, each of its type; `kind` exactly on failed
 * lines; pair fields exactly on valid lines; one summary, last, whose
 * `total` is the sum of its counts and the number of line objects.
 */
export function readJsonReport(text: string): JsonReportRead {
  assert.ok(text.endsWith("\n"), "the report ends with a newline");
  const objects = text.slice(0, -1).split("\n").map((row) => JSON.parse(row));
  const summary = objects.pop() as JsonSummary;
  assert.deepEqual(Object.keys(summary), SUMMARY_FIELDS);
  assert.equal(summary.schema, "hangar.mirror-validate/v1");
  assert.equal(summary.type, "summary");
  const { passed, skipped, failed, invalid, notRun } = summary;
  assert.equal(summary.total, passed + skipped + failed + invalid + notRun);
  assert.equal(summary.total, objects.length);
  for (const line of objects as JsonLine[]) {
    for (const [field, value] of Object.entries(line)) {
      assert.equal(typeOf(value), LINE_FIELDS[field], `${field} of ${text}`);
    }
    assert.equal(line.schema, "hangar.mirror-validate/v1");
    assert.equal(line.type, "line");
    assert.ok(STATUSES.includes(line.status), line.status);
    assert.equal(line.kind !== undefined, line.status === "failed");
    if (line.kind !== undefined) {
      assert.ok((FAILURE_KINDS as readonly string[]).includes(line.kind));
    }
    const valid = line.status !== "invalid";
    for (const field of ["id", "source", "destination"] as const) {
      assert.equal(line[field] !== undefined, valid, `${field} of ${line}`);
    }
    if (line.status !== "passed") assert.equal(typeof line.reason, "string");
    for (const spec of [...line.srcSpec ?? [], ...line.dstSpec ?? []]) {
      assert.match(spec.digest, /^sha256:[0-9a-f]{64}$/);
    }
  }
  return { lines: objects as JsonLine[], summary };
}

/** A verdict as the log shows it. */
export interface LogVerdict {
  status: "passed" | "skipped" | "failed";
  source: string;
  destination: string;
  /** The reason after `: ` (absent for PASS lines). */
  reason?: string;
}

const VERDICT_LINE =
  /^\[(?:INFO|WARN|ERRO)\] \[M_ID:(\d+)\] (PASS|SKIP|FAILED) \[([^\]]+)\] (?:==|=>) \[([^\]]+)\](?:: (.*))?$/;
const INVALID_LINE = /^\[ERRO\] .*:(\d+): invalid line "(.*?)": (.*)$/;

/**
 * The verdicts of a timeless log (stdout and stderr together), by M_ID, and
 * its invalid lines, by line number.
 */
export function logVerdicts(log: string): {
  byId: Map<number, LogVerdict>;
  invalid: Map<number, { text: string; reason: string }>;
} {
  const byId = new Map<number, LogVerdict>();
  const invalid = new Map<number, { text: string; reason: string }>();
  const statuses = { PASS: "passed", SKIP: "skipped", FAILED: "failed" };
  for (const row of log.split("\n")) {
    const verdict = VERDICT_LINE.exec(row);
    if (verdict) {
      const [, id, word, source, destination, reason] = verdict;
      assert.ok(!byId.has(Number(id)), `M_ID ${id} logged twice`);
      byId.set(Number(id), {
        status: statuses[word as keyof typeof statuses] as LogVerdict["status"],
        source: source!,
        destination: destination!,
        ...(reason !== undefined ? { reason } : {}),
      });
    }
    const bad = INVALID_LINE.exec(row);
    if (bad) invalid.set(Number(bad[1]), { text: bad[2]!, reason: bad[3]! });
  }
  return { byId, invalid };
}

/** A `<testcase>` as fast-xml-parser gives it. */
export interface Testcase {
  name: string;
  classname: string;
  time: string;
  failure?: { type: string; message: string; "#text"?: string };
  skipped?: { message: string };
  "system-out"?: string;
}

/**
 * Parses a JUnit report: it must be well-formed XML 1.0 for a strict parser
 * (saxes); the tree comes from fast-xml-parser with entities decoded.
 */
export function readJunit(xml: string) {
  const errors: string[] = [];
  const strict = new SaxesParser();
  strict.on("error", (error) => errors.push(error.message));
  strict.write(xml).close();
  assert.deepEqual(errors, [], "well-formed XML 1.0");
  const tree = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseAttributeValue: false,
    parseTagValue: false,
    htmlEntities: true,
    isArray: (name) => ["testsuite", "testcase", "property"].includes(name),
  }).parse(xml);
  const suite = tree.testsuites.testsuite[0];
  return {
    suites: tree.testsuites,
    suite,
    cases: (suite.testcase ?? []) as Testcase[],
    properties: Object.fromEntries(
      suite.properties.property.map((p: { name: string; value: string }) => [
        p.name,
        p.value,
      ]),
    ) as Record<string, string>,
  };
}

/** A markdown table: the heading above it and its rows' cells. */
export interface MarkdownTable {
  heading: string;
  header: string[];
  rows: string[][];
}

/**
 * The tables of a markdown document, each with the last heading before it;
 * cells split on `|` that are not escaped.
 */
export function markdownTables(text: string): MarkdownTable[] {
  const cells = (row: string) =>
    row.slice(2, -2).split(/(?<!\\) \| /).map((cell) => cell.trim());
  const tables: MarkdownTable[] = [];
  let heading = "";
  const rows = text.split("\n");
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.startsWith("#")) heading = row;
    if (!row.startsWith("| ") || !rows[i + 1]?.startsWith("| -")) continue;
    const table: MarkdownTable = { heading, header: cells(row), rows: [] };
    for (i += 2; rows[i]?.startsWith("| "); i++) {
      table.rows.push(cells(rows[i]!));
    }
    tables.push(table);
  }
  return tables;
}

/** The counts of a timeless log's summary line. */
export function logSummary(log: string) {
  const match =
    /^\[INFO\] (?:Interrupted: validated|Validated) (\d+) lines? in [\d.]+s: (\d+) passed, (\d+) skipped, (\d+) failed, (\d+) invalid, (\d+) not run$/m
      .exec(log);
  assert.ok(match, `a summary line in ${log}`);
  const [total, passed, skipped, failed, invalid, notRun] = match.slice(1)
    .map(Number);
  return { total, passed, skipped, failed, invalid, notRun };
}

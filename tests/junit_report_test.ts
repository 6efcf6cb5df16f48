// The JUnit report read back by real XML parsers: saxes (strict XML 1.0
// well-formedness, forbidden characters included) and fast-xml-parser for the
// tree: counts, testcase names, failure types and the escaping of odd bytes.

import assert from "node:assert/strict";
// Test-only parsers, imported here so that they stay out of deno.json's
// imports (the library's dependencies); deno.lock pins their versions.
// deno-lint-ignore no-import-prefix
import { XMLParser } from "npm:fast-xml-parser@4";
// deno-lint-ignore no-import-prefix
import { SaxesParser } from "npm:saxes@6";
import { FAILURE_KINDS } from "../lib/errors.ts";
import { JunitReport, xmlEscape } from "../lib/report/junit_report.ts";
import type { LineResult } from "../lib/verdict/validate.ts";
import {
  everyStatus,
  failed,
  invalid,
  summaryOf,
} from "./support/line_results.ts";

const END = new Date(Date.UTC(2024, 4, 6, 10, 0, 1, 204));

function junit(results: LineResult[], interrupted = false) {
  let xml = "";
  let closed = 0;
  const report = new JunitReport({
    write: (text) => xml += text,
    close: () => closed++,
  }, { now: () => END });
  for (const result of results) report.onResult(result);
  assert.equal(xml, "", "nothing is written before the summary");
  report.onSummary(summaryOf(results, { interrupted }));
  assert.equal(closed, 1);
  return xml;
}

/** Errors of a strict XML 1.0 parser. */
function strictErrors(xml: string): string[] {
  const errors: string[] = [];
  const parser = new SaxesParser();
  parser.on("error", (error) => errors.push(error.message));
  parser.write(xml).close();
  return errors;
}

interface Testcase {
  name: string;
  classname: string;
  time: string;
  failure?: { type: string; message: string; "#text"?: string };
  skipped?: { message: string };
  "system-out"?: string;
}

function parse(xml: string) {
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
    cases: suite.testcase as Testcase[],
    properties: Object.fromEntries(
      suite.properties.property.map((p: { name: string; value: string }) => [
        p.name,
        p.value,
      ]),
    ),
  };
}

Deno.test("JunitReport writes well-formed XML with one testcase per line and the counts", () => {
  const results = everyStatus();
  const xml = junit(results);
  assert.deepEqual(strictErrors(xml), []);
  const { suites, suite, cases, properties } = parse(xml);
  const failures = FAILURE_KINDS.length + 2; // every kind, 2 invalid lines
  for (const element of [suites, suite]) {
    assert.equal(element.tests, String(results.length));
    assert.equal(element.failures, String(failures));
    assert.equal(element.skipped, "2"); // a skip and a not-run line
    assert.equal(element.errors, "0");
    assert.equal(element.time, "1.204");
  }
  assert.equal(suite.timestamp, "2024-05-06T10:00:00.000Z");
  assert.deepEqual(properties, {
    interrupted: "false",
    architectures: "amd64,arm64",
    oses: "linux",
  });
  assert.equal(cases.length, results.length);
  assert.deepEqual(cases[0], {
    name: "src.io/team/app1:1.0",
    classname: "dst.io:5000",
    time: "0.012",
  });
});

Deno.test("JunitReport gives each failure its kind as type and its reason as message", () => {
  const { cases } = parse(junit(everyStatus()));
  const types = cases.flatMap((c) => c.failure ? [c.failure.type] : []);
  assert.deepEqual(
    new Set(types),
    new Set([...FAILURE_KINDS, "invalid"]),
  );
  const mismatch = cases.find((c) => c.failure?.type === "mismatch")!;
  assert.equal(mismatch.name, "src.io/team/app4:1.0");
  assert.equal(
    mismatch.failure!.message,
    "platform linux/arm64: digest differs",
  );
  assert.match(
    mismatch.failure!["#text"]!,
    /^line 4: src\.io\/team\/app4 dst\.io:5000\/team\/app4 1\.0\nsrc\.io\/team\/app4:1\.0 => dst\.io:5000\/team\/app4:1\.0\nsrcSpec: \[.*"sha256:b{64}".*\]\ndstSpec: \[.*"sha256:c{64}".*\]$/,
  );
  const timeout = cases.find((c) => c.failure?.type === "timeout")!;
  assert.equal(timeout.failure!.message, "timeout happened");
});

Deno.test("JunitReport shows skips, not-run lines and warnings", () => {
  const { cases } = parse(junit(everyStatus(), true));
  const skipped = cases.filter((c) => c.skipped).map((c) => [
    c.name,
    c.skipped!.message,
  ]);
  assert.deepEqual(skipped, [
    ["src.io/team/app3:1.0", "no image available"],
    ["src.io/team/app7:1.0", "not run: interrupted"],
  ]);
  assert.equal(cases[1]!["system-out"], "digest not compared");
});

Deno.test("JunitReport marks an interrupted run", () => {
  const { properties } = parse(junit(everyStatus(), true));
  assert.equal(properties.interrupted, "true");
});

Deno.test("JunitReport escapes markup, control bytes, U+FFFF, lone surrogates and escaped invalid UTF-8", () => {
  const results = [
    invalid(1, `a<&"'>b\x01c\x1fd\x7f`, `why <&"'> \x00`),
    invalid(2, "caf\\xff\\xfe", "line is not UTF-8"),
    invalid(3, "x\uffffy\ud800z\udc00", "odd\ttab\r\nbreak"),
    invalid(4, "emoji 🐳 ok", "fine"),
    failed(5, "server", `HTTP 500: <html>"&'</html>\x08`),
  ];
  const xml = junit(results);
  assert.deepEqual(strictErrors(xml), []);
  const { cases } = parse(xml);
  assert.deepEqual(cases.map((c) => [c.name, c.classname]), [
    ["line 1", "invalid"],
    ["line 2", "invalid"],
    ["line 3", "invalid"],
    ["line 4", "invalid"],
    ["src.io/team/app5:1.0", "dst.io:5000"],
  ]);
  assert.deepEqual(cases.map((c) => c.failure!.message), [
    `why <&"'> \\x00`,
    "line is not UTF-8",
    "odd\ttab\r\nbreak",
    "fine",
    `HTTP 500: <html>"&'</html>\\x08`,
  ]);
  assert.deepEqual(cases.slice(0, 4).map((c) => c.failure!["#text"]), [
    `line 1: a<&"'>b\\x01c\\x1fd\x7f`,
    "line 2: caf\\xff\\xfe",
    "line 3: x\\uFFFFy\\uD800z\\uDC00",
    "line 4: emoji 🐳 ok",
  ]);
});

Deno.test("xmlEscape() keeps surrogate pairs and replaces every forbidden character", () => {
  const forbidden = [
    ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i))
      .filter((c) => !"\t\n\r".includes(c)),
    "\ufffe",
    "\uffff",
    "\ud800",
    "\udfff",
  ];
  for (const char of forbidden) {
    const escaped = xmlEscape(char);
    assert.match(escaped, /^\\(x[0-9a-f]{2}|u[0-9A-F]{4})$/, escaped);
  }
  assert.equal(xmlEscape("🐳"), "🐳");
  assert.equal(xmlEscape("\t\n\r"), "&#9;&#10;&#13;");
});
